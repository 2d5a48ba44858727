"""When a schedule's reports fall due: the calendar rule, and the clock that says "now".

A rule fires on day ``day`` of the first month of each period (month, quarter or year) at
``at`` in its time zone. A period's report is due at the rule's first firing at or after
the period's end: on 1 January 2024 at 06:00, a quarterly rule makes 2023-Q4 due.

Pure arithmetic: no database, no job store (APScheduler's cron trigger is used only to
compute firing times). Messages name the rule's own fields (``every``, ``at``, ``day``,
``timezone``); the command line maps them to its options.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reports.errors import InvalidSchedule

__all__ = ["EVERY", "Clock", "ScheduleRule", "local_zone", "system_clock"]

#: The period lengths a schedule can render.
EVERY = ("month", "quarter", "year")
_CRON_MONTHS = {"month": "*", "quarter": "1,4,7,10", "year": "1"}
_AT = re.compile(r"^(\d{1,2}):(\d{2})$")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_zone() -> str:
    """This machine's IANA time zone name, or UTC when it cannot be read."""
    try:
        from tzlocal import get_localzone_name

        return get_localzone_name() or "UTC"
    except Exception:  # noqa: BLE001 - an unreadable local zone setting means UTC
        return "UTC"


@dataclass(frozen=True)
class ScheduleRule:
    """When a schedule fires: day ``day`` of each period's first month at ``at``, in a zone."""

    every: str
    at: str = "06:00"
    day: int = 1
    timezone: str = "UTC"

    @classmethod
    def checked(cls, every: str, at: str, day: int, timezone: str | None) -> ScheduleRule:
        """A rule from user input; ``InvalidSchedule`` names the field and what is allowed."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if every not in EVERY:
            raise InvalidSchedule("every", "use month, quarter or year", every)
        match = _AT.match(at)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise InvalidSchedule("at", "use a time of day HH:MM, e.g. 06:00", at)
        if not 1 <= day <= 28:
            raise InvalidSchedule("day", "use a day between 1 and 28 (valid in every month)", day)
        zone = timezone or local_zone()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidSchedule(
                "timezone", "not a known time zone (e.g. Asia/Almaty)", zone
            ) from None
        return cls(every, f"{int(match[1]):02d}:{match[2]}", day, zone)

    def describe(self) -> str:
        return f"every {self.every}, day {self.day} at {self.at} {self.timezone}"

    def trigger(self) -> Any:
        from apscheduler.triggers.cron import CronTrigger

        hour, minute = self.at.split(":")
        return CronTrigger(
            month=_CRON_MONTHS[self.every],
            day=self.day,
            hour=int(hour),
            minute=int(minute),
            second=0,
            timezone=self.timezone,
        )

    def due_periods(self, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
        """Periods whose report fell due after ``since`` and by ``now``, oldest first."""
        times = self._due_times(since)
        due: list[tuple[str, datetime]] = []
        while True:
            name, due_at = next(times)
            if due_at > now:
                return due
            if due_at > since:
                due.append((name, due_at))

    def next_due(self, after: datetime) -> tuple[str, datetime]:
        """The first period whose report falls due later than ``after``, and when."""
        times = self._due_times(after)
        while True:
            name, due_at = next(times)
            if due_at > after:
                return name, due_at

    def _due_times(self, since: datetime) -> Iterator[tuple[str, datetime]]:
        """(period, due time) from the period before the one holding ``since``, onwards."""
        from zoneinfo import ZoneInfo

        from reports.periods import period_containing

        zone = ZoneInfo(self.timezone)
        trigger = self.trigger()
        period = period_containing(since.astimezone(zone).date(), self.every).previous()
        while True:
            following = period.next()
            start = following.start
            due_at = trigger.get_next_fire_time(
                None, datetime(start.year, start.month, start.day, tzinfo=zone)
            )
            yield period.name, due_at
            period = following
