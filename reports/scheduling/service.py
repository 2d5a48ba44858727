"""The foreground scheduler (``schedule run``): catch up, then let APScheduler fire.

It holds the ledger's scheduler lock for as long as it runs, checks every
``poll_seconds`` that it still holds it, and re-reads the job store so schedules added or
removed meanwhile are picked up. SIGINT or SIGTERM (``stop_on_signals``) sets the stop
flag: the run in flight stops after the period it is rendering, and the rest is rendered
on the next start.

Who calls it: ``cli.py`` (``schedule run``) and the tests.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ledger.store import translate_db_errors
from reports.scheduling import runs
from reports.scheduling.jobs import new_scheduler
from reports.scheduling.lock import scheduler_lock
from reports.scheduling.rule import Clock, system_clock
from reports.scheduling.runner import (
    RunResult,
    RunSummary,
    catch_up,
    lend_to_jobs,
    prepare_jobs,
)

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from ledger import Store
    from reports.scheduling.lock import SchedulerLock

__all__ = ["serve", "stop_on_signals"]

log = logging.getLogger("reform_ledger.schedule")


def serve(
    store: Store,
    *,
    stop: threading.Event,
    clock: Clock = system_clock,
    poll_seconds: float = 30.0,
    ready: threading.Event | None = None,
) -> RunSummary:
    """Catch up, then fire schedules until ``stop`` is set; return what every run did.

    Stopping waits for the run in flight, which itself stops after the period it is
    rendering. ``ready`` is set once the catch-up is done and APScheduler fires jobs.
    """
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

    with translate_db_errors(store.url), scheduler_lock(store) as lock:
        scheduler = new_scheduler(store)
        runs.mark_interrupted(store.engine)
        summary = RunSummary()

        def collect(event: JobExecutionEvent) -> None:
            if event.exception is not None:
                summary.results.append(RunResult(event.job_id, error=str(event.exception)))
            elif isinstance(event.retval, RunResult) and event.retval.periods:
                summary.results.append(event.retval)

        scheduler.add_listener(collect, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.start(paused=True)
        with lend_to_jobs(clock, stop):
            try:
                jobs = prepare_jobs(store, scheduler)
                log.info("scheduler running on %s with %d schedule(s)", store.url, len(jobs))
                first = catch_up(store, jobs, clock, stop)
                summary.results += first.results
                summary.waiting, summary.schedules = first.waiting, first.schedules
                if not stop.is_set():
                    scheduler.resume()
                if ready is not None:
                    ready.set()
                _wait(stop, lock, scheduler, poll_seconds)
            finally:
                scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
    return summary


def _wait(
    stop: threading.Event,
    lock: SchedulerLock,
    scheduler: BackgroundScheduler,
    poll_seconds: float,
) -> None:
    """Until ``stop``: every ``poll_seconds``, check the lock and re-read the job store."""
    next_check = time.monotonic() + poll_seconds
    while not stop.is_set():
        time.sleep(0.1)
        if time.monotonic() >= next_check:
            lock.check()
            scheduler.wakeup()
            next_check = time.monotonic() + poll_seconds


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM; a second one acts as usual (stop now)."""
    stop = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def handle(signum: int, _frame: Any) -> None:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in signals:
        signal.signal(sig, handle)
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
