"""One period's report: compute its context once, write it as Markdown and/or HTML.

``render_period`` is what ``reform-ledger report --period`` and the scheduler call. The
status projection is evaluated at the report's as-of date, at the end of the previous
period and at the end of every earlier period of the same kind (for the chart) in one
walk (``ledger.evaluate_series``). Files are written with ``write_atomic``, so a file
whose bytes did not change is left alone and not returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from ledger import (
    METHOD,
    ItemStatus,
    Store,
    check_method,
    evaluate_series,
    parse_as_of,
    parse_known_at,
)
from ledger.memory import gc_paused
from reports.context import ReportContext, build_context
from reports.errors import ReportError
from reports.output import write_text
from reports.periods import Period, parse_period, period_containing, periods_between
from reports.rendering import render
from reports.snapshot import Snapshot, load_snapshot

__all__ = ["FORMATS", "check_formats", "period_context", "render_period", "write_report"]

FORMATS = ("md", "html")


def check_formats(formats: Iterable[str] | str) -> tuple[str, ...]:
    """The requested formats, in a fixed order; ``"md,html"`` is accepted too."""
    if isinstance(formats, str):
        formats = formats.split(",")
    wanted = {f.strip().lower() for f in formats if f.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        raise ReportError(
            f"unknown report format {', '.join(unknown) or '(none)'} (use md, html or md,html)"
        )
    return tuple(f for f in FORMATS if f in wanted)


def _as_of(period: Period, value: str | date | None) -> date:
    if value is None:
        return period.end
    day = parse_as_of(value)
    if not period.start <= day <= period.end:
        raise ReportError(
            f"--as-of {day.isoformat()} is outside {period.name} "
            f"({period.start.isoformat()} to {period.end.isoformat()})"
        )
    return day


def _known_at(value: str | date | datetime | None) -> str | None:
    return None if value is None else parse_known_at(value)


def evaluated_known_at(snapshot: Snapshot, known_at: str | None) -> str:
    """The transaction time the projection is evaluated at: the given one, or all."""
    return known_at if known_at is not None else snapshot.latest_recorded_at


def chart_periods(snapshot: Snapshot, period: Period, known_at: str) -> list[Period]:
    """The periods of ``period``'s kind from the first one with a known event to it."""
    first = snapshot.knowledge(known_at).first_day()
    if first is None or first > period.end:
        return [period]
    return periods_between(period_containing(first, period.kind), period)


def series_dates(periods: Sequence[Period], as_of: date | None = None) -> list[date]:
    dates = {p.end for p in periods} | {periods[0].previous().end}
    if as_of is not None:
        dates.add(as_of)
    return sorted(dates)


def period_context(
    snapshot: Snapshot,
    period: Period,
    *,
    as_of: date,
    known_at: str | None,
    series: dict[date, list[ItemStatus]] | None = None,
    method: str = METHOD,
) -> ReportContext:
    """The context of one report; ``series`` may hold the needed evaluations already."""
    evaluated = evaluated_known_at(snapshot, known_at)
    history = chart_periods(snapshot, period, evaluated)
    if series is None:
        series = evaluate_series(
            snapshot.knowledge(evaluated),
            series_dates(history, as_of),
            exact={as_of},
            method=method,
        )
    return build_context(
        snapshot,
        period,
        as_of=as_of,
        known_at=known_at,
        evaluated_known_at=evaluated,
        series=series,
        chart_periods=history,
        method=method,
    )


def write_report(context: ReportContext, formats: Sequence[str], out: Path) -> list[Path]:
    """Write ``out/<period>.<format>`` for each format; return the files that changed."""
    fields = vars(context)
    written = []
    for fmt in formats:
        path = Path(out) / f"{context.period}.{fmt}"
        if write_text(path, render(f"report.{fmt}", **fields)):
            written.append(path)
    return written


def render_period(
    store: Store,
    period: str,
    *,
    formats: Iterable[str] | str = FORMATS,
    out: Path,
    as_of: str | date | None = None,
    known_at: str | date | datetime | None = None,
    method: str | None = None,
) -> list[Path]:
    """Render one period's report into ``out`` by ``method``'s rules (the newest when
    None); return the paths (re)written."""
    target = parse_period(period)
    wanted = check_formats(formats)
    day = _as_of(target, as_of)
    stated = _known_at(known_at)
    with gc_paused():  # hundreds of thousands of acyclic objects: see ledger.memory
        snapshot = load_snapshot(store)
        context = period_context(
            snapshot, target, as_of=day, known_at=stated, method=check_method(method)
        )
        return write_report(context, wanted, Path(out))
