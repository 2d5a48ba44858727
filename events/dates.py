"""Dates of day, month or year precision, and ranges of them.

Sources often say only "September 2020", so an effective date keeps exactly the
precision given: ``2020-09-15``, ``2020-09``, ``2020``, or a range ``2021-09/2021-12``.
A fuzzy date covers an interval of days; comparisons use its bounds. This module owns
parsing and the bounds; it knows nothing of events or storage.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from time import time as _clock

__all__ = [
    "date_bounds",
    "normalize_date",
    "parse_instant",
    "format_instant",
    "end_of_day",
]

_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _part_bounds(text: str) -> tuple[date, date]:
    match = _PART.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        raise ValueError(f"impossible date {text} (month {month} does not exist)")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last)
    if not 1 <= day <= last:
        raise ValueError(f"impossible date {text} (day {day} is out of range for the month)")
    return date(year, month, day), date(year, month, day)


@lru_cache(maxsize=65536)
def date_bounds(text: str) -> tuple[date, date]:
    """First and last day covered by a fuzzy date or range."""
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        start, _ = _part_bounds(start_text)
        _, end = _part_bounds(end_text)
        if end < start:
            raise ValueError(f"range {text} ends before it starts")
        return start, end
    return _part_bounds(text)


def ends_before(first: str, second: str) -> bool:
    """Whether fuzzy date ``first`` is over before ``second`` can have begun: a check the
    event models make (a deadline before its promise) without comparing spans themselves."""
    return date_bounds(first)[1] < date_bounds(second)[0]


def normalize_date(value: object) -> str:
    """Accept a str, int year or ``date`` (as YAML gives them) and return canonical text."""
    if type(value) is str:  # most values: no copy, no further test
        return _normalize_text(value)
    if isinstance(value, str):
        return _normalize_text(str(value))
    if isinstance(value, datetime):
        raise ValueError("a date has no time of day; give YYYY, YYYY-MM or YYYY-MM-DD")
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:04d}"
    else:
        raise ValueError(f"{value!r} is not a date")
    date_bounds(text)
    return text


@lru_cache(maxsize=4096)
def _normalize_text(value: str) -> str:
    """Checked once per distinct text: a bulk import repeats a few thousand dates."""
    text = value.strip()
    date_bounds(text)
    return text


def refuse_future(value: str, what: str) -> str:
    """``value`` unchanged, or a ValueError naming ``what`` when it starts after today
    (a source cannot report what has not begun)."""
    if date_bounds(value)[0] > _today():
        raise ValueError(f"{what} {value} is in the future")
    return value


#: (days since 1970-01-01, that day): today in UTC, made once a day, not once an event
_TODAY: tuple[int, date] = (0, date(1970, 1, 1))


def _today() -> date:
    global _TODAY
    day = int(_clock() // 86_400)  # UTC days (POSIX time has no leap seconds)
    if day != _TODAY[0]:
        _TODAY = (day, date.fromordinal(_EPOCH_ORDINAL + day))
    return _TODAY[1]


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def parse_instant(value: object, *, end_of_date: bool = False) -> datetime:
    """A point in transaction time: an ISO date-time, or a date (its start, or its end)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return end_of_day(value) if end_of_date else datetime.combine(value, time.min, tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            day = date.fromisoformat(text)
            return parse_instant(day, end_of_date=end_of_date)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError(f"{value!r} is not a date or time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    """Fixed-width UTC text, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def period_bounds(text: str) -> tuple[date, date]:
    """Bounds of a reporting period or date: ``2023``, ``2023-Q4``, ``2023-11``, ``2023-11-05``."""
    match = _QUARTER.match(text.strip())
    if match:
        year, quarter = int(match.group(1)), int(match.group(2))
        start = date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        return start, date(year, end_month, calendar.monthrange(year, end_month)[1])
    return date_bounds(text.strip())


__all__ += ["period_bounds"]
