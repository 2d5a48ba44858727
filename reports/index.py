"""The index of a report folder: every period's report, newest first, in each format.

``render_index(out)`` lists the reports present in ``out`` (files named after a period,
such as ``2023-Q4.md``) together with any ``periods`` given, and writes ``index.md`` and
``index.html``. It reads no ledger, so the scheduler can call it after every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reports.errors import ReportError
from reports.output import write_text
from reports.periods import KINDS, Period, parse_period
from reports.rendering import render

__all__ = ["render_index"]

_FORMATS = ("md", "html")


@dataclass(frozen=True)
class Entry:
    period: str
    label: str
    kind: str
    start: str
    end: str
    files: list[tuple[str, str]]  # (format, file name)


def _found(out: Path) -> set[Period]:
    periods = set()
    if out.is_dir():
        for path in out.iterdir():
            if path.suffix.lstrip(".") in _FORMATS and path.is_file():
                try:
                    periods.add(parse_period(path.stem))
                except ReportError:
                    continue
    return periods


def render_index(
    out: Path,
    *,
    periods: Iterable[str] | None = None,
    formats: Iterable[str] = _FORMATS,
) -> list[Path]:
    """Write ``out/index.md`` and/or ``out/index.html``; return the files that changed."""
    out = Path(out)
    wanted = [f for f in _FORMATS if f in set(formats)]
    listed = _found(out) | {parse_period(p) for p in periods or ()}
    ordered = sorted(listed, key=lambda p: (p.end, -KINDS.index(p.kind), p.name), reverse=True)
    entries = []
    for period in ordered:
        files = [
            (fmt, f"{period.name}.{fmt}")
            for fmt in _FORMATS
            if (out / f"{period.name}.{fmt}").is_file()
        ]
        entries.append(
            Entry(
                period.name,
                period.label,
                period.kind,
                period.start.isoformat(),
                period.end.isoformat(),
                files,
            )
        )
    written = []
    for fmt in wanted:
        path = out / f"index.{fmt}"
        if write_text(path, render(f"index.{fmt}", entries=entries)):
            written.append(path)
    return written
