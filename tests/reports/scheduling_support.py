"""Helpers of the scheduling tests: a settable clock, a renderer, a child scheduler process.

The scheduler renders through ``reports.render_period`` and ``reports.render_index``.
While the renderer is not in the package yet, ``install_renderer`` puts a small stand-in
there (deterministic bytes written with ``write_atomic``, the same contract); once it is,
the real one is used and the stand-in is never installed.

Run as a script (``python -m tests.reports.scheduling_support MODE URL NOW MARKER``),
this module is a scheduler process with its clock at NOW which, the first time a report
file is about to be renamed into place, creates MARKER and stalls: so a test can kill it,
or signal it, in the middle of rendering.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

import reports
from reports.output import write_atomic

__all__ = ["Clock", "install_renderer", "real_renderer"]


class Clock:
    """A clock the test moves by hand: ``clock.now = …``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def real_renderer() -> bool:
    return hasattr(reports, "render_period") and hasattr(reports, "render_index")


def _stand_in_period(store, period, *, formats=("md", "html"), out, as_of=None, known_at=None):
    written = []
    head = store.head()
    for fmt in formats:
        path = Path(out) / f"{period}.{fmt}"
        body = f"report {period} ({fmt}) at {head.position}:{head.hash}\n" * 2000
        if write_atomic(path, body.encode()):
            written.append(path)
    return written


def _stand_in_index(out, *, formats=("md", "html")):
    names = sorted(
        (p.name for p in Path(out).iterdir() if not p.name.startswith((".", "index."))),
        reverse=True,
    )
    written = []
    for fmt in formats:
        path = Path(out) / f"index.{fmt}"
        if write_atomic(path, ("\n".join(names) + "\n").encode()):
            written.append(path)
    return written


def install_renderer() -> None:
    if not real_renderer():
        reports.render_period = _stand_in_period
        reports.render_index = _stand_in_index


def _child(mode: str, url: str, now: str, marker: str) -> None:
    """A scheduler process that stalls when it first renames a report into place.

    ``once``: ``run_pending``, stalling a minute (long enough to be killed).
    ``serve``: ``serve`` stopped by SIGINT or SIGTERM, stalling a second (a slow report).
    """
    from ledger import open_store
    from reports import serve, stop_on_signals
    from reports.scheduling import run_pending

    install_renderer()
    replace = os.replace
    stalled: list[str] = []

    def stall(source: str, target: str) -> None:
        if not stalled and not Path(target).name.startswith("index."):
            stalled.append(target)
            Path(marker).write_text(f"{source}\n{target}\n")
            time.sleep(60 if mode == "once" else 1)
        replace(source, target)

    os.replace = stall
    clock = Clock(datetime.fromisoformat(now))
    store = open_store(url)
    if mode == "once":
        run_pending(store, clock=clock)
        return
    with stop_on_signals() as stop:
        summary = serve(store, stop=stop, clock=clock, poll_seconds=0.2)
    sys.exit(1 if summary.failed else 0)


if __name__ == "__main__":
    _child(*sys.argv[1:5])
