"""The event store: append with hash chain and optimistic concurrency, and reading.

``open_store(url)`` picks the engine from the URL; ``ledger.sqlite`` and
``ledger.postgres`` hold the only dialect differences. An append is one transaction:
it takes the append lock, reads the chain head, checks every event against what is
stored (ids, items, kinds, versions, transaction time), and inserts the whole batch or
nothing. Projections and reports read through ``read``; nothing here computes status.

Reads and appends go through the driver's own connection (DB-API), one per thread, with
plain SQL: no SQLAlchemy or SQLModel on those paths. The SQLAlchemy ``engine`` is made
on first use, to create the tables and for the scheduler's job store.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from events import (
    ITEM_KINDS,
    InvalidInput,
    InvalidInputs,
    current_schema,
    format_instant,
    loads,
    upcast,
)
from ledger.errors import (
    ConcurrencyError,
    DuplicateEventId,
    ItemExists,
    KindMismatch,
    NotALedger,
    StorageError,
    UnknownEvent,
    UnknownItem,
    UnregisteredSource,
)
from ledger.mapper import GENESIS_HASH, Record, record_of_row, row_values, to_record

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from events import Event

__all__ = ["AppendCount", "AppendResult", "Head", "Store", "open_store", "resolve_url"]

#: What makes a database a ledger: these tables, with (at least) these columns (the
#: columns of ``ledger.tables``, which creates them).
LEDGER_COLUMNS = {
    "events": (
        "position",
        "event_id",
        "item",
        "version",
        "type",
        "schema_version",
        "effective",
        "recorded_at",
        "body",
        "prev_hash",
        "hash",
    ),
    "projection_checkpoints": ("name", "position", "state"),
}
#: Ids per IN (...) lookup: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
_CHUNK = 5000
#: Transaction time may be given this far ahead of the clock (clock skew between hosts).
_SKEW_SECONDS = 5
#: Relations whose links may not loop, by family (a partial implementation implements too).
_ACYCLIC = {
    "implements": "implements",
    "partially_implements": "implements",
    "part_of": "part_of",
    "supersedes": "supersedes",
}


@dataclass(frozen=True)
class Head:
    position: int
    hash: str
    recorded_at: str | None


@dataclass(frozen=True)
class AppendResult:
    """What an append did: the records it stored and how many events were already there.

    The records are built on first use: a bulk import only needs their number.
    """

    #: the stored events' envelopes and their rows (``Row``'s values), in order
    envelopes: list[dict[str, Any]]
    rows: list[tuple[Any, ...]]
    skipped: int

    @property
    def count(self) -> int:
        return len(self.rows)

    @cached_property
    def appended(self) -> list[Record]:
        return [record_of_row(e, row) for e, row in zip(self.envelopes, self.rows, strict=True)]


@dataclass(frozen=True)
class AppendCount:
    """What an append of chunks did: how many events it stored, how many were there."""

    appended: int
    skipped: int


def resolve_url(url: str | None) -> str:
    """A database URL from ``--db``: a URL, or a plain path meaning a SQLite file."""
    url = url or "reform-ledger.db"
    if "://" in url:
        return url
    return f"sqlite:///{url}"


@contextmanager
def translate_db_errors(url: str) -> Iterator[None]:
    """Map driver errors to ledger errors, once, for every store operation."""
    try:
        yield
    except Exception as error:
        reason = _driver_failure(error)
        if reason is None:
            raise
        raise StorageError(f"database {_safe(url)}: {reason}") from error


def _driver_failure(error: Exception) -> str | None:
    """The driver's words for a database failure (through SQLAlchemy or not), else None.

    Only drivers already imported can have raised: nothing is imported to find out.
    """
    wrapped = sys.modules.get("sqlalchemy.exc")
    if wrapped is not None and isinstance(error, wrapped.DBAPIError):
        if not error.orig:
            return str(error)
        error = error.orig
    elif not isinstance(error, sqlite3.Error):
        psycopg = sys.modules.get("psycopg")
        if psycopg is None or not isinstance(error, psycopg.Error):
            return None
    return str(error).strip().splitlines()[0]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - any unparsable URL is shown as given
        return url


def open_store(url: str | None = None, *, create: bool = False) -> Store:
    """Open the ledger at ``url``; with ``create``, make its tables if missing."""
    url = resolve_url(url)
    if url.startswith("sqlite"):
        dialect: ModuleType = import_module("ledger.sqlite")
    elif url.startswith("postgresql"):
        dialect = import_module("ledger.postgres")
    else:
        raise StorageError(
            f"unsupported database URL {_safe(url)} (use sqlite:/// or postgresql+psycopg://)"
        )
    with translate_db_errors(url):
        there = dialect.exists(url)
        if not create and not there:
            raise StorageError(f"no ledger at {_safe(url)} (create one with: reform-ledger init)")
        store = Store(url, dialect)
        try:
            if there:
                _check_ledger_tables(store, create=create)
            if create:
                store.initialize()
        except BaseException:
            store.close()
            raise
    return store


def _check_ledger_tables(store: Store, *, create: bool = False) -> None:
    """Refuse a database that is not a ledger, looking before anything is written to it.

    The look goes through the dialect's ``probe`` connection (for SQLite a read-only one:
    the file may be another program's, and connecting as a ledger would switch it to WAL).
    One empty SELECT per table answers when all is well (on SQLite through ``sqlite3``
    alone); only a failure is looked into. A missing table is what ``create`` makes; a
    table of ours without our columns belongs to another program, and neither opening
    nor creating may touch it.
    """
    with store.dialect.peek(store.url) as connection:
        if connection is not None:
            try:
                for table, columns in LEDGER_COLUMNS.items():
                    connection.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0")
                return
            except sqlite3.Error:
                pass  # look closer below
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import DBAPIError

    from ledger.tables import ProjectionCheckpoint, StoredEvent

    url = _safe(store.url)
    with store.dialect.probe(store.url, store.engine) as connection:
        for table in (StoredEvent.__table__, ProjectionCheckpoint.__table__):
            try:
                connection.execute(select(*table.columns).limit(0))
                continue
            except DBAPIError as error:
                failure = error
                connection.rollback()
            inspector = inspect(connection)
            if not inspector.has_table(table.name):
                if create:
                    continue
                raise NotALedger(f"database {url}: not a Reform Ledger database")
            columns = {column["name"] for column in inspector.get_columns(table.name)}
            missing = [column.name for column in table.columns if column.name not in columns]
            if missing:
                raise StorageError(
                    f"database {url}: not a Reform Ledger database: its table "
                    f"{table.name!r} belongs to another program (no column {missing[0]!r}); "
                    "use another database"
                )
            raise failure


class Store:
    """An append-only, hash-chained event log in one database."""

    def __init__(self, url: str, dialect: ModuleType) -> None:
        self.url = url
        self.dialect = dialect
        self._local = threading.local()
        self._opened: list[Any] = []
        self._guard = threading.Lock()

    @cached_property
    def engine(self) -> Engine:
        """The SQLAlchemy engine: table creation, the scheduler's job store (made on first
        use, so reading and appending never import SQLAlchemy on SQLite)."""
        return self.dialect.connect(self.url)

    def _engine(self) -> Engine:
        return self.engine

    # -- connections ------------------------------------------------------------------
    def _connection(self) -> Any:
        """This thread's DB-API connection, opened on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.dialect.open_connection(self.url, self._engine)
            self._local.connection = connection
            with self._guard:
                self._opened.append(connection)
        return connection

    @contextmanager
    def _reading(self, *, blobs: bool = False) -> Iterator[Any]:
        """A cursor for a short read; whatever transaction it opened ends with it. With
        ``blobs``, one suited to large binary values (see the dialects' ``blob_cursor``)."""
        with translate_db_errors(self.url):
            connection = self._connection()
            try:
                yield self.dialect.blob_cursor(connection) if blobs else connection.cursor()
            finally:
                connection.rollback()

    @contextmanager
    def _writing(self, *, append: bool = False, bulk: bool = False) -> Iterator[Any]:
        """A cursor in a transaction that commits, or rolls back on any error; with
        ``bulk``, set up for many rows (the dialect's ``bulk``) until after the commit."""
        with translate_db_errors(self.url):
            connection = self._connection()
            with self.dialect.bulk(connection) if bulk else nullcontext():
                cursor = self.dialect.begin(connection, append=append)
                try:
                    yield cursor
                    self.dialect.commit(connection, cursor)
                except BaseException:
                    self.dialect.rollback(connection)
                    raise

    def _stream(self, query: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
        with translate_db_errors(self.url):
            yield from self.dialect.stream(self.url, self._engine, query, params)

    def _sql(self, query: str) -> str:
        """``query`` with ``?`` as the driver's parameter marker."""
        return query if self.dialect.MARKER == "?" else query.replace("?", self.dialect.MARKER)

    # -- set-up ---------------------------------------------------------------------
    def initialize(self) -> None:
        from ledger.tables import ProjectionCheckpoint, StoredEvent, metadata

        tables = [StoredEvent.__table__, ProjectionCheckpoint.__table__]
        with translate_db_errors(self.url), self.engine.begin() as connection:
            metadata.create_all(connection, tables=tables)
            for statement in self.dialect.schema_statements():
                connection.exec_driver_sql(statement)

    def close(self) -> None:
        with self._guard:
            opened, self._opened = self._opened, []
        for connection in opened:
            with suppress(Exception):  # closing what is already gone
                connection.close()
        self._local = threading.local()
        if "engine" in self.__dict__:
            self.engine.dispose()

    def absolute_url(self) -> str:
        """This ledger's URL as another process may use it from any working folder."""
        return self.dialect.absolute_url(self.url)

    @contextmanager
    def process_lock(self, name: str) -> Iterator[Any]:
        """Hold a ledger-wide lock named ``name`` for this process, or raise ``LockHeld``.

        The operating system (SQLite: a file lock) or the server (PostgreSQL: an advisory lock
        on a session of its own) releases it when the process dies, also after kill -9.
        The lock's ``check()`` raises ``LockLost`` if it was lost meanwhile.
        """
        import socket  # for the lock holder's name alone: reading commands never load it

        owner = f"pid {os.getpid()} on {socket.gethostname()}"
        with translate_db_errors(self.url):
            lock = self.dialect.ProcessLock(self.url, name, owner)
        try:
            yield lock
        finally:
            lock.release()

    # -- reading --------------------------------------------------------------------
    def head(self) -> Head:
        with self._reading() as cursor:
            return _read_head(cursor)

    def count(self) -> int:
        with self._reading() as cursor:
            return cursor.execute("SELECT count(*) FROM events").fetchone()[0]

    def read(
        self, *, after: int = 0, item: str | None = None, types: Sequence[str] | None = None
    ) -> Iterator[Record]:
        """Records in position order, after a position, optionally for one item."""
        query = "SELECT body, prev_hash, hash FROM events WHERE position > ?"
        params: list[Any] = [after]
        if item is not None:
            query += " AND item = ?"
            params.append(item)
        if types:
            query += f" AND type IN ({', '.join('?' * len(types))})"
            params += list(types)
        query += " ORDER BY position"
        for body, prev_hash, hash_ in self._stream(self._sql(query), tuple(params)):
            yield to_record(body, prev_hash, hash_)

    def read_bodies(self, *, after: int = 0) -> Iterator[str | bytes]:
        """Each stored body in position order, after a position (for a replay, which
        needs neither the chain fields nor a ``Record`` per event)."""
        query = self._sql("SELECT body FROM events WHERE position > ? ORDER BY position")
        for (body,) in self._stream(query, (after,)):
            yield body

    def read_raw(self, *, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """Every stored row with all columns, in position order (for ``verify``)."""
        query = f"SELECT {', '.join(_COLUMNS)} FROM events WHERE position > ? ORDER BY position"
        yield from self._stream(self._sql(query), (after,))

    def find_event(self, event_id: str) -> Record | None:
        query = self._sql("SELECT body, prev_hash, hash FROM events WHERE event_id = ?")
        with self._reading() as cursor:
            row = cursor.execute(query, (event_id,)).fetchone()
        return to_record(*row) if row else None

    def read_few(
        self,
        *,
        after: int = 0,
        upto: int | None = None,
        items: Collection[str] | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """The records in (after, upto], of ``items`` if given, at most ``limit`` of them,
        in position order: a short read on the reading connection (no server-side cursor
        or connection of its own), for the few events a status refresh needs."""
        query = "SELECT body, prev_hash, hash FROM events WHERE position > ?"
        params: list[Any] = [after]
        if upto is not None:
            query += " AND position <= ?"
            params.append(upto)
        if items is not None:
            query += f" AND item IN ({', '.join('?' * len(items))})" if items else " AND 0 = 1"
            params += list(items)
        query += " ORDER BY position"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._reading() as cursor:
            rows = cursor.execute(self._sql(query), tuple(params)).fetchall()
        return [to_record(*row) for row in rows]

    def read_at(self, positions: Iterable[int]) -> list[Record]:
        """The records at ``positions`` (each once, missing ones skipped), in position
        order: the few records a report names out of a large ledger, read in chunks on
        the reading connection instead of reading every record."""
        wanted = sorted({int(position) for position in positions})
        found: list[Record] = []
        with self._reading() as cursor:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                query = self._sql(
                    "SELECT body, prev_hash, hash FROM events "
                    f"WHERE position IN ({', '.join('?' * len(chunk))}) ORDER BY position"
                )
                found += [to_record(*row) for row in cursor.execute(query, tuple(chunk))]
        return found

    def hash_at(self, position: int) -> str | None:
        query = self._sql("SELECT hash FROM events WHERE position = ?")
        with self._reading() as cursor:
            row = cursor.execute(query, (position,)).fetchone()
        return row[0] if row else None

    def items(self) -> list[str]:
        with self._reading() as cursor:
            rows = cursor.execute("SELECT item FROM events WHERE version = 1 ORDER BY item")
            return [row[0] for row in rows.fetchall()]

    # -- checkpoints ------------------------------------------------------------------
    def load_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        query = self._sql("SELECT position, state FROM projection_checkpoints WHERE name = ?")
        with self._reading(blobs=True) as cursor:
            row = cursor.execute(query, (name,)).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def checkpoint_position(self, name: str) -> int | None:
        """The position checkpoint ``name`` is folded up to, without reading its state."""
        query = self._sql("SELECT position FROM projection_checkpoints WHERE name = ?")
        with self._reading() as cursor:
            row = cursor.execute(query, (name,)).fetchone()
        return row[0] if row else None

    def checkpoint_names(self) -> list[str]:
        """The names of the stored checkpoints, sorted."""
        query = "SELECT name FROM projection_checkpoints ORDER BY name"
        with self._reading() as cursor:
            return [row[0] for row in cursor.execute(query).fetchall()]

    def drop_checkpoints(self, names: Sequence[str]) -> None:
        """Remove the named checkpoints (an outdated format's), in one transaction."""
        if not names:
            return
        query = self._sql("DELETE FROM projection_checkpoints WHERE name = ?")
        with self._writing() as cursor:
            for name in names:
                cursor.execute(query, (name,))

    def save_checkpoint(self, name: str, position: int, state: bytes) -> None:
        self.save_checkpoints([(name, position, state)])

    def save_checkpoints(self, rows: Sequence[tuple[str, int, bytes]]) -> None:
        """Several checkpoints (name, position, state) in one transaction: one commit."""
        with self._writing() as cursor:
            self.dialect.write_checkpoints(
                cursor,
                self._sql("DELETE FROM projection_checkpoints WHERE name = ?"),
                self._sql(
                    "INSERT INTO projection_checkpoints (name, position, state) VALUES (?, ?, ?)"
                ),
                rows,
            )

    # -- appending --------------------------------------------------------------------
    def append(
        self,
        events: Sequence[Event],
        *,
        expected_version: int | None = None,
        locations: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> AppendResult:
        """Append a batch atomically: all of it, or nothing and an error naming the event.

        ``expected_version`` is the version the first event's item must be at (0 for a
        new item). Re-sending a stored event is a no-op; a different event under a stored
        id is an error. Explicit ``recorded_at`` (a backfill) may not run backwards along
        the chain, nor into the future.
        """
        if not events:
            return AppendResult([], [], 0)
        where = list(locations) if locations else [f"event {i + 1}" for i in range(len(events))]
        with self._writing(append=True) as cursor:
            plan = _AppendPlan(cursor, self.dialect)
            kept, rows = plan.add(events, where, progress, expected_version=expected_version)
            plan.finish()
        return AppendResult(kept, rows, len(events) - len(rows))

    def append_chunks(
        self,
        chunks: Iterable[tuple[Sequence[Event], Sequence[str]]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> AppendCount:
        """Append one batch given as chunks of (events, their places), atomically.

        The same checks and the same all-or-nothing transaction as ``append`` over the
        whole batch, holding one chunk at a time: a file of a million events is imported
        in bounded memory. An error raised while the chunks are produced (a file's bad
        line) rolls the whole batch back too.
        """
        appended = skipped = 0
        chunks = iter(chunks)
        first = next(chunks, None)  # before the transaction: a refusal opens none
        if first is None:
            return AppendCount(0, 0)
        with self._writing(append=True, bulk=True) as cursor:
            plan = _AppendPlan(cursor, self.dialect)
            for events, where in itertools.chain([first], chunks):
                if not events:
                    continue
                count = len(plan.add(events, where, progress)[1])
                appended += count
                skipped += len(events) - count
            plan.finish()
        return AppendCount(appended, skipped)


def _read_head(cursor: Any) -> Head:
    row = cursor.execute(
        "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
    ).fetchone()
    return Head(*row) if row else Head(0, GENESIS_HASH, None)


_COLUMNS = LEDGER_COLUMNS["events"]


def _insert_rows(
    cursor: Any, statement: str, rows: list[tuple[Any, ...]], dialect: ModuleType
) -> None:
    """The rows as they are, by the driver's fastest bulk path (the dialect's): the bulk
    path costs what the driver does."""
    if len(rows) == 1:  # a single append: no bulk set-up
        dialect.insert_one(cursor, statement, rows[0])
        return
    dialect.insert_many(cursor, statement, _COLUMNS, rows)


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


#: The parts of a chunk's look-up, each (tag, key, text, number) rows of one IN (...) slot.
_HEAD = (
    "SELECT * FROM (SELECT 'h', hash, recorded_at, position FROM events "
    "ORDER BY position DESC LIMIT 1) AS head"
)
_STORED = "SELECT 's', event_id, body, CAST(NULL AS BIGINT) FROM events WHERE event_id IN ({})"
_ITEMS = (
    "SELECT 'i', e.item, e.type, (SELECT MAX(m.version) FROM events m WHERE m.item = e.item) "
    "FROM events e WHERE e.version = 1 AND e.item IN ({})"
)
_RETRACTED = (
    "SELECT 'r', event_id, item, CASE WHEN type = 'event.retracted' THEN 1 ELSE 0 END "
    "FROM events WHERE event_id IN ({})"
)
_REGISTERED = (
    "SELECT DISTINCT 'd', item, CAST(NULL AS TEXT), CAST(NULL AS BIGINT) FROM events "
    "WHERE type = 'source.registered' AND item IN ({})"
)


class _AppendPlan:
    """Checks one batch against the stored log and appends it (inside the lock), a chunk
    at a time.

    What it learns of items, sources and links carries over from chunk to chunk. Each
    chunk's rows are inserted (in the batch's open transaction) before the next chunk is
    looked up, so the next finds the ids and retraction targets of earlier chunks in the
    database itself, and only one chunk's events are held. Input errors are collected
    (one run reports every problem of the batch) and raised by ``finish``, which leaves
    the transaction to roll back.
    """

    def __init__(self, cursor: Any, dialect: ModuleType) -> None:
        self.cursor = cursor
        self.dialect = dialect
        marker = self.marker = dialect.MARKER
        self.head: Head | None = None  # read with the first chunk's look-up
        self.position, self.prev_hash, self.latest = 0, GENESIS_HASH, ""
        now = datetime.now(UTC)
        self.now_text = format_instant(now)
        self.ceiling = format_instant(datetime.fromtimestamp(now.timestamp() + _SKEW_SECONDS, UTC))
        self.kinds: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.links = _LinkGraph(self._lookup)
        self.sources = _SourceCheck()
        self.errors: list[InvalidInput] = []
        self.insert = (
            f"INSERT INTO events ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join([marker] * len(_COLUMNS))})"
        )
        # the current chunk's stored bodies and retraction targets
        self.stored: dict[str, str] = {}
        self.retractable: dict[str, str] = {}
        self.retractions: set[str] = set()  # ids of retraction events (not retractable)
        self.retracting = False  # whether the current chunk retracts any event
        #: the ids the batch has looked up, when the ledger held no event before it
        self.batch_ids: _BatchIds | None = None

    def add(
        self,
        events: Sequence[Event],
        where: Sequence[str],
        progress: Callable[[int], None] | None,
        *,
        expected_version: int | None = None,
    ) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        """Check and insert one chunk; the envelopes and rows it stored (not those already
        there)."""
        envelopes = [event.envelope() for event in events]
        self._look_up(envelopes)
        if expected_version is not None:
            self._check_expected(envelopes, expected_version)
        kept, rows = self._build_rows(events, envelopes, where, progress)
        if rows:
            _insert_rows(self.cursor, self.insert, rows, self.dialect)
        return kept, rows

    def finish(self) -> None:
        """Raise every input error found in the batch, if any."""
        if self.errors:
            raise InvalidInputs.of(self.errors)

    def _look_up(self, envelopes: list[dict[str, Any]]) -> None:
        """Read what the chunk's checks need, each part by an index: the chain head (first
        chunk only), the chunk's ids already stored, the kind and version of the items it
        names, the events it retracts and the sources it cites. A small chunk (a single
        append) asks it all in one statement, a round trip instead of five."""
        referenced = {e["item"] for e in envelopes} | {
            e["data"]["to"] for e in envelopes if e["type"] == "link.added"
        }
        unknown = sorted(referenced - self.kinds.keys())
        retracted = [e["data"]["retracted"] for e in envelopes if e["type"] == "event.retracted"]
        self.retracting = bool(retracted)
        documents = self.sources.unknown(envelopes)
        ids = [e["id"] for e in envelopes]
        if self.batch_ids is not None:  # the ledger was empty: only an id seen before may be
            ids = self.batch_ids.seen_before(ids)
        parts = [
            (_STORED, ids),
            (_ITEMS, unknown),
            (_RETRACTED, retracted),
            (_REGISTERED, documents),
        ]
        if self.head is None:
            parts.insert(0, (_HEAD, []))
        parts = [(query, values) for query, values in parts if values or query is _HEAD]
        if sum(len(values) for _, values in parts) <= _CHUNK:
            rows: Iterable[tuple[Any, ...]] = self._ask(parts)
        else:
            rows = (row for query, values in parts for row in self._ask([(query, values)]))
        self.stored, self.retractable, self.retractions = {}, {}, set()
        found, registered = set(), set()
        head = Head(0, GENESIS_HASH, None)
        for tag, key, text, number in rows:
            if tag == "s":
                self.stored[key] = text
            elif tag == "i":
                self._note_item(key, text, number)
                found.add(key)
            elif tag == "r":
                self.retractable[key] = text
                if number:
                    self.retractions.add(key)
            elif tag == "d":
                registered.add(key)
            else:
                head = Head(number, key, text)
        if self.head is None:
            self.head = head
            self.position, self.prev_hash = head.position, head.hash
            self.latest = head.recorded_at or ""
            if not head.position:
                self.batch_ids = _BatchIds()
                self.batch_ids.seen_before(ids)
        self.sources.registered |= registered
        # items the store does not hold yet have no stored links to read
        self.links.new = set(unknown) - found
        acyclic = [e for e in envelopes if e["type"] == "link.added"]
        if any(_ACYCLIC.get(e["data"]["relation"]) for e in acyclic):  # one query, not one a link
            self.links.load({end for e in acyclic for end in (e["item"], e["data"]["to"])})

    def _ask(self, parts: list[tuple[str, list[str]]]) -> Iterator[tuple[Any, ...]]:
        """The rows of the parts' queries as one UNION ALL, a chunk of values at a time
        when there is one part."""
        if len(parts) == 1 and parts[0][1]:
            yield from self._lookup(*parts[0])
            return
        statement = " UNION ALL ".join(
            query.format(", ".join([self.marker] * len(values))) for query, values in parts
        )
        params = tuple(value for _, values in parts for value in values)
        yield from self.cursor.execute(statement, params).fetchall()

    def _note_item(self, item: str, type_: str, version: int) -> None:
        kind = ITEM_KINDS.get(type_)  # the plain table: no model of the stored type is built
        if kind is None:  # a type that opens no item (a tampered row): the registry's word
            from events import event_class

            kind = event_class(type_).item_kind or "item"
        self.kinds[item] = kind
        self.versions[item] = version

    def _lookup(self, query: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``query`` (with one ``IN ({})`` slot) for all values, a chunk at a time.

        Plain driver SQL: compiling an expanding IN of thousands of bound values through
        the SQL expression layer costs more than running it.
        """
        for chunk in _chunks(values):
            statement = query.format(", ".join([self.marker] * len(chunk)))
            yield from self.cursor.execute(statement, tuple(chunk)).fetchall()

    def _check_expected(self, envelopes: list[dict[str, Any]], expected: int) -> None:
        # the first event's item, past the registrations of the sources it cites
        item = next(
            (e["item"] for e in envelopes if e["type"] != _REGISTRATION),
            envelopes[0]["item"],
        )
        actual = self.versions.get(item, 0)
        if actual != expected:
            raise ConcurrencyError(
                f"item {item!r} is at version {actual}, but version {expected} was expected "
                "(someone else changed it; reload and retry)"
            )

    def _build_rows(
        self,
        events: Sequence[Event],
        envelopes: list[dict[str, Any]],
        where: Sequence[str],
        progress: Callable[[int], None] | None,
    ) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        kept: list[dict[str, Any]] = []
        rows: list[tuple[Any, ...]] = []
        seen: dict[str, dict[str, Any]] = {}
        stored, versions, kinds = self.stored, self.versions, self.kinds
        registered = self.sources.registered
        # earlier events of the chunk are retraction targets only if the chunk retracts
        retractable = self.retractable if self.retracting else None
        position, prev_hash, latest = self.position, self.prev_hash, self.latest
        default = max(self.now_text, latest)  # the transaction time of an event without one
        for index, event in enumerate(events):
            envelope = envelopes[index]
            event_id = envelope["id"]
            if event_id in stored or event_id in seen:
                if self._same_event(envelope, seen):
                    continue
                raise DuplicateEventId(
                    f"{where[index]}: event id {event_id} is already stored with different content"
                )
            seen[event_id] = envelope
            item = envelope["item"]
            kind = kinds.get(item)
            if (  # most events: an item's later event, a registered source; nothing to check
                kind is not None
                and kind != "source"
                and event.recorded_at is None
                and envelope["type"] not in _CHECKED
                and (type(event).item_kind or kind) == kind
                and envelope["source"]["document"] in registered
            ):
                if retractable is not None:
                    retractable[event_id] = item
                recorded = default
            else:
                self.latest = latest
                own = self._check(event, envelope, where[index])
                if own is None:  # go on: one run reports every problem of the batch
                    continue
                if own != default:  # a backfill's own time
                    default = max(self.now_text, own)
                recorded = own
            latest = recorded
            # the rows after an error are built and inserted too (all is rolled back), so
            # later chunks still find the events before them
            position += 1
            version = versions[item] = versions.get(item, 0) + 1
            row = row_values(envelope, position, version, recorded, prev_hash)
            prev_hash = row[-1]
            kept.append(envelope)
            rows.append(row)
        self.position, self.prev_hash, self.latest = position, prev_hash, latest
        if progress is not None and rows:
            progress(len(rows))
        return kept, rows

    def _check(self, event: Event, envelope: dict[str, Any], place: str) -> str | None:
        """The checks of one event that is not an item's plain later event: its
        transaction time (returned), its item, its links or retraction and its source;
        None when it is refused (the error noted)."""
        try:
            if event.recorded_at is not None:
                recorded = format_instant(event.recorded_at)
                if recorded < self.latest:
                    raise InvalidInput(
                        f"recorded_at {recorded} is earlier than the ledger's latest "
                        f"({self.latest}); transaction time may not run backwards",
                        where=place,
                    )
                if recorded > self.ceiling:
                    raise InvalidInput(f"recorded_at {recorded} is in the future", where=place)
            else:
                recorded = max(self.now_text, self.latest)
            self._check_item(event, envelope, place)
            self.sources.check(envelope, self.kinds, place)
        except InvalidInput as error:
            self.errors.append(error)
            return None
        return recorded

    def _same_event(self, envelope: dict[str, Any], seen: dict[str, dict[str, Any]]) -> bool:
        if envelope["id"] in seen:
            return seen[envelope["id"]] == envelope
        stored = loads(self.stored[envelope["id"]])
        for key in ("position", "version", "recorded_at"):
            stored.pop(key, None)
        # an event stored under an older schema is the same event read at the current one
        stored["data"] = upcast(stored["type"], stored["schema"], stored["data"])
        stored["schema"] = current_schema(stored["type"])
        return stored == envelope

    def _check_item(self, event: Event, envelope: dict[str, Any], where: str) -> None:
        item = envelope["item"]
        kind = self.kinds.get(item)
        cls = type(event)
        if kind is None:
            if not cls.creates_item:
                raise UnknownItem(
                    f"item {item!r} does not exist (an item is created by promise.made or by "
                    "its first amendment, law or milestone event)",
                    where=where,
                )
            self.kinds[item] = cls.item_kind or "item"
        elif cls.event_type == "promise.made":
            raise ItemExists(
                f"item {item!r} already exists; promise.made creates an item once", where=where
            )
        elif cls.item_kind is not None and cls.item_kind != kind:
            raise KindMismatch(
                f"item {item!r} is {_article(kind)} {kind}; "
                f"a {cls.event_type} event does not apply",
                where=where,
            )
        data = envelope["data"]
        if envelope["type"] == "link.added":
            if data["to"] not in self.kinds:
                raise UnknownItem(f"link to unknown item {data['to']!r}", where=where)
            if data["to"] == item:
                raise InvalidInput("an item cannot link to itself", where=where)
            self._check_no_cycle(item, data, envelope["id"], where)
        elif envelope["type"] == "event.retracted":
            target = data["retracted"]
            owner = self.retractable.get(target)
            if owner is None:
                raise UnknownEvent(
                    f"cannot retract event {target}: no such event in the ledger", where=where
                )
            if owner != item:
                raise InvalidInput(
                    f"event {target} belongs to item {owner!r}; record the retraction there",
                    where=where,
                )
            if target in self.retractions:
                raise InvalidInput(
                    f"event {target} is itself a retraction, and a retraction cannot be "
                    "retracted; to make the retracted event count again, record it anew "
                    "under a new id",
                    where=where,
                )
            self.retractions.add(envelope["id"])
            self.links.retract(target)
        self.retractable[envelope["id"]] = item

    def _check_no_cycle(self, item: str, data: dict[str, Any], event_id: str, where: str) -> None:
        """Refuse a link that would close a loop of implements, part_of or supersedes."""
        family = _ACYCLIC.get(data["relation"])
        if family is None:
            return
        path = self.links.path(data["to"], item, family)
        if path is not None:
            raise InvalidInput(
                f"link {item!r} {data['relation']} {data['to']!r} would close a cycle of "
                f"{family} links: {' → '.join([item, *path])}",
                where=where,
            )
        self.links.add(item, data["to"], family, event_id)


class _BatchIds:
    """The ids a batch into an empty ledger has looked up, as one bit per id's hash.

    The ledger held no event when the batch took the append lock, so only an id of the
    batch's earlier chunks can be stored: a chunk looks up only the ids whose bit is set
    already (one seen before, or another id's hash colliding), instead of probing the id
    index for all of them (about 1 µs an id, the chunk's costliest question). The set
    stays 1 MiB whatever the batch's size; at a million ids, under 12% of the bits are set.
    """

    BITS = 1 << 23

    def __init__(self) -> None:
        self.bits = bytearray(self.BITS >> 3)

    def seen_before(self, ids: list[str]) -> list[str]:
        """The ids whose bit was set already; every id's bit is set after."""
        bits, mask = self.bits, self.BITS - 1
        maybe = []
        for event_id in ids:
            hashed = hash(event_id) & mask
            byte, bit = hashed >> 3, 1 << (hashed & 7)
            if bits[byte] & bit:
                maybe.append(event_id)
            else:
                bits[byte] |= bit
        return maybe


class _LinkGraph:
    """The live links of the acyclic relations, read from the store only where a check walks.

    A link counts until it is retracted; retractions are recorded on the link's own item,
    so loading an item's links and retractions together gives its live links.
    """

    def __init__(self, lookup: Callable[[str, Sequence[str]], Iterator[tuple[Any, ...]]]) -> None:
        self.lookup = lookup
        #: items the store did not hold when the current chunk was looked up: they have no
        #: stored links to read (the plan sets it for each chunk)
        self.new: set[str] = set()
        self.out: dict[str, list[tuple[str, str, str]]] = {}  # item -> (family, to, event id)
        self.retracted: set[str] = set()

    def load(self, items: Iterable[str]) -> None:
        """Read the stored links and retractions of these items, once each."""
        missing = sorted({item for item in items if item not in self.out})
        if not missing:
            return
        for item in missing:
            self.out[item] = []
        missing = [item for item in missing if item not in self.new]
        if not missing:
            return
        rows = self.lookup(
            "SELECT item, type, body FROM events "
            "WHERE type IN ('link.added', 'event.retracted') AND item IN ({})",
            missing,
        )
        for item, type_, body in rows:
            stored = loads(body)
            data = stored["data"]
            if type_ == "event.retracted":
                self.retracted.add(data["retracted"])
                continue
            data = upcast(type_, stored["schema"], data)
            family = _ACYCLIC.get(data["relation"])
            if family is not None:
                self.out[item].append((family, data["to"], stored["id"]))

    def add(self, item: str, to: str, family: str, event_id: str) -> None:
        self.load([item])
        self.out[item].append((family, to, event_id))

    def retract(self, event_id: str) -> None:
        self.retracted.add(event_id)

    def path(self, start: str, goal: str, family: str) -> list[str] | None:
        """The items from ``start`` to ``goal`` along live links of ``family``, or None.

        Breadth first, one query per level for the items not read yet.
        """
        parents: dict[str, str | None] = {start: None}
        frontier = [start]
        while frontier:
            self.load(frontier)
            reached = []
            for item in frontier:
                for link_family, to, event_id in self.out[item]:
                    if link_family != family or event_id in self.retracted or to in parents:
                        continue
                    parents[to] = item
                    if to == goal:
                        path = [to]
                        while (parent := parents[path[-1]]) is not None:
                            path.append(parent)
                        return path[::-1]
                    reached.append(to)
            frontier = reached
        return None


_REGISTRATION = "source.registered"
#: Types with checks of their own beyond the item's kind and the cited source.
_CHECKED = frozenset({"promise.made", "link.added", "event.retracted", _REGISTRATION})


class _SourceCheck:
    """Every event cites a registered source: one in the ledger, or registered earlier in
    its batch. A source's id is an item of kind ``source`` that takes nothing but its
    registrations (and their retractions); no item links to it."""

    def __init__(self) -> None:
        #: the documents known to be registered (the plan adds what it reads)
        self.registered: set[str] = set()

    def unknown(self, envelopes: list[dict[str, Any]]) -> list[str]:
        """The documents a chunk cites that are not known to be registered yet."""
        return sorted({e["source"]["document"] for e in envelopes} - self.registered)

    def check(self, envelope: dict[str, Any], kinds: dict[str, str], where: str) -> None:
        type_, item = envelope["type"], envelope["item"]
        if type_ == _REGISTRATION:
            self.registered.add(item)
            return
        if kinds.get(item) == "source" and type_ != "event.retracted":
            raise KindMismatch(
                f"item {item!r} is a source; only source.registered (a correction) and "
                "event.retracted apply to it",
                where=where,
            )
        if type_ == "link.added" and kinds.get(envelope["data"]["to"]) == "source":
            raise InvalidInput(
                f"{envelope['data']['to']!r} is a source, not an item; an event cites a "
                "source in its source block instead",
                where=where,
            )
        document = envelope["source"]["document"]
        if document not in self.registered:
            raise UnregisteredSource(
                f"{type_} on {item!r} cites source document {document!r}, which is not "
                f"registered; register it first with a source.registered event for "
                f"{document!r} (earlier in the same file or batch, or already in the ledger)",
                document=document,
                where=where,
            )
