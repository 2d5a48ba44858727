"""update_database: after one new event only the rows that differ are written, in place,
with their full-text entries; a new item or a new period rewrites the tables it reshapes.
Either way every table and every search answers as a fresh build's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger import Store
from reports.site.database import database_bytes, update_database
from reports.site.publish import build
from tests.reports.conftest import event, promise
from tests.reports.site.test_publish import AS_OF, database_contents

#: The tables update_database compares and writes (the events table only grows).
_WATCHED = ("items", "periods", "status_history", "sources", "links", "disagreements")
LATER = "2024-07-01T00:00:00Z"


def built(ledger: Store, path: Path, as_of: str = AS_OF) -> Path:
    """A fresh build's database of ``ledger`` written at ``path``."""
    path.write_bytes(database_bytes(build(ledger, as_of=as_of)))
    return path


def watch(path: Path) -> None:
    """Log every row written to the watched tables (by triggers, removed by ``writes``)."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE written (tbl TEXT, op TEXT, row INTEGER)")
        for table in _WATCHED:
            for op, row in (("UPDATE", "new"), ("DELETE", "old"), ("INSERT", "new")):
                connection.execute(
                    f"CREATE TRIGGER watch_{table}_{op} AFTER {op} ON {table} BEGIN "
                    f"INSERT INTO written VALUES ('{table}', '{op}', {row}.rowid); END"
                )
    connection.close()


def writes(path: Path) -> dict[tuple[str, str], set[int]]:
    """The rowids written per (table, operation) since ``watch``; the log removed."""
    connection = sqlite3.connect(path)
    logged: dict[tuple[str, str], set[int]] = {}
    for table, op, row in connection.execute("SELECT * FROM written"):
        logged.setdefault((table, op), set()).add(row)
    with connection:
        for table in _WATCHED:
            for op in ("UPDATE", "DELETE", "INSERT"):
                connection.execute(f"DROP TRIGGER watch_{table}_{op}")
        connection.execute("DROP TABLE written")
    connection.close()
    return logged


def rows(path: Path, table: str) -> dict[int, tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in connection.execute(f"SELECT rowid, * FROM {table}")}
    finally:
        connection.close()


def found(path: Path, words: str) -> list[str]:
    """The ids of the items whose title or statement holds ``words``."""
    connection = sqlite3.connect(path)
    try:
        return [
            item
            for (item,) in connection.execute(
                "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
                "WHERE items_fts MATCH ? ORDER BY items.id",
                (words,),
            )
        ]
    finally:
        connection.close()


def differing(before: Path, after: Path, table: str) -> set[int]:
    old, new = rows(before, table), rows(after, table)
    assert old.keys() == new.keys()
    return {rowid for rowid in old if old[rowid] != new[rowid]}


def test_a_changed_status_and_title_are_updated_in_place(ledger, tmp_path):
    ledger.append([event("law.drafted", "law-water", "2024-01-10", title="Irrigation bill")])
    previous = built(ledger, tmp_path / "previous.db")
    path = tmp_path / "updated.db"
    path.write_bytes(previous.read_bytes())
    watch(path)
    after = ledger.head().position
    ledger.append(
        [event("law.signed", "law-water", "2024-05-02", title="Waterworks code", recorded_at=LATER)]
    )
    site = build(ledger, as_of=AS_OF)
    fresh = built(ledger, tmp_path / "fresh.db")

    assert update_database(path, site, after) is True
    logged = writes(path)
    changed_items = differing(previous, fresh, "items")
    changed_cells = differing(previous, fresh, "status_history")
    water = next(r for r, row in rows(fresh, "items").items() if row[0] == "law-water")
    assert water in changed_items and changed_cells  # its row and its 2024-Q2 cell
    assert logged.get(("items", "UPDATE")) == changed_items
    assert logged.get(("status_history", "UPDATE")) == changed_cells
    assert not any(op in ("DELETE", "INSERT") for _, op in logged)  # nothing rewritten
    assert rows(path, "items")[water] == rows(fresh, "items")[water]
    assert database_contents(path) == database_contents(fresh)
    for words, expected in (("irrigation", []), ("waterworks", ["law-water"])):
        assert found(path, words) == found(fresh, words) == expected
    assert found(previous, "irrigation") == ["law-water"]
    # the same site again: nothing to write
    assert update_database(path, site, ledger.head().position) is False


def test_a_new_item_rewrites_the_items_and_their_search(ledger, tmp_path):
    path = built(ledger, tmp_path / "updated.db")
    old_items = set(rows(path, "items"))
    watch(path)
    after = ledger.head().position
    ledger.append([promise("water", "2024-04-01", "Build irrigation canals", "water")])
    ledger.append([event("law.drafted", "law-water", "2024-05-02", title="Waterworks code")])
    site = build(ledger, as_of=AS_OF)
    fresh = built(ledger, tmp_path / "fresh.db")

    assert update_database(path, site, after) is True
    logged = writes(path)
    assert logged[("items", "DELETE")] == old_items  # rewritten whole
    assert logged[("items", "INSERT")] == set(rows(fresh, "items"))
    assert database_contents(path) == database_contents(fresh)
    for words, expected in (("irrigation", ["water"]), ("waterworks", ["law-water"])):
        assert found(path, words) == found(fresh, words) == expected


def test_a_new_period_rewrites_the_periods_and_the_status_history(ledger, tmp_path):
    path = built(ledger, tmp_path / "updated.db", as_of="2024-03-31")
    old_periods, old_cells = set(rows(path, "periods")), set(rows(path, "status_history"))
    watch(path)
    site = build(ledger, as_of=AS_OF)  # the same ledger, one quarter later: 2024-Q2
    fresh = built(ledger, tmp_path / "fresh.db")

    assert update_database(path, site, ledger.head().position) is True
    logged = writes(path)
    assert logged[("periods", "DELETE")] == old_periods
    assert logged[("periods", "INSERT")] == set(rows(fresh, "periods"))
    assert logged[("status_history", "DELETE")] == old_cells
    assert logged[("status_history", "INSERT")] == set(rows(fresh, "status_history"))
    assert database_contents(path) == database_contents(fresh)


def test_rows_are_found_by_rowid_when_the_rowids_have_gaps(ledger, tmp_path):
    """A file whose items were renumbered with gaps (as SQLite may leave a table it did
    not fill in one go) is updated at the right rows, and searched the same."""
    ledger.append([event("law.drafted", "law-water", "2024-01-10", title="Irrigation bill")])
    path = built(ledger, tmp_path / "updated.db")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE items SET rowid = rowid * 1001")
        connection.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    connection.close()
    after = ledger.head().position
    ledger.append(
        [event("law.signed", "law-water", "2024-05-02", title="Waterworks code", recorded_at=LATER)]
    )
    fresh = built(ledger, tmp_path / "fresh.db")

    assert update_database(path, build(ledger, as_of=AS_OF), after) is True
    assert list(rows(path, "items").values()) == list(rows(fresh, "items").values())
    for words, expected in (("irrigation", []), ("waterworks", ["law-water"])):
        assert found(path, words) == found(fresh, words) == expected
