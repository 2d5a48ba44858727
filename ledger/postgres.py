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
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.generators import fetch_many, send
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
    cursor.execute(statement, row)


def begin(connection: LedgerConnection, *, append: bool) -> TransactionCursor:
    """Open a transaction and give its cursor; an append's takes the append lock.

    The ``BEGIN`` (and the lock) go to the server with the transaction's first read,
    and its last statements with the ``COMMIT``: an append of one event waits for the
    server twice.
    """
    cursor = TransactionCursor(connection)
    cursor.queue("BEGIN")
    if append:
        cursor.queue(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})", ())
    return cursor


def write_checkpoints(
    cursor: TransactionCursor, delete: str, insert: str, rows: Sequence[tuple[str, int, bytes]]
) -> None:
    """Replace each named checkpoint row, inside the caller's transaction, with the rows
    bound on the server by psycopg: a ``bytea`` goes in the binary format (in text, a
    10 MB state would travel as 20 MB of hex for the server to parse)."""
    binding = cursor.unqueued()
    binding.executemany(delete, [(name,) for name, _, _ in rows])
    binding.executemany(insert, [tuple(row) for row in rows])


def blob_cursor(connection: Any) -> Any:
    """A cursor that reads results in the binary format: in text a ``bytea`` travels as
    two hex digits a byte, which made reading the checkpoints' large rows (the status
    cache, the folded log) about four times slower."""
    return connection.cursor(binary=True)


def commit(connection: Any, cursor: TransactionCursor) -> None:
    cursor.commit()


def rollback(connection: LedgerConnection) -> None:
    """Roll back, first reading whatever a failed transaction left in its pipeline."""
    if connection.pipelined is not None:
        with contextlib.suppress(psycopg.Error):  # the error that failed it is raised already
            connection.pipelined.leave()
    connection.rollback()


class LedgerConnection(psycopg.Connection[Any]):
    """The store's connection: psycopg's, with the statements it has prepared."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: dict[str, bytes] = {}  # statement text -> name
        self.names = itertools.count(1)
        #: the transaction whose statements are queued in pipeline mode, if any
        self.pipelined: TransactionCursor | None = None
        #: the client encoding (Python's name), for the statements' own text
        self.encoding = self.info.encoding
        #: psycopg's own adapters, for the queued statements' parameters and rows
        self.adapt = Transformer.from_context(self)


class TransactionCursor:
    """A transaction's statements, queued in libpq's pipeline mode and sent together.

    Each statement is bound on the server (the extended protocol, parameters in the
    text format as psycopg's own adapters write them, no quoting on the client; rows
    loaded by the same adapters) and queued; the queue goes to the server in
    one write when a result is read (an append's look-up), and when the transaction
    commits. The server runs the statements in order, each with a snapshot of its own:
    the look-up after the lock sees every append committed before the lock was granted.
    The store's connection is in autocommit mode (``open_connection``), so the
    transaction is the one the queued ``BEGIN`` opens.

    A statement with a few parameters (an append's look-up and insert) runs as a
    prepared statement, prepared with its first use, so the server plans it once per
    session instead of on every append (planning the look-up costs more than running it).
    Prepared statements outlive a rolled-back transaction; a name is kept once the
    server said it prepared it.

    Driving libpq directly (psycopg's ``pq`` layer and its ``generators``, which are
    lower-level than its cursors: the package pins the psycopg minor versions this is
    tested with), not psycopg's cursor in its own pipeline mode: that costs
    about 70 µs more client CPU an append than the statements bound on the client as one
    query string did, this about 100 µs less. What psycopg does well, long look-ups,
    ``COPY`` and binary parameters, runs on psycopg's cursor after the pipeline is left
    (``unqueued``).
    """

    def __init__(self, connection: LedgerConnection) -> None:
        self.connection = connection
        self.pgconn = connection.pgconn
        self.pgconn.enter_pipeline_mode()
        connection.pipelined = self
        #: what each queued command answers: a prepared statement's name, or None
        self.expected: list[tuple[str, bytes] | None] = []
        self.rows: list[tuple[Any, ...]] = []
        self.cursor: psycopg.Cursor[Any] | None = None
        self.failure: psycopg.Error | None = None  # the first statement that failed

    def queue(self, query: str, params: Sequence[Any] | None = None) -> None:
        """Queue ``query``; with ``params`` (even none), as a prepared statement."""
        pgconn, encoding = self.pgconn, self.connection.encoding
        if params is None:
            pgconn.send_query_params(query.encode(encoding), None)
            self.expected.append(None)
            return
        name = self.connection.prepared.get(query)
        if name is None:
            name = b"reform_ledger_%d" % next(self.connection.names)
            numbered = query % tuple(f"${number}" for number in range(1, len(params) + 1))
            pgconn.send_prepare(name, numbered.encode(encoding))
            self.expected.append((query, name))
        text = [PyFormat.TEXT] * len(params)
        pgconn.send_query_prepared(name, self.connection.adapt.dump_sequence(params, text))
        self.expected.append(None)

    def execute(self, query: str, params: Sequence[Any] | None = None) -> Any:
        """Run ``query``: queued if it has a few parameters, its result read with
        ``fetchall`` (which sends the queue); else on psycopg's cursor."""
        if self.cursor is not None or (params and len(params) > PREPARED_PARAMETERS):
            return self.unqueued().execute(query, params)
        self.queue(query, params or ())
        self.rows = []
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        """The last queued statement's rows, sending the queue and waiting for it."""
        if self.expected:
            self.pgconn.send_flush_request()
            self._read()
        rows, self.rows = self.rows, []
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def unqueued(self) -> psycopg.Cursor[Any]:
        """psycopg's cursor, in the same transaction, for what follows: the queue is
        sent first and pipeline mode left."""
        if self.cursor is None:
            self.leave()
            self.cursor = psycopg.Cursor(self.connection)
        return self.cursor

    def copy(self, statement: Any, *args: Any, **options: Any) -> Any:
        return self.unqueued().copy(statement, *args, **options)

    def commit(self) -> None:
        if self.cursor is not None:
            self.cursor.execute("COMMIT")
            return
        self.queue("COMMIT")
        self.leave()

    def leave(self) -> None:
        """Send the queue with a sync point, read every result and leave pipeline mode;
        raise the first statement's error."""
        if self.connection.pipelined is not self:
            return
        self.connection.pipelined = None
        pgconn = self.pgconn
        pgconn.pipeline_sync()
        try:
            self._read()
            results = self.connection.wait(fetch_many(pgconn))  # the sync point's
            if results[0].status != pq.ExecStatus.PIPELINE_SYNC:
                raise psycopg.InterfaceError(f"unexpected result {results[0].status.name}")
        finally:
            pgconn.exit_pipeline_mode()
        if self.failure is not None:
            raise self.failure

    def _read(self) -> None:
        """Send the queue and read every queued command's results, noting the first
        error; the last command's rows are kept."""
        connection, pgconn = self.connection, self.pgconn
        if pgconn.flush():  # the socket took part of the queue: wait to send the rest
            connection.wait(send(pgconn))
        expected, self.expected = self.expected, []
        last = len(expected) - 1
        for index, prepared in enumerate(expected):
            for result in connection.wait(fetch_many(pgconn)):
                status = result.status
                if status == pq.ExecStatus.FATAL_ERROR:
                    if self.failure is None:
                        self.failure = psycopg.errors.error_from_result(
                            result, encoding=connection.encoding
                        )
                elif prepared is not None:
                    if status == pq.ExecStatus.COMMAND_OK:
                        connection.prepared[prepared[0]] = prepared[1]
                elif index == last:
                    self.rows = _rows(connection.adapt, result)
        if self.failure is not None and self.connection.pipelined is self:
            self.leave()


def _rows(adapt: Transformer, result: pq.abc.PGresult) -> list[tuple[Any, ...]]:
    """A result's rows, loaded by psycopg's adapters (none when it returns no rows)."""
    if result.status != pq.ExecStatus.TUPLES_OK:
        return []
    adapt.set_pgresult(result)
    return adapt.load_rows(0, result.ntuples, tuple)


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
