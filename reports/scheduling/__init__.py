"""Scheduled report generation: APScheduler 3.x jobs kept in the ledger's own database.

One public face over one module per concern:

- ``rule``: when a period's report falls due (``ScheduleRule``), and the clock;
- ``jobs``: the job store, schedules as APScheduler jobs in ``SQLAlchemyJobStore``
  (``add_schedule``, ``list_schedules``, ``remove_schedule``);
- ``runner``: one schedule's run, the catch-up over all of them, ``run_pending``;
- ``service``: the foreground scheduler (``serve``) and its signals;
- ``runs``: the run log (table ``schedule_runs``), each schedule's watermark;
- ``lock``: one scheduler per ledger, on the store's process lock.

Import from here (or from ``reports``), not from the modules: they may move. What may
never move is ``run_job`` below, because every stored job names it by its path.

Who calls it: ``cli.py`` (the ``schedule`` commands) and APScheduler (``run_job``).
"""

from __future__ import annotations

from typing import Any

from reports.scheduling.jobs import (
    JOB_FUNCTION,
    JOB_OPTIONS,
    ScheduleInfo,
    add_schedule,
    list_schedules,
    remove_schedule,
)
from reports.scheduling.lock import SchedulerLock, scheduler_lock
from reports.scheduling.rule import EVERY, ScheduleRule, system_clock
from reports.scheduling.runner import (
    NextRun,
    RunResult,
    RunSummary,
    run_pending,
    run_stored_job,
)
from reports.scheduling.service import serve, stop_on_signals

__all__ = [
    "EVERY",
    "JOB_FUNCTION",
    "JOB_OPTIONS",
    "NextRun",
    "RunResult",
    "RunSummary",
    "ScheduleInfo",
    "ScheduleRule",
    "SchedulerLock",
    "add_schedule",
    "list_schedules",
    "remove_schedule",
    "run_job",
    "run_pending",
    "scheduler_lock",
    "serve",
    "stop_on_signals",
    "system_clock",
]


def run_job(**kwargs: Any) -> RunResult:
    """The job APScheduler runs: render whatever this schedule has due, then the index.

    Every stored job names this function as ``reports.scheduling:run_job`` (the job store
    pickles that reference and the plain keyword arguments), so it lives here, at the
    package's top, whatever the modules behind it are called. Jobs stored before the
    package was split name the same path and keep loading.
    """
    return run_stored_job(**kwargs)
