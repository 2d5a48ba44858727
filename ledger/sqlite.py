"""What differs on SQLite: connections, ``BEGIN IMMEDIATE`` for appends, triggers.

Appends open their transaction with ``BEGIN IMMEDIATE`` so two writers never read the
same chain head; reads use a deferred transaction and never block writers (WAL).
The store reads and appends through the standard library's ``sqlite3`` directly, so a
command that only reads or records never imports SQLAlchemy; the SQLAlchemy engine
(``connect``) serves table creation and the scheduler's job store.
Nothing here needs a platform's own module at import time: the process lock asks
``filelock`` for the operating system's file lock when it is taken.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

__all__ = [
    "MARKER",
    "ProcessLock",
    "absolute_url",
    "begin",
    "blob_cursor",
    "bulk",
    "commit",
    "connect",
    "database",
    "exists",
    "insert_many",
    "insert_one",
    "open_connection",
    "peek",
    "probe",
    "rollback",
    "schema_statements",
    "stream",
    "write_checkpoints",
]

#: The driver's parameter marker.
MARKER = "?"
#: Seconds a writer waits for another's lock before giving up.
TIMEOUT = 60
#: The page cache of a bulk append, in KiB (SQLite's default is 2,000 KiB).
BULK_CACHE_KIB = 65_536


def database(url: str) -> str | None:
    """The database file a ``sqlite://`` URL names (None or ``:memory:`` for memory)."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    if any(mark in rest for mark in "?#@%"):  # anything unusual: SQLAlchemy's parser
        from sqlalchemy.engine import make_url

        return make_url(url).database
    path = rest[1:] if rest.startswith("/") else rest
    return path or None


def exists(url: str) -> bool:
    path = database(url)
    return bool(path) and (path == ":memory:" or Path(path).is_file())


def _in_file(url: str) -> bool:
    path = database(url)
    return bool(path) and path != ":memory:"


def _check_header(url: str, path: Path, connection: sqlite3.Connection | None = None) -> None:
    """Refuse a file that is not SQLite at all, asking SQLite itself (on ``connection``, or
    on a read-only one of its own).

    Never by opening the file with Python: closing any descriptor of a database file drops
    every POSIX lock this process holds on it, the shared locks of its SQLite connections
    included (SQLite cannot know); another process closing its last connection then finds
    itself alone, checkpoints and deletes the WAL and shared memory under those
    connections, whose next read fails with "disk I/O error".
    """
    own = connection is None
    if connection is None:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA schema_version")
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            from ledger.errors import StorageError

            raise StorageError(f"database {url}: not a SQLite database file") from None
        # anything else (a locked or unreadable file) is for the caller's own look to meet
    finally:
        if own:
            connection.close()


@contextmanager
def probe(url: str, engine: Engine) -> Iterator[Connection]:
    """A read-only connection to look at the file before using it as a ledger.

    Not one of ``engine``'s: those switch the file to WAL on connect, and the file may be
    another program's. A file that is not SQLite at all is refused here, in plain words.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    path = database(url)
    if not path or path == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    resolved = Path(path).resolve()
    _check_header(url, resolved)
    uri = f"{resolved.as_uri()}?mode=ro"
    reader = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )
    try:
        with reader.connect() as connection:
            yield connection
    finally:
        reader.dispose()


@contextmanager
def peek(url: str) -> Iterator[sqlite3.Connection | None]:
    """The quick look of ``probe`` through ``sqlite3`` alone (None: use ``probe``)."""
    if not _in_file(url):
        yield None
        return
    resolved = Path(database(url) or "").resolve()
    connection = sqlite3.connect(f"{resolved.as_uri()}?mode=ro", uri=True)
    try:
        _check_header(url, resolved, connection)
        yield connection
    finally:
        connection.close()


def open_connection(url: str, engine: Any) -> Any:
    """A DB-API connection for the store's reads and appends (``engine``: a callable
    giving the SQLAlchemy engine, used only for an in-memory database, which lives in
    the engine's one connection)."""
    if not _in_file(url):
        return engine().raw_connection()
    connection = sqlite3.connect(
        database(url) or "", timeout=TIMEOUT, isolation_level=None, check_same_thread=False
    )
    _set_up(connection)
    return connection


def _set_up(connection: Any) -> None:
    """Every connection, the store's and the engine's: WAL, full sync, a patient lock."""
    connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={TIMEOUT * 1000}")
    cursor.close()


@contextmanager
def bulk(connection: Any) -> Iterator[None]:
    """A large page cache for one bulk append, then the connection's own again.

    Each row of an import lands at a random place in the event id index: with SQLite's
    default cache of 2 MB, the transaction spills dirty index pages to the WAL and reads
    them back, chunk after chunk. A cache that holds the indexes' working set keeps them
    in memory until the commit (measured: 1 to 2 µs less CPU an event of 100,000;
    ``docs/benchmarks.md``). It grows only as pages are used, and shrinks again after
    the commit.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA cache_size")
    (previous,) = cursor.fetchone()
    cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size={int(previous)}")
        cursor.close()


def insert_many(cursor: Any, statement: str, columns: Sequence[str], rows: list[Any]) -> None:
    """``executemany`` a few thousand rows at a time."""
    for start in range(0, len(rows), 5000):
        cursor.executemany(statement, rows[start : start + 5000])


def insert_one(cursor: Any, statement: str, row: Sequence[Any]) -> None:
    cursor.execute(statement, row)


def begin(connection: Any, *, append: bool) -> Any:
    """Open a transaction and give its cursor; an append's takes the write lock at once."""
    cursor = connection.cursor()
    cursor.execute("BEGIN IMMEDIATE" if append else "BEGIN")
    return cursor


def write_checkpoints(
    cursor: Any, delete: str, insert: str, rows: Sequence[tuple[str, int, bytes]]
) -> None:
    """Replace each named checkpoint row, inside the caller's transaction."""
    for name, position, state in rows:
        cursor.execute(delete, (name,))
        cursor.execute(insert, (name, position, state))


def blob_cursor(connection: Any) -> Any:
    """A cursor for reading large blobs (checkpoints): SQLite's own, as for any read."""
    return connection.cursor()


def commit(connection: Any, cursor: Any) -> None:
    connection.commit()


def rollback(connection: Any) -> None:
    connection.rollback()


def stream(url: str, engine: Any, query: str, params: tuple[Any, ...]) -> Iterator[Any]:
    """Rows of a long read, on a connection of their own (the reader may append meanwhile)."""
    connection = open_connection(url, engine)
    try:
        yield from connection.execute(query, params)
    finally:
        if _in_file(url):
            connection.close()


def connect(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"timeout": TIMEOUT})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        _set_up(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def schema_statements() -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS events_no_{verb.lower()}
            BEFORE {verb} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: {verb} refused'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


def absolute_url(url: str) -> str:
    """The URL with the database file's absolute path (jobs run from any folder)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.render_as_string(hide_password=False)


class ProcessLock:
    """An exclusive file lock on ``<ledger file>.<name>-lock``, through ``filelock``.

    ``filelock`` takes the operating system's own lock (``flock`` on Linux and macOS,
    ``LockFileEx`` on Windows), which the kernel drops when the process dies, also after
    ``kill -9``. The holder's pid and host go to ``<ledger file>.<name>-lock.owner``, for
    the refusal message: a separate file, because a locked byte range cannot be read on
    Windows and ``filelock`` manages the lock file's content itself.
    """

    def __init__(self, url: str, name: str, owner: str) -> None:
        from filelock import FileLock, Timeout

        from ledger.errors import LockHeld, StorageError

        path = database(url)
        if not path or path == ":memory:":
            raise StorageError(f"a {name} lock needs a ledger in a file, not in memory")
        ledger = Path(path).resolve()
        self.path = ledger.with_name(f"{ledger.name}.{name}-lock")
        self.owner_path = self.path.with_name(f"{self.path.name}.owner")
        # not thread-local: a lock taken by one thread is released by whichever stops it
        self.lock = FileLock(self.path, timeout=0, thread_local=False)
        try:
            self.lock.acquire()
        except Timeout:
            raise LockHeld(self._holder() or "unknown", f"lock file {self.path}") from None
        except OSError as error:
            raise StorageError(f"cannot lock {self.path}: {error.strerror or error}") from None
        # the lock holds without it; a refusal would then name no holder
        with contextlib.suppress(OSError):
            self.owner_path.write_text(owner, encoding="utf-8")

    def _holder(self) -> str:
        try:
            return self.owner_path.read_text(encoding="utf-8", errors="replace").strip()[:200]
        except OSError:
            return ""

    def check(self) -> None:
        """An operating system's file lock cannot be lost while its file is open."""

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.owner_path.unlink()
        self.lock.release()
