"""One scheduler per ledger: a lock the operating system or the server releases for us.

APScheduler's job stores must never be shared between running schedulers, so
``schedule run`` (and ``run --once``) first take this lock and refuse when another
process holds it:

- a SQLite ledger: ``fcntl.flock`` on a lock file next to the ledger file
  (``ledger.db.scheduler-lock``), which holds the owner's pid for the message;
- a PostgreSQL ledger: ``pg_try_advisory_lock`` on a session connection of its own,
  kept open while the scheduler runs; its ``application_name`` names the owner.

Both are released when the holder exits, also after ``kill -9``: the kernel drops the
flock with the process's file descriptors, the server ends the session (and its advisory
locks) when the client's socket closes. Nothing here renders or schedules anything;
``reports.scheduling`` is the only caller.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reports.errors import ScheduleError

if TYPE_CHECKING:
    from ledger import Store

__all__ = ["SchedulerLock", "scheduler_lock"]

#: Advisory lock key of the scheduler ("REFS"); the append lock is "REFL".
ADVISORY_KEY = 0x5245_4653


class SchedulerLock(Protocol):
    def check(self) -> None:
        """Raise ``ScheduleError`` when the lock has been lost."""

    def release(self) -> None: ...


def _owner() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


class _FileLock:
    """``flock`` on a file next to a SQLite ledger."""

    def __init__(self, ledger: Path) -> None:
        self.path = ledger.with_name(ledger.name + ".scheduler-lock")
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(self.fd)
            raise ScheduleError(
                f"another scheduler is already running on this ledger ({holder}; "
                f"lock file {self.path}); stop it first"
            ) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, _owner().encode(), 0)

    def check(self) -> None:
        """An flock cannot be lost while the descriptor is open."""

    def release(self) -> None:
        os.ftruncate(self.fd, 0)
        os.close(self.fd)  # closing the descriptor releases the flock


class _AdvisoryLock:
    """``pg_try_advisory_lock`` held by a dedicated session of a PostgreSQL ledger."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        name = f"reform-ledger scheduler, {_owner()}"[:63]
        self.engine = create_engine(
            url, poolclass=NullPool, connect_args={"application_name": name}
        )
        self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
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
                {"key": ADVISORY_KEY},
            ).scalar_one_or_none()
            self._close()
            raise ScheduleError(
                f"another scheduler is already running on this ledger "
                f"({holder or 'another session'} holds its lock in the database); stop it first"
            )

    def check(self) -> None:
        from sqlalchemy import text

        try:
            held = self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objid = :key AND pid = pg_backend_pid()"
                ),
                {"key": ADVISORY_KEY},
            ).scalar_one()
        except Exception as error:  # noqa: BLE001 - any failure means the session is gone
            raise ScheduleError(
                f"lost the scheduler lock: its database session failed ({type(error).__name__})"
            ) from error
        if not held:
            raise ScheduleError("lost the scheduler lock: the database no longer holds it")

    def _close(self) -> None:
        try:
            self.connection.close()
        finally:
            self.engine.dispose()

    def release(self) -> None:
        from sqlalchemy import text

        # closing the session releases the lock anyway, should unlocking fail
        with contextlib.suppress(Exception):
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        self._close()


def _acquire(store: Store) -> SchedulerLock:
    from sqlalchemy.engine import make_url

    url = make_url(store.url)
    if url.get_backend_name() == "postgresql":
        return _AdvisoryLock(store.url)
    database = url.database
    if not database or database == ":memory:":
        raise ScheduleError("schedules need a ledger in a file or on a server, not in memory")
    return _FileLock(Path(database).resolve())


@contextmanager
def scheduler_lock(store: Store) -> Iterator[SchedulerLock]:
    """Hold the ledger's scheduler lock, or raise ``ScheduleError`` naming its holder."""
    lock = _acquire(store)
    try:
        yield lock
    finally:
        lock.release()
