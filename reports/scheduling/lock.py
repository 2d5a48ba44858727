"""One scheduler per ledger, on the store's ledger-wide process lock.

APScheduler's job stores must never be shared between running schedulers, so ``serve``
and ``run_pending`` first take the ledger's ``scheduler`` lock and refuse, naming the
holder, when another process has it. The lock itself lives with the engines
(``ledger.sqlite``: the operating system's file lock on a file next to the ledger, through
``filelock``; ``ledger.postgres``: an advisory lock on a session of its own); both are
released when the holder dies, also after ``kill -9``. Only ``reports.scheduling`` calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ledger import LockHeld, LockLost
from reports.errors import ScheduleError

if TYPE_CHECKING:
    from ledger import Store

__all__ = ["SchedulerLock", "scheduler_lock"]


class SchedulerLock:
    """The held lock; ``check()`` raises ``ScheduleError`` once it has been lost."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def check(self) -> None:
        try:
            self._lock.check()
        except LockLost as error:
            raise ScheduleError(f"lost the scheduler lock: {error}") from error


@contextmanager
def scheduler_lock(store: Store) -> Iterator[SchedulerLock]:
    """Hold the ledger's scheduler lock, or raise ``ScheduleError`` naming its holder."""
    try:
        with store.process_lock("scheduler") as lock:
            yield SchedulerLock(lock)
    except LockHeld as error:
        raise ScheduleError(
            f"another scheduler is already running on this ledger ({error.holder}; "
            f"{error.detail}); stop it first"
        ) from None
