"""Scheduled report generation: APScheduler 3.x jobs kept in the ledger's own database.

Owns the schedules (``schedule add|list|remove|run``), their catch-up, the job function
and the foreground scheduler loop. It renders nothing itself: a run calls the same library
functions ``reform-ledger report`` calls (``render_period`` and the index renderer), with the
same defaults, so a scheduled report is byte-for-byte the one a person would render.

How it works:

- A schedule is an APScheduler job in ``SQLAlchemyJobStore`` (table ``apscheduler_jobs``)
  in the ledger's own database, with an explicit id and ``replace_existing=True``. The job
  function is ``reports.scheduling:run_job`` (the job store pickles a reference to it), and
  its arguments are plain strings: the ledger URL, the schedule id, the rule, the formats,
  the output folder and when the schedule was added.
- Its trigger is a cron rule: day ``day`` of the first month of each period at ``at``, in
  the schedule's time zone (the machine's by default). Each firing renders the period(s)
  that ended before it: on 1 January 2024 at 06:00, a quarterly schedule renders 2023-Q4.
- What to render is decided by the run itself, never by the trigger: every period whose
  due time is later than the schedule's watermark (the due time of the last period it
  completed, kept in ``schedule_runs``, or the time it was added) and not later than now.
  So a scheduler that was down for two quarter ends renders both on its next start, and a
  firing with nothing due does nothing. Catch-up is run explicitly when ``run`` starts and
  by ``run --once``, before APScheduler is let loose.
- Job options, on purpose: ``misfire_grace_time=None`` (a late firing still runs, however
  late: the run decides what is due, so it is never skipped as "missed"); ``coalesce=True``
  (several missed firings become one run, which renders every missed period itself, each
  once); ``max_instances=1`` and one worker thread (runs never overlap, not even two
  schedules writing into the same folder and index).
- One scheduler per ledger (``reports.scheduler_lock``). ``add``, ``list`` and ``remove``
  start APScheduler paused: a paused scheduler only reads and writes the job store, never
  runs a job, so they are safe while ``run`` is serving; ``run`` looks at the job store
  again every ``poll_seconds`` and so picks up their changes.

Who calls it: ``cli.py`` (the ``schedule`` commands) and APScheduler (``run_job``).
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events.errors import LedgerError
from ledger.store import translate_db_errors
from reports import schedule_runs as runs
from reports.errors import ReportError, ScheduleError
from reports.scheduler_lock import scheduler_lock

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.schedulers.background import BackgroundScheduler

    from ledger import Store

__all__ = [
    "EVERY",
    "JOB_OPTIONS",
    "RunResult",
    "RunSummary",
    "ScheduleInfo",
    "ScheduleRule",
    "add_schedule",
    "list_schedules",
    "remove_schedule",
    "run_job",
    "run_pending",
    "serve",
    "stop_on_signals",
    "system_clock",
]

log = logging.getLogger("reform_ledger.schedule")

Clock = Callable[[], datetime]

EVERY = ("month", "quarter", "year")
_CRON_MONTHS = {"month": "*", "quarter": "1,4,7,10", "year": "1"}
_DEFAULT_IDS = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
FORMATS = ("md", "html")  #: the default; the report command decides what is valid
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_AT = re.compile(r"^(\d{1,2}):(\d{2})$")

#: What happens after downtime; see the module docstring.
JOB_OPTIONS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
#: A temporary file of ``write_atomic`` older than this was left by a killed run.
STALE_TEMPORARY_SECONDS = 600


def system_clock() -> datetime:
    return datetime.now(UTC)


# -- rules and periods -----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRule:
    """When a schedule fires: day ``day`` of each period's first month at ``at``, in a zone."""

    every: str
    at: str = "06:00"
    day: int = 1
    timezone: str = "UTC"

    @classmethod
    def checked(cls, every: str, at: str, day: int, timezone: str | None) -> ScheduleRule:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if every not in EVERY:
            raise ScheduleError(f"--every {every!r}: use month, quarter or year")
        match = _AT.match(at)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ScheduleError(f"--at {at!r}: use a time of day HH:MM, e.g. 06:00")
        if not 1 <= day <= 28:
            raise ScheduleError(f"--day {day}: use a day between 1 and 28 (valid in every month)")
        zone = timezone or _local_zone()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleError(
                f"--tz {zone!r}: not a known time zone (e.g. Asia/Almaty)"
            ) from None
        return cls(every, f"{int(match[1]):02d}:{match[2]}", day, zone)

    def describe(self) -> str:
        return f"every {self.every}, day {self.day} at {self.at} {self.timezone}"

    def trigger(self) -> Any:
        from apscheduler.triggers.cron import CronTrigger

        hour, minute = self.at.split(":")
        return CronTrigger(
            month=_CRON_MONTHS[self.every],
            day=self.day,
            hour=int(hour),
            minute=int(minute),
            second=0,
            timezone=self.timezone,
        )

    def due_periods(self, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
        """Periods whose report fell due after ``since`` and by ``now``, oldest first.

        A period's report is due at the rule's first firing at or after the period's end.
        """
        from zoneinfo import ZoneInfo

        from reports.periods import period_containing

        zone = ZoneInfo(self.timezone)
        trigger = self.trigger()
        period = period_containing(since.astimezone(zone).date(), self.every).previous()
        due: list[tuple[str, datetime]] = []
        while True:
            following = period.next()
            start = following.start
            due_at = trigger.get_next_fire_time(
                None, datetime(start.year, start.month, start.day, tzinfo=zone)
            )
            if due_at > now:
                return due
            if due_at > since:
                due.append((period.name, due_at))
            period = following


def _local_zone() -> str:
    try:
        from tzlocal import get_localzone_name

        return get_localzone_name() or "UTC"
    except Exception:  # noqa: BLE001 - an unreadable local zone setting means UTC
        return "UTC"


@dataclass(frozen=True)
class _Spec:
    """A schedule as its job's keyword arguments carry it (plain, picklable values)."""

    schedule_id: str
    rule: ScheduleRule
    formats: tuple[str, ...]
    out: Path
    added: datetime

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> _Spec:
        return cls(
            kwargs["schedule_id"],
            ScheduleRule(kwargs["every"], kwargs["at"], kwargs["day"], kwargs["timezone"]),
            tuple(kwargs["formats"]),
            Path(kwargs["out"]),
            runs.parse_instant(kwargs["added"]),
        )

    def kwargs(self, url: str) -> dict[str, Any]:
        return {
            "url": url,
            "schedule_id": self.schedule_id,
            "every": self.rule.every,
            "at": self.rule.at,
            "day": self.rule.day,
            "timezone": self.rule.timezone,
            "formats": list(self.formats),
            "out": str(self.out),
            "added": runs.instant(self.added),
        }


# -- results ---------------------------------------------------------------------------


@dataclass
class RunResult:
    """What one schedule's run did."""

    schedule_id: str
    periods: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    error: str | None = None
    #: stopped on request (SIGINT, SIGTERM) before every due period was rendered
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RunSummary:
    results: list[RunResult] = field(default_factory=list)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    @property
    def written(self) -> list[Path]:
        return [path for r in self.results for path in r.written]


@dataclass(frozen=True)
class ScheduleInfo:
    """A schedule as ``schedule list`` shows it."""

    schedule_id: str
    rule: ScheduleRule
    formats: tuple[str, ...]
    out: Path
    added: datetime
    next_run: datetime | None
    last_run: runs.LastRun | None

    def to_dict(self) -> dict[str, Any]:
        last = self.last_run
        return {
            "id": self.schedule_id,
            "every": self.rule.every,
            "at": self.rule.at,
            "day": self.rule.day,
            "timezone": self.rule.timezone,
            "rule": self.rule.describe(),
            "formats": list(self.formats),
            "out": str(self.out),
            "added": self.added.isoformat(),
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "last_run": None
            if last is None
            else {
                "started_at": last.started_at.isoformat(),
                "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                "result": last.result,
                "periods": last.periods,
                "written": last.written,
                "message": last.message,
            },
        }


# -- the job store ---------------------------------------------------------------------


def _job_url(store: Store) -> str:
    """The ledger's URL as a job keeps it: absolute, so cron's working folder does not matter."""
    return store.absolute_url()


def _new_scheduler(store: Store, *, editor: bool = False) -> BackgroundScheduler:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_STOPPED

    class Scheduler(BackgroundScheduler):
        """APScheduler 3.x's BackgroundScheduler, minus a race in its shutdown.

        ``shutdown()`` marks the scheduler stopped and wakes its thread, which then runs
        one more round of ``_process_jobs``: a paused scheduler is not paused any more, so
        it would submit due jobs (or advance their next run time without running them).
        A stopped scheduler here processes nothing; an editor never processes jobs at all.
        """

        def _process_jobs(self) -> float | None:
            if editor or self.state == STATE_STOPPED:
                return None
            return super()._process_jobs()

    runs.ensure_table(store.engine)
    return Scheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=store.dialect.connect(store.url))},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults=dict(JOB_OPTIONS),
        timezone=UTC,
    )


@contextmanager
def _job_store(store: Store) -> Iterator[BackgroundScheduler]:
    """A scheduler that only reads and writes the job store: it never runs a job."""
    with translate_db_errors(store.url):
        scheduler = _new_scheduler(store, editor=True)
        scheduler.start(paused=True)
        try:
            yield scheduler
        finally:
            scheduler.shutdown(wait=False)


def _add_job(scheduler: BackgroundScheduler, spec: _Spec, url: str, interval: float | None) -> Job:
    trigger: Any = spec.rule.trigger()
    if interval is not None:
        from apscheduler.triggers.interval import IntervalTrigger

        trigger = IntervalTrigger(seconds=interval)
    return scheduler.add_job(
        run_job,
        trigger=trigger,
        id=spec.schedule_id,
        name=f"reform-ledger reports {spec.rule.describe()}",
        kwargs=spec.kwargs(url),
        replace_existing=True,
        **JOB_OPTIONS,
    )


def _spec_of(job: Job) -> _Spec:
    return _Spec.from_kwargs(job.kwargs)


def add_schedule(
    store: Store,
    *,
    every: str,
    out: Path,
    at: str = "06:00",
    day: int = 1,
    formats: Sequence[str] | str = FORMATS,
    schedule_id: str | None = None,
    timezone: str | None = None,
    clock: Clock = system_clock,
    test_interval: float | None = None,
) -> tuple[ScheduleInfo, bool]:
    """Add a schedule, or replace the one with the same id; return it and whether it replaced.

    ``test_interval`` (tests only) fires the job every that many seconds instead of at the
    rule's times; what a run renders is still decided by the rule and the clock.
    """
    rule = ScheduleRule.checked(every, at, day, timezone)
    schedule_id = schedule_id or _DEFAULT_IDS[every]
    if not _ID.match(schedule_id):
        raise ScheduleError(
            f"--id {schedule_id!r}: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    chosen = _check_formats(formats)
    url = _job_url(store)
    with _job_store(store) as scheduler:
        existing = scheduler.get_job(schedule_id)
        added = _spec_of(existing).added if existing else clock()
        spec = _Spec(schedule_id, rule, chosen, Path(out).resolve(), added)
        job = _add_job(scheduler, spec, url, test_interval)
        info = ScheduleInfo(schedule_id, rule, chosen, spec.out, added, job.next_run_time, None)
    return info, existing is not None


def _check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    """The report command's own check, so both accept exactly the same formats."""
    from reports.report import check_formats

    try:
        return check_formats(formats)
    except ReportError as error:
        raise ScheduleError(f"--formats: {error}") from None


def list_schedules(store: Store) -> list[ScheduleInfo]:
    """Every schedule with its next run and its last run's result, sorted by id."""
    with _job_store(store) as scheduler:
        jobs = scheduler.get_jobs()
    with translate_db_errors(store.url):
        last = runs.last_runs(store.engine)
    infos = []
    for job in jobs:
        spec = _spec_of(job)
        infos.append(
            ScheduleInfo(
                spec.schedule_id,
                spec.rule,
                spec.formats,
                spec.out,
                spec.added,
                job.next_run_time,
                last.get(spec.schedule_id),
            )
        )
    return sorted(infos, key=lambda info: info.schedule_id)


def remove_schedule(store: Store, schedule_id: str) -> None:
    """Remove a schedule and its run history; its reports stay where they are."""
    from apscheduler.jobstores.base import JobLookupError

    with _job_store(store) as scheduler:
        try:
            scheduler.remove_job(schedule_id)
        except JobLookupError:
            raise ScheduleError(
                f"no schedule {schedule_id!r} (see: reform-ledger schedule list)"
            ) from None
    with translate_db_errors(store.url):
        runs.delete_runs(store.engine, schedule_id)


# -- running ---------------------------------------------------------------------------


class _Runtime:
    """What the serving process gives its jobs: the clock (injectable) and the stop flag."""

    clock: Clock = staticmethod(system_clock)
    stop: threading.Event | None = None


_runtime = _Runtime()


def run_job(**kwargs: Any) -> RunResult:
    """The job APScheduler runs: render whatever this schedule has due, then the index.

    Module level and called with plain keyword arguments only, because the job store
    pickles a reference to it (``reports.scheduling:run_job``) and those arguments.
    """
    from ledger import open_store

    spec = _Spec.from_kwargs(kwargs)
    try:
        store = open_store(kwargs["url"])
        try:
            with translate_db_errors(store.url):
                return _run(store, spec, _runtime.clock, _runtime.stop)
        finally:
            store.close()
    except LedgerError as error:  # the ledger's database is unreachable: one line, run failed
        log.error("error: schedule %s: %s", spec.schedule_id, error)
        return RunResult(spec.schedule_id, error=str(error))


def _run(store: Store, spec: _Spec, clock: Clock, stop: threading.Event | None) -> RunResult:
    """Render every period of ``spec`` that fell due since its watermark, oldest first."""
    result = RunResult(spec.schedule_id)
    engine = store.engine
    now = clock()
    since = runs.watermark(engine, spec.schedule_id) or spec.added
    due = spec.rule.due_periods(since, now)
    if not due:
        return result
    result.periods = [label for label, _ in due]
    run_id = runs.start_run(engine, spec.schedule_id, now, result.periods, since)
    _remove_stale_temporaries(spec.out)
    message = ""
    current = result.periods[0]
    try:
        for label, due_at in due:
            if stop is not None and stop.is_set():
                result.stopped = True
                message = f"stopped before {label}; the next start renders it"
                break
            current = label
            written = _render_period(store, label, spec)
            result.written += written
            runs.advance(engine, run_id, due_at, len(written))
    except Exception as error:  # noqa: BLE001 - recorded and logged by _failed
        _failed(result, current, error)
    try:
        result.written += _render_index(spec)
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


def _render_period(store: Store, label: str, spec: _Spec) -> list[Path]:
    from reports import render_period

    written = list(render_period(store, label, formats=spec.formats, out=spec.out))
    for path in written:
        log.info("schedule %s: %s: wrote %s", spec.schedule_id, label, path)
    return written


def _render_index(spec: _Spec) -> list[Path]:
    from reports import render_index

    written = list(render_index(spec.out, formats=spec.formats))
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


def _prepare(store: Store, scheduler: BackgroundScheduler) -> list[Job]:
    """The jobs to serve; jobs whose ledger URL is stale (a moved file) point here now."""
    url = _job_url(store)
    jobs = []
    for job in scheduler.get_jobs():
        if job.kwargs.get("url") != url:
            log.warning("schedule %s: ledger moved; now rendering %s", job.id, store.url)
            job = scheduler.modify_job(job.id, kwargs={**job.kwargs, "url": url})
        jobs.append(job)
    return jobs


def _catch_up(
    store: Store, jobs: list[Job], clock: Clock, stop: threading.Event | None
) -> RunSummary:
    summary = RunSummary()
    for job in sorted(jobs, key=lambda j: j.id):
        if stop is not None and stop.is_set():
            break
        result = _run(store, _spec_of(job), clock, stop)
        if result.periods or result.error:
            summary.results.append(result)
    return summary


def run_pending(
    store: Store, *, clock: Clock = system_clock, stop: threading.Event | None = None
) -> RunSummary:
    """``schedule run --once``: render whatever every schedule has due now, then return."""
    with scheduler_lock(store), _job_store(store) as scheduler:
        runs.mark_interrupted(store.engine)
        jobs = _prepare(store, scheduler)
        summary = _catch_up(store, jobs, clock, stop)
        now = datetime.now(UTC)  # APScheduler's own clock, whatever ``clock`` says
        for job in jobs:  # so that `schedule list` shows the next real firing
            scheduler.modify_job(job.id, next_run_time=job.trigger.get_next_fire_time(None, now))
    return summary


def serve(
    store: Store,
    *,
    stop: threading.Event,
    clock: Clock = system_clock,
    poll_seconds: float = 30.0,
    ready: threading.Event | None = None,
) -> RunSummary:
    """``schedule run``: catch up, then fire schedules until ``stop`` is set.

    Stopping waits for the run in flight, which itself stops after the period it is
    rendering; the rest is rendered on the next start. Every ``poll_seconds`` the loop
    checks that it still holds the ledger's scheduler lock and re-reads the job store.
    ``ready`` is set once the catch-up is done and APScheduler fires jobs.
    """
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

    with translate_db_errors(store.url), scheduler_lock(store) as lock:
        scheduler = _new_scheduler(store)
        runs.mark_interrupted(store.engine)
        summary = RunSummary()

        def collect(event: JobExecutionEvent) -> None:
            if event.exception is not None:
                summary.results.append(RunResult(event.job_id, error=str(event.exception)))
            elif isinstance(event.retval, RunResult) and event.retval.periods:
                summary.results.append(event.retval)

        scheduler.add_listener(collect, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        _runtime.clock, _runtime.stop = clock, stop
        scheduler.start(paused=True)
        try:
            jobs = _prepare(store, scheduler)
            log.info("scheduler running on %s with %d schedule(s)", store.url, len(jobs))
            summary.results += _catch_up(store, jobs, clock, stop).results
            if not stop.is_set():
                scheduler.resume()
            if ready is not None:
                ready.set()
            next_check = time.monotonic() + poll_seconds
            while not stop.is_set():
                time.sleep(0.1)
                if time.monotonic() >= next_check:
                    lock.check()
                    scheduler.wakeup()
                    next_check = time.monotonic() + poll_seconds
        finally:
            scheduler.shutdown(wait=True)
            _runtime.clock, _runtime.stop = system_clock, None
        log.info("scheduler stopped")
    return summary


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
