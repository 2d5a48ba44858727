"""What differs on PostgreSQL: engine set-up, the append lock, triggers.

Appends take a transaction-scoped advisory lock before reading the chain head, so that
position order equals commit order and the chain cannot fork between servers' clients.
The store reads and appends through the engine's pooled psycopg connections directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, text

__all__ = [
    "MARKER",
    "LedgerConnection",
    "ProcessLock",
    "absolute_url",
    "begin",
    "blob_cursor",
    "bulk",
    "commit",
    "connect",
    "exists",
    "insert_many",
    "insert_one",
    "open_connection",
    "peek",
    "probe",
    "rollback",
    "schema_statements",
    "stream",
    "TransactionCursor",
    "write_checkpoints",
]

APPEND_LOCK_KEY = 0x5245_464C  # "REFL"
#: The driver's parameter marker.
MARKER = "%s"
#: Statements with at most this many parameters are prepared (``TransactionCursor``).
PREPARED_PARAMETERS = 32
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


def open_connection(url: str, engine: Callable[[], Engine]) -> LedgerConnection:
    """The store's own psycopg connection for its reads and appends, outside the engine's
    pool, with the engine's connection arguments.

    In autocommit mode: a read is one statement, and a transaction sends its own
    ``BEGIN`` (``TransactionCursor``); the engine's pooled connections stay as SQLAlchemy
    expects them.
    """
    made = engine()
    args, options = made.dialect.create_connect_args(made.url)
    connection = LedgerConnection.connect(*args, **{**options, "autocommit": True})
    # the store prepares its statements itself (``TransactionCursor``); psycopg's own
    # preparing would make it send ``DEALLOCATE ALL`` after a rolled-back transaction,
    # which drops the store's statements too
    connection.prepare_threshold = None
    return connection


def insert_many(cursor: Any, statement: str, columns: Sequence[str], rows: list[Any]) -> None:
    """``COPY … FROM STDIN``: one stream of rows instead of a statement each (the table's
    constraints and triggers apply to it as to an INSERT)."""
    with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@contextlib.contextmanager
def bulk(connection: Any) -> Iterator[None]:
    """Nothing to set for a bulk append: the server's shared buffers serve every session."""
    yield


def insert_one(cursor: Any, statement: str, row: Sequence[Any]) -> None:
    """An append's row goes to the server with the next statement, the ``COMMIT``."""
    cursor.defer(statement, row)


def begin(connection: Any, *, append: bool) -> TransactionCursor:
    """Open a transaction and give its cursor; an append's takes the append lock.

    The ``BEGIN`` (and the lock) go to the server with the transaction's first statement
    and its last statement with the ``COMMIT``: an append of one event waits for the
    server twice.
    """
    cursor = TransactionCursor(connection)
    cursor.defer("BEGIN")
    if append:
        cursor.defer(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")
    return cursor


def write_checkpoints(
    cursor: TransactionCursor, delete: str, insert: str, rows: Sequence[tuple[str, int, bytes]]
) -> None:
    """Replace each named checkpoint row, inside the caller's transaction, with the rows
    bound on the server: a ``bytea`` goes in the binary format. Bound on the client (as
    the transaction's own statements are), a 10 MB state would travel as 20 MB of hex
    inside the SQL text, for the server to parse."""
    cursor.flush()  # the held BEGIN: these statements run inside the transaction
    with psycopg.Cursor(cursor.connection) as binding:
        binding.executemany(delete, [(name,) for name, _, _ in rows])
        binding.executemany(insert, [tuple(row) for row in rows])


def blob_cursor(connection: Any) -> Any:
    """A cursor that reads results in the binary format: in text a ``bytea`` travels as
    two hex digits a byte, which made reading the checkpoints' large rows (the status
    cache, the folded log) about four times slower."""
    return connection.cursor(binary=True)


def commit(connection: Any, cursor: TransactionCursor) -> None:
    cursor.execute("COMMIT")


def rollback(connection: Any) -> None:
    connection.rollback()


class LedgerConnection(psycopg.Connection[Any]):
    """The store's connection: psycopg's, with the statements it has prepared."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: dict[str, str] = {}  # statement text -> name
        self.names = itertools.count(1)


class TransactionCursor(psycopg.ClientCursor[Any]):
    """A cursor that holds statements back and sends them with the next one.

    The statements are bound on the client and sent as one query string, which the server
    runs in order, each with a snapshot of its own: the look-up after the lock sees every
    append committed before the lock was granted. The store's connection is in
    autocommit mode (``open_connection``), so the transaction is the one the held
    ``BEGIN`` opens, and psycopg sends no ``BEGIN`` of its own (another round trip).

    A statement with a few parameters (an append's look-up and insert) runs as a
    prepared statement, prepared with its first use, so the server plans it once per
    session instead of on every append (planning the look-up costs more than running it).
    Prepared statements outlive a rolled-back transaction.
    """

    connection: LedgerConnection

    def __init__(self, connection: LedgerConnection) -> None:
        super().__init__(connection)
        self.pending: list[str] = []
        self.preparing: dict[str, str] = {}

    def defer(self, statement: str, params: Sequence[Any] | None = None) -> None:
        self.pending.extend(self._bound(statement, params))

    def execute(self, query: Any, params: Any = None, **options: Any) -> TransactionCursor:  # type: ignore[override]
        held, self.pending = self.pending, []
        statements = [*held, *self._bound(query, params)]
        super().execute("; ".join(statements), **options)
        for _ in statements[1:]:  # the last statement's result is the one to read
            self.nextset()
        self.connection.prepared.update(self.preparing)
        self.preparing = {}
        return self

    def _bound(self, query: str, params: Sequence[Any] | None) -> list[str]:
        """The statements that run ``query`` with ``params``, bound on the client."""
        if not params:
            return [query]
        if len(params) > PREPARED_PARAMETERS:  # a bulk look-up: a shape of its own
            return [self.mogrify(query, params)]
        statements = []
        name = self.connection.prepared.get(query) or self.preparing.get(query)
        if name is None:
            name = self.preparing[query] = f"reform_ledger_{next(self.connection.names)}"
            numbered = query % tuple(f"${number}" for number in range(1, len(params) + 1))
            statements.append(f"PREPARE {name} AS {numbered}")
        markers = ", ".join(["%s"] * len(params))
        statements.append(self.mogrify(f"EXECUTE {name} ({markers})", params))
        return statements

    def flush(self) -> None:
        """Send the statements held back (the ``BEGIN``…) now, before a statement that
        runs apart from them."""
        if self.pending:
            held, self.pending = self.pending, []
            super().execute("; ".join(held))

    def copy(self, statement: Any, *args: Any, **options: Any) -> Any:
        self.flush()  # COPY runs alone: send what is held first
        return super().copy(statement, *args, **options)


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
