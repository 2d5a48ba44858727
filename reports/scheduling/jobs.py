"""The job store: each schedule is an APScheduler 3.x job kept in the ledger's own database.

A schedule is a job in ``SQLAlchemyJobStore`` (table ``apscheduler_jobs``), with an
explicit id and ``replace_existing=True``. The job names its function by the textual
reference ``JOB_FUNCTION`` (the job store pickles that reference, not the function), and
its arguments are plain strings and numbers (``JobSpec.kwargs``). ``add``, ``list`` and
``remove`` open APScheduler paused, as an *editor*: a paused scheduler only reads and
writes the job store and never runs a job, so they are safe while ``serve`` is running.

Who calls it: the package's public face (``add_schedule``, ``list_schedules``,
``remove_schedule``) and the runner (``new_scheduler``, ``spec_of``, ``point_at``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.store import translate_db_errors
from reports.errors import InvalidSchedule, ReportError, UnknownSchedule
from reports.scheduling import runs
from reports.scheduling.rule import Clock, ScheduleRule, system_clock

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.schedulers.background import BackgroundScheduler

    from ledger import Store

__all__ = [
    "FORMATS",
    "JOB_FUNCTION",
    "JOB_OPTIONS",
    "JobSpec",
    "ScheduleInfo",
    "add_schedule",
    "job_store",
    "list_schedules",
    "new_scheduler",
    "point_at",
    "remove_schedule",
    "spec_of",
]

#: The function every stored job names. Jobs stored since the first release name this
#: path, so it must keep resolving (``reports/scheduling/__init__.py`` defines it).
JOB_FUNCTION = "reports.scheduling:run_job"
#: What happens after downtime (see docs/scheduling.md): a late firing still runs, however
#: late (the run decides what is due); missed firings become one run; never two at once.
JOB_OPTIONS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
FORMATS = ("md", "html")  #: the default; the report command decides what is valid
_DEFAULT_IDS = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class JobSpec:
    """A schedule as its job's keyword arguments carry it (plain, picklable values)."""

    schedule_id: str
    rule: ScheduleRule
    formats: tuple[str, ...]
    out: Path
    added: datetime

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> JobSpec:
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


@dataclass(frozen=True)
class ScheduleInfo:
    """A schedule as ``list_schedules`` shows it."""

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


def spec_of(job: Job) -> JobSpec:
    return JobSpec.from_kwargs(job.kwargs)


def new_scheduler(store: Store, *, editor: bool = False) -> BackgroundScheduler:
    """APScheduler over this ledger's job store, one worker thread, ``JOB_OPTIONS``."""
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
def job_store(store: Store) -> Iterator[BackgroundScheduler]:
    """A scheduler that only reads and writes the job store: it never runs a job."""
    with translate_db_errors(store.url):
        scheduler = new_scheduler(store, editor=True)
        scheduler.start(paused=True)
        try:
            yield scheduler
        finally:
            scheduler.shutdown(wait=False)


def point_at(scheduler: BackgroundScheduler, job: Job, url: str) -> Job:
    """The job with its ledger URL replaced (the ledger file moved); its function stays."""
    return scheduler.modify_job(job.id, func=JOB_FUNCTION, kwargs={**job.kwargs, "url": url})


def _add_job(
    scheduler: BackgroundScheduler, spec: JobSpec, url: str, interval: float | None
) -> Job:
    trigger: Any = spec.rule.trigger()
    if interval is not None:
        from apscheduler.triggers.interval import IntervalTrigger

        trigger = IntervalTrigger(seconds=interval)
    return scheduler.add_job(
        JOB_FUNCTION,
        trigger=trigger,
        id=spec.schedule_id,
        name=f"reform-ledger reports {spec.rule.describe()}",
        kwargs=spec.kwargs(url),
        replace_existing=True,
        **JOB_OPTIONS,
    )


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

    Bad input raises ``InvalidSchedule`` naming the field. ``test_interval`` (tests only)
    fires the job every that many seconds instead of at the rule's times; what a run
    renders is still decided by the rule and the clock.
    """
    rule = ScheduleRule.checked(every, at, day, timezone)
    schedule_id = schedule_id or _DEFAULT_IDS[every]
    if not _ID.match(schedule_id):
        raise InvalidSchedule(
            "schedule_id",
            "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            schedule_id,
        )
    chosen = _check_formats(formats)
    url = store.absolute_url()  # a job runs from any working folder (cron's is $HOME)
    with job_store(store) as scheduler:
        existing = scheduler.get_job(schedule_id)
        added = spec_of(existing).added if existing else clock()
        spec = JobSpec(schedule_id, rule, chosen, Path(out).resolve(), added)
        job = _add_job(scheduler, spec, url, test_interval)
        info = ScheduleInfo(schedule_id, rule, chosen, spec.out, added, job.next_run_time, None)
    return info, existing is not None


#: What a schedule may produce besides the report formats: the published site.
SITE = "site"


def _check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    """The report command's own check (so both accept exactly the same report formats),
    plus ``site``: publish the site instead of, or as well as, the period reports."""
    from reports.report import check_formats

    wanted = [
        f.strip().lower() for f in (formats.split(",") if isinstance(formats, str) else formats)
    ]
    site = SITE in wanted
    reports = [f for f in wanted if f and f != SITE]
    try:
        chosen = check_formats(reports) if reports or not site else ()
    except ReportError:
        unknown = ", ".join(sorted(set(reports) - {"md", "html"})) or "(none)"
        raise InvalidSchedule(
            "formats", f"unknown format {unknown} (use md, html, site, or a list: md,html,site)"
        ) from None
    return (*chosen, SITE) if site else chosen


def list_schedules(store: Store) -> list[ScheduleInfo]:
    """Every schedule with its next run and its last run's result, sorted by id."""
    with job_store(store) as scheduler:
        jobs = scheduler.get_jobs()
    with translate_db_errors(store.url):
        last = runs.last_runs(store.engine)
    infos = []
    for job in jobs:
        spec = spec_of(job)
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
    """Remove a schedule and its run history; its reports stay where they are.

    Raises ``UnknownSchedule`` (listing the ids there are) when there is no such schedule.
    """
    from apscheduler.jobstores.base import JobLookupError

    with job_store(store) as scheduler:
        try:
            scheduler.remove_job(schedule_id)
        except JobLookupError:
            existing = sorted(job.id for job in scheduler.get_jobs())
            raise UnknownSchedule(schedule_id, existing) from None
    with translate_db_errors(store.url):
        runs.delete_runs(store.engine, schedule_id)
