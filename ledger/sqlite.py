"""What differs on SQLite: engine set-up, ``BEGIN IMMEDIATE`` for appends, triggers.

Appends open their transaction with ``BEGIN IMMEDIATE`` so two writers never read the
same chain head; reads use a deferred transaction and never block writers (WAL).
Nothing here needs a platform's own module at import time: the process lock asks
``filelock`` for the operating system's file lock when it is taken.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

__all__ = [
    "ProcessLock",
    "absolute_url",
    "connect",
    "exists",
    "lock_for_append",
    "probe",
    "schema_statements",
    "take_append_lock",
]

IMMEDIATE = "reform_ledger_immediate"
#: The first bytes of every SQLite database file (an empty file is an empty database).
HEADER = b"SQLite format 3\x00"


def exists(url: str) -> bool:
    database = make_url(url).database
    return bool(database) and (database == ":memory:" or Path(database).is_file())


@contextmanager
def probe(url: str, engine: Engine) -> Iterator[Connection]:
    """A read-only connection to look at the file before using it as a ledger.

    Not one of ``engine``'s: those switch the file to WAL on connect, and the file may be
    another program's. A file that is not SQLite at all is refused here, in plain words.
    """
    database = make_url(url).database
    if not database or database == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    path = Path(database).resolve()
    with path.open("rb") as file:
        header = file.read(len(HEADER))
    if header and header != HEADER:
        from ledger.errors import StorageError

        raise StorageError(f"database {url}: not a SQLite database file")
    uri = f"{path.as_uri()}?mode=ro"
    reader = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )
    try:
        with reader.connect() as connection:
            yield connection
    finally:
        reader.dispose()


def connect(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def lock_for_append(connection: Connection) -> Connection:
    """Must be called before the transaction begins: it makes the BEGIN immediate."""
    return connection.execution_options(**{IMMEDIATE: True})


def schema_statements() -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS events_no_{verb.lower()}
            BEFORE {verb} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: {verb} refused'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


def take_append_lock(connection: Connection) -> None:
    """Nothing more to do: ``BEGIN IMMEDIATE`` already holds the write lock."""


def absolute_url(url: str) -> str:
    """The URL with the database file's absolute path (jobs run from any folder)."""
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

        database = make_url(url).database
        if not database or database == ":memory:":
            raise StorageError(f"a {name} lock needs a ledger in a file, not in memory")
        ledger = Path(database).resolve()
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
