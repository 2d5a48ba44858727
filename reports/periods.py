"""Reporting periods: years (``2023``), quarters (``2023-Q4``) and months (``2023-11``).

This module owns period arithmetic only: parsing a period's name, its first and last
day (through ``events.period_bounds``), the one before and after it, the periods from
one to another, and the period a day falls in. It knows nothing of the ledger; the
report builders and the scheduler call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from events import period_bounds
from reports.errors import ReportError

__all__ = [
    "MONTHS",
    "Period",
    "latest_complete_period",
    "parse_period",
    "period_containing",
    "periods_between",
]

_PATTERNS = (
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    ("year", re.compile(r"^(\d{4})$")),
)
#: Month names, fixed (the locale's would make reports differ from machine to machine).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
KINDS = ("year", "quarter", "month")


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period; ``name`` is how it is written (``2023-Q4``)."""

    start: date
    end: date
    kind: str
    name: str

    @property
    def label(self) -> str:
        """Plain words: ``October–December 2023``, ``November 2023``, ``2023``."""
        if self.kind == "year":
            return self.name
        first, last = MONTHS[self.start.month - 1], MONTHS[self.end.month - 1]
        if self.kind == "month":
            return f"{first} {self.start.year}"
        return f"{first}–{last} {self.start.year}"

    @property
    def noun(self) -> str:
        return self.kind

    def previous(self) -> Period:
        return self._shift(-1)

    def next(self) -> Period:
        return self._shift(1)

    def _shift(self, step: int) -> Period:
        year = self.start.year
        if self.kind == "year":
            return parse_period(f"{year + step:04d}")
        months = 3 if self.kind == "quarter" else 1
        index = year * 12 + self.start.month - 1 + step * months
        year, month = divmod(index, 12)
        if self.kind == "quarter":
            return parse_period(f"{year:04d}-Q{month // 3 + 1}")
        return parse_period(f"{year:04d}-{month + 1:02d}")

    def __str__(self) -> str:
        return self.name


def parse_period(text: str | Period) -> Period:
    """A period from its name; a clear ``ReportError`` for anything else."""
    if isinstance(text, Period):
        return text
    name = str(text).strip()
    for kind, pattern in _PATTERNS:
        if pattern.match(name):
            try:
                start, end = period_bounds(name)
            except ValueError as error:  # pragma: no cover - the patterns exclude it
                raise ReportError(f"period {name!r}: {error}") from None
            if start.year < 1:
                break
            return Period(start, end, kind, name)
    raise ReportError(
        f"period {name!r} is not a year, quarter or month (use 2023, 2023-Q4 or 2023-11)"
    )


def periods_between(first: str | Period, last: str | Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive, oldest first; both of one kind."""
    start, end = parse_period(first), parse_period(last)
    if start.kind != end.kind:
        raise ReportError(
            f"--from {start.name} and --to {end.name} are not the same kind of period "
            f"({start.kind} and {end.kind})"
        )
    if end.start < start.start:
        raise ReportError(f"--from {start.name} comes after --to {end.name}")
    periods = [start]
    while periods[-1] != end:
        periods.append(periods[-1].next())
    return periods


def period_containing(day: date, kind: str) -> Period:
    """The year, quarter or month that ``day`` falls in."""
    if kind == "year":
        return parse_period(f"{day.year:04d}")
    if kind == "quarter":
        return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    if kind == "month":
        return parse_period(f"{day.year:04d}-{day.month:02d}")
    raise ReportError(f"unknown kind of period {kind!r} (use year, quarter or month)")


def latest_complete_period(kind: str, today: date) -> Period:
    """The last period of ``kind`` that ended before ``today`` (what a schedule reports on)."""
    return period_containing(today, kind).previous()
