"""Errors of report rendering and scheduling, under the one root ``events.LedgerError``.

LedgerError
├── ReportError        exit 7   a period that does not parse, an unwritable folder
└── ScheduleError      exit 8   a bad schedule, another scheduler already running
"""

from __future__ import annotations

from events.errors import LedgerError

__all__ = ["ReportError", "ScheduleError"]


class ReportError(LedgerError):
    """Raised when a report cannot be rendered or written."""

    exit_code = 7


class ScheduleError(LedgerError):
    """Raised when a schedule is invalid or the scheduler cannot run."""

    exit_code = 8
