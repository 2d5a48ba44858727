"""The event store: append with hash chain and optimistic concurrency, and reading.

``open_store(url)`` picks the engine from the URL; ``ledger.sqlite`` and
``ledger.postgres`` hold the only dialect differences. An append is one transaction:
it takes the append lock, reads the chain head, checks every event against what is
stored (ids, items, kinds, versions, transaction time), and inserts the whole batch or
nothing. Projections and reports read through ``read``; nothing here computes status.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from events import Event, InvalidInput, InvalidInputs, event_class, format_instant, loads, upcast
from ledger import postgres, sqlite
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
from ledger.mapper import GENESIS_HASH, Record, record_of_row, to_record, to_row
from ledger.tables import ProjectionCheckpoint, StoredEvent, metadata

__all__ = ["AppendResult", "Head", "Store", "open_store", "resolve_url"]

EVENTS = StoredEvent.__table__
CHECKPOINTS = ProjectionCheckpoint.__table__
#: What makes a database a ledger: these tables, with (at least) these columns.
LEDGER_TABLES = (EVENTS, CHECKPOINTS)
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

    built: list[tuple[dict[str, Any], dict[str, Any]]]
    skipped: int

    @property
    def count(self) -> int:
        return len(self.built)

    @cached_property
    def appended(self) -> list[Record]:
        return [record_of_row(envelope, row) for envelope, row in self.built]


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
    except (OperationalError, DBAPIError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StorageError(f"database {_safe(url)}: {reason}") from error


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
        dialect: ModuleType = sqlite
    elif url.startswith("postgresql"):
        dialect = postgres
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
    One empty SELECT per table answers when all is well; only a failure is looked into.
    A missing table is what ``create`` makes; a table of ours without our columns
    belongs to another program, and neither opening nor creating may touch it.
    """
    url = _safe(store.url)
    with store.dialect.probe(store.url, store.engine) as connection:
        for table in LEDGER_TABLES:
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
        self.engine = dialect.connect(url)

    # -- set-up ---------------------------------------------------------------------
    def initialize(self) -> None:
        with translate_db_errors(self.url), self.engine.begin() as connection:
            metadata.create_all(connection, tables=[EVENTS, CHECKPOINTS])
            for statement in self.dialect.schema_statements():
                connection.exec_driver_sql(statement)

    def close(self) -> None:
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
        owner = f"pid {os.getpid()} on {socket.gethostname()}"
        with translate_db_errors(self.url):
            lock = self.dialect.ProcessLock(self.url, name, owner)
        try:
            yield lock
        finally:
            lock.release()

    # -- reading --------------------------------------------------------------------
    def head(self) -> Head:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            return self._head(connection)

    @staticmethod
    def _head(connection: Connection) -> Head:
        row = connection.execute(
            select(EVENTS.c.position, EVENTS.c.hash, EVENTS.c.recorded_at)
            .order_by(EVENTS.c.position.desc())
            .limit(1)
        ).first()
        return Head(*row) if row else Head(0, GENESIS_HASH, None)

    def count(self) -> int:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(EVENTS)).scalar_one()

    def read(
        self, *, after: int = 0, item: str | None = None, types: Sequence[str] | None = None
    ) -> Iterator[Record]:
        """Records in position order, after a position, optionally for one item."""
        query = select(EVENTS.c.body, EVENTS.c.prev_hash, EVENTS.c.hash).where(
            EVENTS.c.position > after
        )
        if item is not None:
            query = query.where(EVENTS.c.item == item)
        if types:
            query = query.where(EVENTS.c.type.in_(list(types)))
        query = query.order_by(EVENTS.c.position)
        with translate_db_errors(self.url), self.engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=2000).execute(
                query
            )
            for body, prev_hash, hash_ in result:
                yield to_record(body, prev_hash, hash_)

    def read_raw(self, *, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """Every stored row with all columns, in position order (for ``verify``)."""
        columns = [EVENTS.c[name] for name in _COLUMNS]
        query = select(*columns).where(EVENTS.c.position > after).order_by(EVENTS.c.position)
        with translate_db_errors(self.url), self.engine.connect() as connection:
            yield from connection.execution_options(stream_results=True, yield_per=2000).execute(
                query
            )

    def find_event(self, event_id: str) -> Record | None:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            row = connection.execute(
                select(EVENTS.c.body, EVENTS.c.prev_hash, EVENTS.c.hash).where(
                    EVENTS.c.event_id == event_id
                )
            ).first()
        return to_record(*row) if row else None

    def hash_at(self, position: int) -> str | None:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            return connection.execute(
                select(EVENTS.c.hash).where(EVENTS.c.position == position)
            ).scalar_one_or_none()

    def items(self) -> list[str]:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(EVENTS.c.item).where(EVENTS.c.version == 1).order_by(EVENTS.c.item)
                ).scalars()
            )

    # -- checkpoints ------------------------------------------------------------------
    def load_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        with translate_db_errors(self.url), self.engine.connect() as connection:
            row = connection.execute(
                select(CHECKPOINTS.c.position, CHECKPOINTS.c.state).where(
                    CHECKPOINTS.c.name == name
                )
            ).first()
        return (row[0], bytes(row[1])) if row else None

    def save_checkpoint(self, name: str, position: int, state: bytes) -> None:
        with translate_db_errors(self.url), self.engine.begin() as connection:
            connection.execute(CHECKPOINTS.delete().where(CHECKPOINTS.c.name == name))
            connection.execute(
                CHECKPOINTS.insert(), {"name": name, "position": position, "state": state}
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
            return AppendResult([], 0)
        where = list(locations) if locations else [f"event {i + 1}" for i in range(len(events))]
        envelopes = [event.envelope() for event in events]
        try:
            with (
                translate_db_errors(self.url),
                self.dialect.lock_for_append(self.engine.connect()) as connection,
                connection.begin(),
            ):
                self.dialect.take_append_lock(connection)
                plan = _AppendPlan(connection, events, envelopes, where)
                if expected_version is not None:
                    plan.check_expected(expected_version)
                built = plan.build_rows(progress)
                _insert_rows(connection, [row for _, row in built])

        except SAIntegrityError as error:  # a unique key clash: someone else appended
            raise ConcurrencyError(
                "another writer appended to the same item at the same time; retry"
            ) from error
        return AppendResult(built, len(events) - len(built))


_COLUMNS = (
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
)


def _placeholder(connection: Connection) -> str:
    """The driver's parameter marker: sqlite3 takes ``?``, psycopg ``%s``."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """The driver's executemany with plain tuples: the bulk path costs what the driver does."""
    marker = _placeholder(connection)
    statement = (
        f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join([marker] * len(_COLUMNS))})"
    )
    tuples = [tuple(row[column] for column in _COLUMNS) for row in rows]
    for start in range(0, len(tuples), 5000):
        connection.exec_driver_sql(statement, tuples[start : start + 5000])


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class _AppendPlan:
    """Checks one batch against the stored log and turns it into rows (inside the lock)."""

    def __init__(
        self,
        connection: Connection,
        events: Sequence[Event],
        envelopes: list[dict[str, Any]],
        where: list[str],
    ) -> None:
        self.connection = connection
        self.events = events
        self.envelopes = envelopes
        self.where = where
        self.head = Store._head(connection)
        self.stored = self._stored_bodies([e["id"] for e in envelopes])
        referenced = {e["item"] for e in envelopes} | {
            e["data"]["to"] for e in envelopes if e["type"] == "link.added"
        }
        self.kinds, self.versions = self._items(referenced)
        retracted = [e["data"]["retracted"] for e in envelopes if e["type"] == "event.retracted"]
        self.retractable: dict[str, str] = {}
        self.retractions: set[str] = set()  # ids of retraction events (not retractable)
        for event_id, item, type_ in self._lookup(
            "SELECT event_id, item, type FROM events WHERE event_id IN ({})", retracted
        ):
            self.retractable[event_id] = item
            if type_ == "event.retracted":
                self.retractions.add(event_id)
        self.links = _LinkGraph(self._lookup, new=referenced - self.kinds.keys())
        acyclic = [e for e in envelopes if e["type"] == "link.added"]
        if any(_ACYCLIC.get(e["data"]["relation"]) for e in acyclic):  # one query, not one a link
            self.links.load({end for e in acyclic for end in (e["item"], e["data"]["to"])})
        self.sources = _SourceCheck(self._lookup, envelopes)

    def _lookup(self, query: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``query`` (with one ``IN ({})`` slot) for all values, a chunk at a time.

        Plain driver SQL: compiling an expanding IN of thousands of bound values through
        the SQL expression layer costs more than running it.
        """
        marker = _placeholder(self.connection)
        for chunk in _chunks(values):
            statement = query.format(", ".join([marker] * len(chunk)))
            yield from self.connection.exec_driver_sql(statement, tuple(chunk))

    def _stored_bodies(self, ids: list[str]) -> dict[str, str]:
        return dict(self._lookup("SELECT event_id, body FROM events WHERE event_id IN ({})", ids))

    def _items(self, items: set[str]) -> tuple[dict[str, str], dict[str, int]]:
        ordered = sorted(items)
        kinds = {
            item: event_class(type_).item_kind or "item"
            for item, type_ in self._lookup(
                "SELECT item, type FROM events WHERE version = 1 AND item IN ({})", ordered
            )
        }
        versions = dict(
            self._lookup(
                "SELECT item, MAX(version) FROM events WHERE item IN ({}) GROUP BY item", ordered
            )
        )
        return kinds, versions

    def check_expected(self, expected: int) -> None:
        # the first event's item, past the registrations of the sources it cites
        item = next(
            (e["item"] for e in self.envelopes if e["type"] != _REGISTRATION),
            self.envelopes[0]["item"],
        )
        actual = self.versions.get(item, 0)
        if actual != expected:
            raise ConcurrencyError(
                f"item {item!r} is at version {actual}, but version {expected} was expected "
                "(someone else changed it; reload and retry)"
            )

    def build_rows(
        self, progress: Callable[[int], None] | None
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        now = datetime.now(UTC)
        now_text = format_instant(now)
        latest = self.head.recorded_at or ""
        ceiling = format_instant(datetime.fromtimestamp(now.timestamp() + _SKEW_SECONDS, UTC))
        position, prev_hash = self.head.position, self.head.hash
        rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
        seen: dict[str, dict[str, Any]] = {}
        errors: list[InvalidInput] = []
        for index, (event, envelope) in enumerate(zip(self.events, self.envelopes, strict=True)):
            where = self.where[index]
            if envelope["id"] in self.stored or envelope["id"] in seen:
                if self._same_event(envelope, seen):
                    continue
                raise DuplicateEventId(
                    f"{where}: event id {envelope['id']} is already stored with different content"
                )
            seen[envelope["id"]] = envelope
            try:
                if event.recorded_at is not None:
                    recorded = format_instant(event.recorded_at)
                    if recorded < latest:
                        raise InvalidInput(
                            f"recorded_at {recorded} is earlier than the ledger's latest "
                            f"({latest}); transaction time may not run backwards",
                            where=where,
                        )
                    if recorded > ceiling:
                        raise InvalidInput(f"recorded_at {recorded} is in the future", where=where)
                else:
                    recorded = max(now_text, latest)
                self._check_item(event, envelope, where)
                self.sources.check(envelope, self.kinds, where)
            except InvalidInput as error:  # go on: one run reports every problem of the batch
                errors.append(error)
                continue
            if errors:
                continue  # nothing will be written: only look for further problems
            latest = recorded
            position += 1
            version = self.versions.get(envelope["item"], 0) + 1
            self.versions[envelope["item"]] = version
            row = to_row(
                envelope,
                position=position,
                version=version,
                recorded_at=recorded,
                prev_hash=prev_hash,
            )
            prev_hash = row["hash"]
            rows.append((envelope, row))
            if progress is not None:
                progress(1)
        if errors:
            raise InvalidInputs.of(errors)
        return rows

    def _same_event(self, envelope: dict[str, Any], seen: dict[str, dict[str, Any]]) -> bool:
        if envelope["id"] in seen:
            return seen[envelope["id"]] == envelope
        stored = loads(self.stored[envelope["id"]])
        for key in ("position", "version", "recorded_at"):
            stored.pop(key, None)
        # an event stored under an older schema is the same event read at the current one
        stored["data"] = upcast(stored["type"], stored["schema"], stored["data"])
        stored["schema"] = event_class(stored["type"]).event_version
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


class _LinkGraph:
    """The live links of the acyclic relations, read from the store only where a check walks.

    A link counts until it is retracted; retractions are recorded on the link's own item,
    so loading an item's links and retractions together gives its live links.
    """

    def __init__(
        self,
        lookup: Callable[[str, Sequence[str]], Iterator[tuple[Any, ...]]],
        *,
        new: set[str],
    ) -> None:
        self.lookup = lookup
        #: items the store does not hold yet: they have no stored links to read
        self.new = new
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


class _SourceCheck:
    """Every event cites a registered source: one in the ledger, or registered earlier in
    its batch. A source's id is an item of kind ``source`` that takes nothing but its
    registrations (and their retractions); no item links to it."""

    def __init__(
        self,
        lookup: Callable[[str, Sequence[str]], Iterator[tuple[Any, ...]]],
        envelopes: list[dict[str, Any]],
    ) -> None:
        documents = sorted({e["source"]["document"] for e in envelopes})
        query = (
            f"SELECT DISTINCT item FROM events WHERE type = '{_REGISTRATION}' AND item IN ({{}})"
        )
        self.registered = {row[0] for row in lookup(query, documents)}

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
