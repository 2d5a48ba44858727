"""Dates as people write them: "16 March 2022", "March 2022", "2021–2023".

The ledger keeps dates of day, month or year precision and ranges of them (``2022-06-05/
2024-03-15``) and instants as fixed-width UTC text; readers of the site see neither form.
These functions only reword a date; they never decide what a date means for a status
(that is the read model's job).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from events import parse_instant
from reports.periods import MONTHS

__all__ = ["human_date", "human_instant", "human_months", "machine_date"]


def _part(text: str) -> tuple[str, str, str]:
    """(day, month word, year) of one date part; empty strings where not given."""
    year, _, rest = text.partition("-")
    month, _, day = rest.partition("-")
    return (
        str(int(day)) if day else "",
        MONTHS[int(month) - 1] if month else "",
        year,
    )


def _words(day: str, month: str, year: str) -> str:
    return " ".join(part for part in (day, month, year) if part)


def human_date(value: str | date | None, missing: str = "—") -> str:
    """``2022-03-16`` → 16 March 2022; ``2022-03`` → March 2022; a range → A–B, sharing
    what both ends share (``2021-09/2021-12`` → September–December 2021)."""
    if value is None or value == "":
        return missing
    return _human_text(value.isoformat() if isinstance(value, date) else str(value))


@lru_cache(maxsize=65536)
def _human_text(text: str) -> str:
    # a site names the same few thousand dates hundreds of thousands of times
    if "/" not in text:
        return _words(*_part(text))
    first, _, last = text.partition("/")
    (d1, m1, y1), (d2, m2, y2) = _part(first), _part(last)
    if y1 == y2 and m1 and m2 and not d1 and not d2:
        return f"{m1}–{m2} {y1}" if m1 != m2 else f"{m1} {y1}"
    if y1 == y2 and m1 == m2 and d1 and d2:
        return f"{d1}–{d2} {m1} {y1}"
    if not (d1 or m1 or d2 or m2):
        return f"{y1}–{y2}"
    return f"{_words(d1, m1, y1)} – {_words(d2, m2, y2)}"


def machine_date(value: str | None) -> str | None:
    """The value for ``<time datetime>`` when the date is one valid HTML date; a range is
    not, and is shown as plain text."""
    if not value or "/" in value:
        return None
    return value


def human_instant(value: str | None, missing: str = "—") -> str:
    """A stored instant as a reader writes it: 15 March 2024 (with the time, in UTC, when
    it is not midnight)."""
    if not value:
        return missing
    moment = parse_instant(value)
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return day
    return f"{day}, {moment.hour:02d}:{moment.minute:02d} UTC"


def human_months(months: int) -> str:
    """12 → "1 year ago"; 15 → "1 year 3 months ago"; 0 → "this month"."""
    if months <= 0:
        return "this month"
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year" + ("s" if years > 1 else ""))
    if rest:
        parts.append(f"{rest} month" + ("s" if rest > 1 else ""))
    return " ".join(parts) + " ago"
