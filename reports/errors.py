"""Errors of report rendering and scheduling, under the one root ``events.LedgerError``.

LedgerError
├── InvalidInput (events)  exit 3
│   ├── InvalidSchedule             a schedule field out of range (every, at, day, …)
│   └── UnknownSchedule             no schedule with that id
├── ReportError            exit 7   a period that does not parse, an unwritable folder
└── ScheduleError          exit 8   another scheduler already running, a lost lock
"""

from __future__ import annotations

from collections.abc import Sequence

from events.errors import InvalidInput, LedgerError

__all__ = ["InvalidSchedule", "ReportError", "ScheduleError", "UnknownSchedule"]


class InvalidSchedule(InvalidInput):
    """Raised when a schedule's field is not allowed; names the field, the value and what is.

    ``field`` is the library's own name (``every``, ``at``, ``day``, ``formats``,
    ``timezone``, ``schedule_id``); ``reason`` says what is allowed.
    """

    def __init__(self, field: str, reason: str, value: object = None) -> None:
        self.field, self.reason, self.value = field, reason, value
        super().__init__(reason, where=field if value is None else f"{field} {value!r}")


class UnknownSchedule(InvalidInput):
    """Raised when no schedule has the id asked for; lists the ids there are."""

    def __init__(self, schedule_id: str, existing: Sequence[str]) -> None:
        self.schedule_id, self.existing = schedule_id, list(existing)
        known = f"schedules: {', '.join(existing)}" if existing else "there are none"
        super().__init__(f"no schedule {schedule_id!r} ({known})")


class ReportError(LedgerError):
    """Raised when a report cannot be rendered or written."""

    exit_code = 7


class ScheduleError(LedgerError):
    """Raised when the scheduler cannot run: another one holds the ledger, or its lock is lost."""

    exit_code = 8
