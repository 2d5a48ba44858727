"""Running schedules: one schedule's run, the catch-up over all of them, and ``run --once``.

A run renders nothing itself: it calls the same library functions ``reform-ledger
report`` calls (``render_period`` and the index renderer), with the same defaults, so a
scheduled report is byte-for-byte the one a person would render.

What to render is decided by the run, never by the trigger: every period whose due time
is later than the schedule's watermark (the due time of the last period it completed,
kept in the run log, or the time it was added) and not later than now. So a scheduler
that was down for two quarter ends renders both on its next start, and a firing with
nothing due does nothing. Catch-up runs every schedule that way, oldest periods first; it
is what ``run_pending`` does, and what ``serve`` does before letting APScheduler fire.

Who calls it: the package's ``run_job`` (APScheduler's job function), ``serve`` and
``run_pending``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events.errors import LedgerError
from ledger.store import translate_db_errors
from reports.scheduling import runs
from reports.scheduling.jobs import SITE, JobSpec, job_store, point_at, spec_of
from reports.scheduling.lock import scheduler_lock
from reports.scheduling.rule import Clock, system_clock

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.schedulers.background import BackgroundScheduler

    from ledger import Store

__all__ = [
    "STALE_TEMPORARY_SECONDS",
    "JobContext",
    "NextRun",
    "RunResult",
    "RunSummary",
    "catch_up",
    "job_context",
    "lend_to_jobs",
    "prepare_jobs",
    "run_pending",
    "run_schedule",
    "run_stored_job",
]

log = logging.getLogger("reform_ledger.schedule")

#: A temporary file of ``write_atomic`` older than this was left by a killed run.
STALE_TEMPORARY_SECONDS = 600


@dataclass(frozen=True)
class NextRun:
    """A schedule with nothing due now: the period it renders next, and when."""

    schedule_id: str
    period: str
    due_at: datetime

    def describe(self) -> str:
        """``2024-04-01 06:00 UTC (2024-Q1)``, in the schedule's own time zone."""
        return f"{self.due_at.strftime('%Y-%m-%d %H:%M %Z')} ({self.period})"


@dataclass
class RunResult:
    """What one schedule's run did."""

    schedule_id: str
    periods: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    error: str | None = None
    #: stopped on request (SIGINT, SIGTERM) before every due period was rendered
    stopped: bool = False
    #: when nothing was due: what falls due next
    next_run: NextRun | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RunSummary:
    """What a catch-up (or a serving scheduler) did, over every schedule."""

    #: the runs that had something to do, or failed
    results: list[RunResult] = field(default_factory=list)
    #: the schedules that had nothing due, with what falls due next
    waiting: list[NextRun] = field(default_factory=list)
    #: how many schedules there were
    schedules: int = 0

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    @property
    def written(self) -> list[Path]:
        return [path for r in self.results for path in r.written]


@dataclass
class JobContext:
    """What the serving process lends the jobs APScheduler runs in its worker thread."""

    clock: Clock = system_clock
    stop: threading.Event | None = None


#: ``serve`` lends its clock and stop flag here while it runs; ``run_stored_job`` reads them.
job_context = JobContext()


@contextmanager
def lend_to_jobs(clock: Clock, stop: threading.Event) -> Iterator[None]:
    job_context.clock, job_context.stop = clock, stop
    try:
        yield
    finally:
        job_context.clock, job_context.stop = system_clock, None


def run_stored_job(**kwargs: Any) -> RunResult:
    """What a stored job does: open its ledger, render what its schedule has due, close."""
    from ledger import open_store

    spec = JobSpec.from_kwargs(kwargs)
    try:
        store = open_store(kwargs["url"])
        try:
            with translate_db_errors(store.url):
                return run_schedule(store, spec, job_context.clock, job_context.stop)
        finally:
            store.close()
    except LedgerError as error:  # the ledger's database is unreachable: one line, run failed
        log.error("error: schedule %s: %s", spec.schedule_id, error)
        return RunResult(spec.schedule_id, error=str(error))


def run_schedule(
    store: Store, spec: JobSpec, clock: Clock, stop: threading.Event | None
) -> RunResult:
    """Render every period of ``spec`` that fell due since its watermark, oldest first."""
    result = RunResult(spec.schedule_id)
    engine = store.engine
    now = clock()
    since = runs.watermark(engine, spec.schedule_id) or spec.added
    due = spec.rule.due_periods(since, now)
    if not due:
        result.next_run = NextRun(spec.schedule_id, *spec.rule.next_due(max(since, now)))
        return result
    result.periods = [label for label, _ in due]
    run_id = runs.start_run(engine, spec.schedule_id, now, result.periods, since)
    _remove_stale_temporaries(spec.out)
    message = ""
    current = result.periods[0]
    reports = [f for f in spec.formats if f != SITE]
    try:
        for label, due_at in due:
            if stop is not None and stop.is_set():
                result.stopped = True
                message = f"stopped before {label}; the next start renders it"
                break
            current = label
            written = _render_period(store, label, spec, reports) if reports else []
            if SITE in spec.formats and label == result.periods[-1]:
                written += _publish(store, label, spec)  # once, as of the latest period
            result.written += written
            runs.advance(engine, run_id, due_at, len(written))
    except Exception as error:  # noqa: BLE001 - recorded and logged by _failed
        _failed(result, current, error)
    if reports:
        try:
            result.written += _render_index(spec, reports)
        except Exception as error:  # noqa: BLE001 - recorded and logged by _failed
            _failed(result, "index", error)
    outcome = "failed" if result.error else "interrupted" if result.stopped else "ok"
    runs.finish_run(engine, run_id, clock(), outcome, result.error or message)
    return result


def _failed(result: RunResult, where: str, error: Exception) -> None:
    """A library error is one line; anything else is a bug and is logged with its traceback."""
    if isinstance(error, LedgerError):
        text = f"{where}: {error}"
        log.error("error: schedule %s: %s", result.schedule_id, text)
    else:
        text = f"{where}: {type(error).__name__}: {error}"
        log.exception("error: schedule %s: %s", result.schedule_id, text)
    result.error = result.error or text


def _render_period(store: Store, label: str, spec: JobSpec, formats: list[str]) -> list[Path]:
    from reports import render_period

    written = list(render_period(store, label, formats=formats, out=spec.out))
    for path in written:
        log.info("schedule %s: %s: wrote %s", spec.schedule_id, label, path)
    return written


def _publish(store: Store, label: str, spec: JobSpec) -> list[Path]:
    """The site as of the end of ``label``, the latest period that fell due; every
    earlier period is in it, so a catch-up publishes once."""
    from reports import parse_period, publish_site

    end = parse_period(label).end
    result = publish_site(store, spec.out, as_of=end, period=spec.rule.every)
    for path in result.written:
        log.info("schedule %s: %s: published %s", spec.schedule_id, label, path)
    return list(result.written)


def _render_index(spec: JobSpec, formats: list[str]) -> list[Path]:
    from reports import render_index

    written = list(render_index(spec.out, formats=formats))
    for path in written:
        log.info("schedule %s: index: wrote %s", spec.schedule_id, path)
    return written


def _remove_stale_temporaries(out: Path) -> None:
    """Remove temporary files a killed run left behind (``write_atomic``'s ``.NAME.*.tmp``)."""
    if not out.is_dir():
        return
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for path in out.glob(".*.tmp"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                log.info("removed %s, left by an interrupted run", path)
        except FileNotFoundError:
            continue


def prepare_jobs(store: Store, scheduler: BackgroundScheduler) -> list[Job]:
    """The jobs to serve; jobs whose ledger URL is stale (a moved file) point here now."""
    url = store.absolute_url()
    jobs = []
    for job in scheduler.get_jobs():
        if job.kwargs.get("url") != url:
            log.warning("schedule %s: ledger moved; now rendering %s", job.id, store.url)
            job = point_at(scheduler, job, url)
        jobs.append(job)
    return jobs


def catch_up(
    store: Store, jobs: list[Job], clock: Clock, stop: threading.Event | None
) -> RunSummary:
    """Run every schedule once, by id; log what falls due next for those with nothing due."""
    summary = RunSummary(schedules=len(jobs))
    for job in sorted(jobs, key=lambda j: j.id):
        if stop is not None and stop.is_set():
            break
        result = run_schedule(store, spec_of(job), clock, stop)
        if result.next_run is not None:
            summary.waiting.append(result.next_run)
            log.info("schedule %s: nothing due; next run %s", job.id, result.next_run.describe())
        else:
            summary.results.append(result)
    return summary


def run_pending(
    store: Store, *, clock: Clock = system_clock, stop: threading.Event | None = None
) -> RunSummary:
    """Render whatever every schedule has due now, then return (``schedule run --once``)."""
    with scheduler_lock(store), job_store(store) as scheduler:
        runs.mark_interrupted(store.engine)
        jobs = prepare_jobs(store, scheduler)
        summary = catch_up(store, jobs, clock, stop)
        now = datetime.now(UTC)  # APScheduler's own clock, whatever ``clock`` says
        for job in jobs:  # so that `schedule list` shows the next real firing
            scheduler.modify_job(job.id, next_run_time=job.trigger.get_next_fire_time(None, now))
    return summary
