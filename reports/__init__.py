"""Report building and scheduling: rendering periods and their index, APScheduler jobs.

Imports ``events`` and ``ledger``; never ``cli``.
"""

from reports.errors import ReportError, ScheduleError
from reports.scheduling import (
    RunSummary,
    ScheduleInfo,
    add_schedule,
    list_schedules,
    remove_schedule,
    run_pending,
    serve,
    stop_on_signals,
)

__all__ = [
    "ReportError",
    "RunSummary",
    "ScheduleError",
    "ScheduleInfo",
    "add_schedule",
    "list_schedules",
    "remove_schedule",
    "run_pending",
    "serve",
    "stop_on_signals",
]
