"""What differs on PostgreSQL: engine set-up, the append lock, triggers.

Appends take a transaction-scoped advisory lock before reading the chain head, so that
position order equals commit order and the chain cannot fork between servers' clients.
The store reads and appends through the engine's pooled psycopg connections directly.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text

__all__ = [
    "MARKER",
    "ProcessLock",
    "absolute_url",
    "begin",
    "connect",
    "exists",
    "insert_many",
    "open_connection",
    "peek",
    "probe",
    "schema_statements",
    "stream",
]

APPEND_LOCK_KEY = 0x5245_464C  # "REFL"
#: The driver's parameter marker.
MARKER = "%s"
#: Rows a long read fetches per round trip.
BATCH = 2000


def connect(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


def exists(url: str) -> bool:
    """A server database is there once it accepts a connection; ``probe`` finds out."""
    return True


@contextlib.contextmanager
def probe(url: str, engine: Engine) -> Iterator[Connection]:
    """A connection to look at what the database holds before using it as a ledger.

    The store's own engine will do: connecting to a server database changes nothing.
    """
    with engine.connect() as connection:
        yield connection


@contextlib.contextmanager
def peek(url: str) -> Iterator[None]:
    """No quicker look than ``probe``'s on a server."""
    yield None


def open_connection(url: str, engine: Callable[[], Engine]) -> Any:
    """A pooled psycopg connection for the store's reads and appends."""
    return engine().raw_connection()


def insert_many(cursor: Any, statement: str, columns: Sequence[str], rows: list[Any]) -> None:
    """``COPY … FROM STDIN``: one stream of rows instead of a statement each (the table's
    constraints and triggers apply to it as to an INSERT)."""
    with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def begin(cursor: Any, *, append: bool) -> None:
    """The transaction opens with the first statement; an append's takes the append lock."""
    if append:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK_KEY,))


def stream(
    url: str, engine: Callable[[], Engine], query: str, params: tuple[Any, ...]
) -> Iterator[Any]:
    """Rows of a long read through a server-side cursor, on a connection of their own."""
    connection = engine().raw_connection()
    try:
        cursor = connection.cursor(name="reform_ledger_read")
        cursor.itersize = BATCH
        cursor.execute(query, params)
        yield from cursor
        cursor.close()
    finally:
        connection.rollback()
        connection.close()


def schema_statements() -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION reform_ledger_append_only() RETURNS trigger
           LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION USING MESSAGE = 'events are append-only: ' || TG_OP || ' refused';
           END $$""",
        """CREATE OR REPLACE TRIGGER events_append_only
           BEFORE UPDATE OR DELETE ON events
           FOR EACH ROW EXECUTE FUNCTION reform_ledger_append_only()""",
        """CREATE OR REPLACE TRIGGER events_no_truncate
           BEFORE TRUNCATE ON events
           FOR EACH STATEMENT EXECUTE FUNCTION reform_ledger_append_only()""",
    ]


def absolute_url(url: str) -> str:
    return url


def _lock_key(name: str) -> int:
    """A stable 31-bit advisory lock key per lock name (the append lock has its own)."""
    return int.from_bytes(hashlib.sha256(f"reform-ledger:{name}".encode()).digest()[:4]) >> 1


class ProcessLock:
    """``pg_try_advisory_lock`` held by a session of its own; the server ends the session,
    and drops the lock, when the client's socket closes (also after ``kill -9``). The
    session's ``application_name`` names the owner, for the refusal message."""

    def __init__(self, url: str, name: str, owner: str) -> None:
        from sqlalchemy.pool import NullPool

        from ledger.errors import LockHeld

        self.key = _lock_key(name)
        application = f"reform-ledger {name}, {owner}"[:63]
        self.engine = create_engine(
            url, poolclass=NullPool, connect_args={"application_name": application}
        )
        self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
        ).scalar_one()
        if not got:
            holder = self.connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key "
                    "AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                ),
                {"key": self.key},
            ).scalar_one_or_none()
            self._close()
            raise LockHeld(holder or "another session", "its lock is held in the database")

    def check(self) -> None:
        """Raise ``LockLost`` when the session, and so the lock, is gone."""
        from ledger.errors import LockLost

        try:
            held = self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objid = :key AND pid = pg_backend_pid()"
                ),
                {"key": self.key},
            ).scalar_one()
        except Exception as error:  # noqa: BLE001 - any failure means the session is gone
            raise LockLost(f"its database session failed ({type(error).__name__})") from error
        if not held:
            raise LockLost("the database no longer holds it")

    def _close(self) -> None:
        try:
            self.connection.close()
        finally:
            self.engine.dispose()

    def release(self) -> None:
        # closing the session releases the lock anyway, should unlocking fail
        with contextlib.suppress(Exception):
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        self._close()
