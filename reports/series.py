"""A series of reports, one per period from ``first`` to ``last``, plus the index.

The ledger is read and folded once, and the status projection is evaluated at every
period end in one walk, so the cost of a series is one pass over the events plus the
rendering, not a replay per period. ``cli demo`` and ``report --from/--to`` call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ledger import Store, check_method, evaluate_series
from ledger.memory import gc_paused
from reports.index import render_index
from reports.periods import parse_period, periods_between
from reports.report import (
    FORMATS,
    chart_periods,
    check_formats,
    evaluated_known_at,
    period_context,
    series_dates,
    write_report,
)
from reports.snapshot import load_snapshot

__all__ = ["render_series"]

Progress = Callable[[int], Callable[[int], object] | None]


def render_series(
    store: Store,
    first: str,
    last: str,
    *,
    formats: Iterable[str] | str = FORMATS,
    out: Path,
    progress: Progress | None = None,
    method: str | None = None,
) -> list[Path]:
    """Render every period from ``first`` to ``last`` and the index; return paths written.

    ``progress(total)`` may return a ``tick(n)`` callable, called once per report.
    """
    periods = periods_between(first, last)
    wanted = check_formats(formats)
    out = Path(out)
    with gc_paused():  # hundreds of thousands of acyclic objects: see ledger.memory
        snapshot = load_snapshot(store)
        known = evaluated_known_at(snapshot, None)
        history = chart_periods(snapshot, periods[-1], known)
        dates = series_dates(sorted(set(history) | set(periods)))
        method = check_method(method)
        series = evaluate_series(
            snapshot.knowledge(known), dates, exact={p.end for p in periods}, method=method
        )
        tick = progress(len(periods)) if progress is not None else None
        written: list[Path] = []
        for period in periods:
            context = period_context(
                snapshot,
                parse_period(period),
                as_of=period.end,
                known_at=None,
                series=series,
                method=method,
            )
            written += write_report(context, wanted, out)
            if tick is not None:
                tick(1)
        written += render_index(out, periods=[p.name for p in periods], formats=wanted)
        return written
