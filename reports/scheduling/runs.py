"""The ``schedule_runs`` table: when each schedule last ran, what it did, how far it got.

One row per run that had something to do (a run with no period due leaves no row, so
an hourly ``run --once`` from cron does not grow the table). A row is inserted as
``running`` before the first report is rendered, its ``done_through`` (the due time of the
last period fully written) advances after each period, and it ends ``ok`` or ``failed``.
A row still ``running`` when the next scheduler takes the lock was cut short (a crash,
``kill -9``) and becomes ``interrupted``. The latest row's ``done_through`` is the
schedule's watermark: catch-up renders every period due after it.

The table lives in the ledger's own database next to APScheduler's ``apscheduler_jobs``;
it never touches ``events``. Only ``reports.scheduling`` calls this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, Index, Text, func, select, update
from sqlmodel import Field, SQLModel

__all__ = [
    "LastRun",
    "ScheduleRun",
    "advance",
    "delete_runs",
    "ensure_table",
    "finish_run",
    "last_runs",
    "mark_interrupted",
    "start_run",
    "watermark",
]


class ScheduleRun(SQLModel, table=True):
    __tablename__ = "schedule_runs"
    __table_args__ = (Index("schedule_runs_schedule", "schedule_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: str = Field(max_length=64)
    started_at: str = Field(max_length=40)
    finished_at: str | None = Field(default=None, max_length=40)
    #: running, ok, failed or interrupted
    result: str = Field(max_length=12)
    #: the periods this run had to render, comma-separated (``2023-Q3,2023-Q4``)
    periods: str = Field(sa_column=Column(Text, nullable=False))
    #: how many files it wrote (files already holding the same bytes are not counted)
    written: int = 0
    #: the due time of the last period fully rendered; the next run starts after it
    done_through: str = Field(max_length=40)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))


RUNS = ScheduleRun.__table__


def instant(moment: datetime) -> str:
    """An aware datetime as stored: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class LastRun:
    started_at: datetime
    finished_at: datetime | None
    result: str
    periods: list[str]
    written: int
    message: str


def ensure_table(engine: Engine) -> None:
    RUNS.create(engine, checkfirst=True)


def watermark(engine: Engine, schedule_id: str) -> datetime | None:
    """The due time of the last period this schedule rendered, or None before its first."""
    with engine.connect() as connection:
        value = connection.execute(
            select(RUNS.c.done_through)
            .where(RUNS.c.schedule_id == schedule_id)
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    return parse_instant(value) if value else None


def start_run(
    engine: Engine, schedule_id: str, started: datetime, periods: list[str], since: datetime
) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            RUNS.insert().values(
                schedule_id=schedule_id,
                started_at=instant(started),
                result="running",
                periods=",".join(periods),
                written=0,
                done_through=instant(since),
                message="",
            )
        )
        return int(result.inserted_primary_key[0])


def advance(engine: Engine, run_id: int, done_through: datetime, written: int) -> None:
    """Record that a period is complete: the watermark moves past its due time."""
    with engine.begin() as connection:
        connection.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id)
            .values(done_through=instant(done_through), written=RUNS.c.written + written)
        )


def finish_run(engine: Engine, run_id: int, finished: datetime, result: str, message: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id)
            .values(finished_at=instant(finished), result=result, message=message)
        )


def mark_interrupted(engine: Engine) -> None:
    """Rows left ``running`` by a process that died; call only while holding the lock."""
    with engine.begin() as connection:
        connection.execute(
            update(RUNS)
            .where(RUNS.c.result == "running")
            .values(result="interrupted", message="the scheduler stopped during this run")
        )


def last_runs(engine: Engine) -> dict[str, LastRun]:
    """The latest run of every schedule that has run."""
    newest = select(RUNS.c.schedule_id, func.max(RUNS.c.id)).group_by(RUNS.c.schedule_id)
    runs: dict[str, LastRun] = {}
    with engine.connect() as connection:
        ids = [row[1] for row in connection.execute(newest)]
        if not ids:
            return runs
        for row in connection.execute(select(RUNS).where(RUNS.c.id.in_(ids))).mappings():
            runs[row["schedule_id"]] = LastRun(
                started_at=parse_instant(row["started_at"]),
                finished_at=parse_instant(row["finished_at"]) if row["finished_at"] else None,
                result=row["result"],
                periods=[p for p in row["periods"].split(",") if p],
                written=row["written"],
                message=row["message"],
            )
    return runs


def delete_runs(engine: Engine, schedule_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(RUNS.delete().where(RUNS.c.schedule_id == schedule_id))
