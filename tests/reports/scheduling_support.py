"""Helpers of the scheduling tests: a settable clock and a child scheduler process.

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

__all__ = ["Clock"]


class Clock:
    """A clock the test moves by hand: ``clock.now = …``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _child(mode: str, url: str, now: str, marker: str) -> None:
    """A scheduler process that stalls when it first renames a report into place.

    ``once``: ``run_pending``, stalling a minute (long enough to be killed).
    ``serve``: ``serve`` stopped by SIGINT or SIGTERM, stalling a second (a slow report).
    """
    from ledger import open_store
    from reports import serve, stop_on_signals
    from reports.scheduling import run_pending

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
