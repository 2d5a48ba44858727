"""``data/reform-ledger.db``: the site's read model as one SQLite file, ready for Datasette.

Tables: ``items``, ``periods``, ``status_history``, ``events`` (with quotes), ``sources``,
``links`` and ``disagreements``, with full-text search (FTS5) over item titles and
statements and over event descriptions and quotes. The FTS tables are external-content
tables named ``<table>_fts`` with ``content="<table>"``, which is how Datasette finds
them. ``metadata.json`` describes the database for ``datasette serve``.

It is a copy for reading, not a ledger. A fresh build makes it in a temporary file with
a fixed page size and no WAL, then vacuums it, so the same site gives the same bytes and
an unchanged database is not rewritten. After the ledger only grew, the previous build's
file is brought up to date in place instead (``update_database``, one transaction): the
new events are inserted, and in the other tables only the rows that differ are updated
(a table whose keys or their order changed, such as one with a new item or a new period,
is rewritten whole), which gives the same rows and search answers as a fresh build, not
necessarily the same bytes.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

import orjson

from ledger import describe
from reports.site.evidence import last_evidence_of
from reports.site.model import Site

__all__ = [
    "DATABASE",
    "METADATA",
    "database_bytes",
    "database_head",
    "metadata_json",
    "source_anchors",
    "update_database",
    "updated_database_bytes",
]

DATABASE = "data/reform-ledger.db"
METADATA = "data/metadata.json"

_SCHEMA = """
CREATE TABLE items (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT, statement TEXT, actor TEXT,
    area TEXT, package TEXT, status TEXT NOT NULL, since TEXT, evidence TEXT,
    deadline TEXT, late INTEGER NOT NULL, contested INTEGER NOT NULL,
    last_evidence TEXT, page TEXT NOT NULL
);
CREATE TABLE periods (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL,
    promises INTEGER NOT NULL, delivered INTEGER NOT NULL, report TEXT NOT NULL
);
CREATE TABLE status_history (
    item TEXT NOT NULL REFERENCES items(id), period TEXT NOT NULL REFERENCES periods(name),
    status TEXT NOT NULL, PRIMARY KEY (item, period)
);
CREATE TABLE sources (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, author TEXT, published TEXT, kind TEXT,
    url TEXT, cited INTEGER NOT NULL
);
CREATE TABLE events (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, item TEXT NOT NULL,
    type TEXT NOT NULL, effective TEXT NOT NULL, recorded_at TEXT NOT NULL,
    description TEXT NOT NULL, source TEXT REFERENCES sources(id), locator TEXT,
    quote TEXT, hash TEXT NOT NULL
);
CREATE TABLE links (
    from_item TEXT NOT NULL REFERENCES items(id), relation TEXT NOT NULL,
    to_item TEXT NOT NULL REFERENCES items(id)
);
CREATE TABLE disagreements (item TEXT NOT NULL REFERENCES items(id), reason TEXT NOT NULL);
CREATE INDEX events_item ON events(item);
CREATE INDEX status_history_period ON status_history(period);
CREATE VIRTUAL TABLE items_fts USING fts5(title, statement, content="items");
CREATE VIRTUAL TABLE events_fts USING fts5(description, quote, content="events");
"""


def _tables(site: Site) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows but the events', in the order a fresh build inserts them."""
    items = site.items.values()
    return {
        "items": [
            (
                i.id,
                i.kind,
                i.title,
                i.statement or None,
                i.actor or None,
                i.area or None,
                i.package or None,
                i.status.status,
                i.status.since,
                i.evidence,
                i.status.deadline,
                int(i.status.late),
                int(i.status.contested),
                last_evidence_of(i.status),
                f"items/{i.id}.html",
            )
            for i in items
        ],
        "periods": [
            (
                p.name,
                p.period.kind,
                p.period.start.isoformat(),
                p.end.isoformat(),
                p.promises,
                p.delivered,
                f"periods/{p.name}.html",
            )
            for p in site.periods
        ],
        "status_history": [(i.id, cell.period, cell.status) for i in items for cell in i.strip],
        "sources": [
            (s.anchor, s.title, s.author, s.published, s.kind, s.url, s.cited) for s in site.sources
        ],
        "links": [(i.id, link.relation, link.item) for i in items for link in i.links_out],
        "disagreements": [(i.id, d.text) for i in items for d in i.disputes],
    }


def _event_rows(site: Site, after: int = 0) -> list[tuple[object, ...]]:
    """The events table's rows for the site's records after position ``after``."""
    anchors = source_anchors(site)
    return [
        (
            r.position,
            r.id,
            r.item,
            r.type,
            r.effective,
            r.recorded_at,
            describe(r),
            anchors.get(r.source.get("document", "")),
            r.source.get("locator"),
            r.source.get("quote"),
            r.hash,
        )
        for r in site.records.after(after)
    ]


#: How many leading columns of each table are its key (unique, never updated in place);
#: a table not named has no key: its rows are matched by position.
_KEY_COLUMNS = {"items": 1, "periods": 1, "status_history": 2, "sources": 1}
#: The columns each external-content full-text table indexes, by the table it searches.
_SEARCHED = {"items": ("title", "statement"), "events": ("description", "quote")}


def _insert(connection: sqlite3.Connection, table: str, rows: list[tuple[object, ...]]) -> None:
    if rows:
        marks = ",".join("?" * len(rows[0]))
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def source_anchors(site: Site) -> dict[str, str]:
    """Each cited document's anchor: the events table names sources by it."""
    return {s.key: s.anchor for s in site.sources}


def _fill(connection: sqlite3.Connection, site: Site) -> None:
    for table, rows in _tables(site).items():
        _insert(connection, table, rows)
        if table == "sources":  # the fresh build's order: events after sources
            _insert(connection, "events", _event_rows(site))
    connection.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    connection.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")


def database_bytes(site: Site) -> bytes:
    """The database file's bytes (built in a temporary folder, then read back)."""
    with tempfile.TemporaryDirectory(prefix="reform-ledger-site-") as folder:
        path = Path(folder) / "reform-ledger.db"
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA page_size = 4096")
            connection.execute("PRAGMA journal_mode = DELETE")
            with connection:
                connection.executescript(_SCHEMA)
                _fill(connection, site)
            connection.execute("VACUUM")
        finally:
            connection.close()
        return path.read_bytes()


def updated_database_bytes(site: Site, previous: bytes, after: int) -> bytes:
    """The database of an earlier build of the same ledger brought up to ``site``, as
    bytes: ``update_database`` on a copy of ``previous`` (built fresh when it cannot)."""
    with tempfile.TemporaryDirectory(prefix="reform-ledger-site-") as folder:
        path = Path(folder) / "reform-ledger.db"
        path.write_bytes(previous)
        if update_database(path, site, after) is None:
            return database_bytes(site)
        return path.read_bytes()


def update_database(path: Path, site: Site, after: int) -> bool | None:
    """Bring the database file at ``path``, of an earlier build of the same ledger, up to
    ``site`` in place, in one transaction; whether anything changed, or None (nothing
    changed) when it is not a database this code made ending at ``after``.

    The caller vouches that the file was built from a prefix of this ledger ending at
    position ``after``, with the same source anchors (the events it holds are this
    ledger's). Its events table gets only the events after ``after`` (and their
    full-text rows); every other table is compared with what a fresh build would hold:
    where it holds the same keys in the same order, only the rows that differ are
    updated in place (with their full-text entries), else it is rewritten whole. Every
    table then holds, row for row (in rowid order), what a fresh build's holds, and
    full-text search answers the same; the file's bytes may differ from a fresh build's
    (free pages, full-text segments). A crash midway leaves SQLite's rollback journal,
    which undoes the transaction when the file is next opened.
    """
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.DatabaseError:
        return None
    try:
        ends = connection.execute("SELECT max(position) FROM events").fetchone()[0] or 0
        if ends != after:
            return None
        with connection:
            for table, rows in _tables(site).items():
                _bring_up_to_date(connection, table, rows)
            added = _event_rows(site, after)
            _insert(connection, "events", added)
            connection.executemany(
                "INSERT INTO events_fts(rowid, description, quote) VALUES (?,?,?)",
                [(row[0], row[6], row[9]) for row in added],
            )
        return connection.total_changes > 0
    except sqlite3.DatabaseError:
        return None  # not a database this code made
    finally:
        connection.close()


def _bring_up_to_date(
    connection: sqlite3.Connection, table: str, rows: list[tuple[object, ...]]
) -> None:
    """Make ``table`` hold ``rows`` in rowid order, writing only what differs.

    One new event changes a few rows of tables that hold hundreds of thousands: when the
    table holds the same keys in the same order (keyless tables: as many rows), only the
    rows that differ are updated, in place (their rowids, which the full-text index
    refers to, kept), and their full-text entries replaced when their words changed.
    Otherwise the table is rewritten whole, as a fresh build fills it."""
    found = connection.execute(f"SELECT * FROM {table} ORDER BY rowid")
    held = found.fetchall()
    if held == rows:
        return
    width = _KEY_COLUMNS.get(table, 0)
    if len(held) != len(rows):
        differing = None
    else:
        differing = [
            (index, new)
            for index, (old, new) in enumerate(zip(held, rows, strict=True))
            if old != new
        ]
    if differing is None or any(held[index][:width] != new[:width] for index, new in differing):
        connection.execute(f"DELETE FROM {table}")
        _insert(connection, table, rows)
        if table in _SEARCHED:
            connection.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        return
    rowids = _rowids(connection, table, len(held))
    changed = [(rowids[index], held[index], new) for index, new in differing]
    columns = [f'"{c[0]}"' for c in found.description]
    assignments = ", ".join(f"{column} = ?" for column in columns[width:])
    connection.executemany(
        f"UPDATE {table} SET {assignments} WHERE rowid = ?",
        [(*new[width:], rowid) for rowid, _, new in changed],
    )
    searched = _SEARCHED.get(table)
    if searched:
        _reindex(connection, table, searched, columns, changed)


def _rowids(connection: sqlite3.Connection, table: str, count: int) -> Sequence[int]:
    """The rowids of the ``count`` rows of ``table``, in order: counted from the first
    when they have no gaps (as a fresh build and a rewrite leave them), else read."""
    first, last = connection.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
    if last - first + 1 == count:  # as many distinct integers as the span holds: no gaps
        return range(first, last + 1)
    return [rowid for (rowid,) in connection.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]


def _reindex(
    connection: sqlite3.Connection,
    table: str,
    searched: tuple[str, ...],
    columns: list[str],
    changed: list[tuple[int, tuple[object, ...], tuple[object, ...]]],
) -> None:
    """Replace the full-text entries of the rows whose searched words changed: an
    external-content FTS5 table forgets a row only when told its old values."""
    at = [columns.index(f'"{name}"') for name in searched]
    moved = [
        (rowid, [old[i] for i in at], [new[i] for i in at])
        for rowid, old, new in changed
        if any(old[i] != new[i] for i in at)
    ]
    if not moved:
        return
    fts, names, marks = f"{table}_fts", ", ".join(searched), ",".join("?" * len(searched))
    connection.executemany(
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', ?, {marks})",
        [(rowid, *old) for rowid, old, _ in moved],
    )
    connection.executemany(
        f"INSERT INTO {fts}(rowid, {names}) VALUES (?, {marks})",
        [(rowid, *new) for rowid, _, new in moved],
    )


def database_head(path: Path) -> str | None:
    """The digest (``position:hash``) of the newest event the database file holds, "0:"
    when it holds none, None when it is missing or not such a database. Opened for
    writing, so that SQLite undoes an update a crash left half done before it is read."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.DatabaseError:
        return None
    try:
        row = connection.execute(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return f"{row[0]}:{row[1]}" if row else "0:"


_TABLES = {
    "items": "One row per item with its derived status; page is its page on the site.",
    "periods": "The periods the site covers; report is the period's short report.",
    "status_history": "Each item's status at the end of each period.",
    "events": "The ledger's events with a plain description, source and verbatim quote.",
    "sources": "The documents the events cite.",
    "links": "Links between items (implements, part of, reverses, ...).",
    "disagreements": "Why an item is contested, one reason a row.",
}


def metadata_json(site: Site) -> bytes:
    """Datasette metadata: titles, descriptions and the full-text search tables."""
    metadata = {
        "title": site.title,
        "description": (
            f"The read model behind the site, as of {site.as_of.isoformat()}, ledger digest "
            f"{site.digest}, method {site.method}. Search items and events by full text."
        ),
        "databases": {
            "reform-ledger": {
                "tables": {
                    name: {"description": text}
                    | ({"fts_table": f"{name}_fts"} if name in ("items", "events") else {})
                    for name, text in _TABLES.items()
                }
            }
        },
    }
    return orjson.dumps(metadata, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
