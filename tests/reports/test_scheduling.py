"""Scheduled reports with the real APScheduler, on SQLite and on PostgreSQL.

Nothing of APScheduler is mocked: jobs live in ``apscheduler_jobs`` in the ledger's own
database and fire from its own thread. What is injected is the scheduler's notion of
"now" (``clock=``), so that a test can stand on 2 January 2024 and see 2023-Q4 fall due,
and, for one test, a one-second trigger (``test_interval=1``) so a job fires while the
test watches.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import reports
import reports.scheduling as scheduling
from cli import app
from events import LedgerError
from ledger import Store, open_store
from reports import (
    InvalidSchedule,
    ReportError,
    UnknownSchedule,
    list_schedules,
    remove_schedule,
    run_pending,
    serve,
)
from reports.scheduling import JOB_FUNCTION, NextRun, ScheduleRule, add_schedule
from tests.conftest import promise
from tests.reports.scheduling_support import Clock

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("reform-ledger")
ADDED = datetime(2023, 8, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def ledger(store: Store) -> Store:
    store.append([promise("party-signatures", "2022-03-16")])
    return store


def quarterly(store: Store, out: Path, clock: Clock, **options) -> None:
    add_schedule(store, every="quarter", out=out, timezone="UTC", clock=clock, **options)


def reports_in(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def wait_for_marker(marker: Path, child: subprocess.Popen) -> None:
    """Until the child writes ``marker`` (it is then mid-rendering), at most 30 s."""
    deadline = time.monotonic() + 30
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), child.stderr.read().decode() if child.stderr else ""


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


@pytest.fixture
def serving() -> Iterator:
    """Start ``serve`` in a thread; every server started is stopped at the end."""
    started: list[tuple[threading.Event, threading.Thread]] = []

    def start(store: Store, clock: Clock):
        stop, ready, box = threading.Event(), threading.Event(), {}

        def target() -> None:
            try:
                box["summary"] = serve(store, stop=stop, clock=clock, poll_seconds=0.2, ready=ready)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                box["error"] = error
                ready.set()

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        started.append((stop, thread))
        assert ready.wait(20), "the scheduler did not start"
        assert "error" not in box, box

        def finish():
            stop.set()
            thread.join(20)
            assert not thread.is_alive()
            return box.get("summary")

        return finish

    yield start
    for stop, thread in started:
        stop.set()
        thread.join(20)


# -- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("every", "since", "now", "expected"),
    [
        ("quarter", "2023-08-15T12:00", "2024-01-10T00:00", ["2023-Q3", "2023-Q4"]),
        ("quarter", "2023-10-01T06:00", "2024-01-01T05:59", []),
        ("quarter", "2023-10-01T06:00", "2024-01-01T06:00", ["2023-Q4"]),
        ("month", "2023-11-20T00:00", "2024-02-01T06:00", ["2023-11", "2023-12", "2024-01"]),
        ("year", "2021-06-01T00:00", "2024-01-01T06:00", ["2021", "2022", "2023"]),
        ("year", "2024-01-01T05:00", "2024-01-01T07:00", ["2023"]),
    ],
)
def test_due_periods(every: str, since: str, now: str, expected: list[str]) -> None:
    rule = ScheduleRule.checked(every, "06:00", 1, "UTC")
    due = rule.due_periods(
        datetime.fromisoformat(since).replace(tzinfo=UTC),
        datetime.fromisoformat(now).replace(tzinfo=UTC),
    )
    assert [name for name, _ in due] == expected


def test_due_time_follows_day_time_and_zone() -> None:
    rule = ScheduleRule.checked("quarter", "7:30", 3, "Asia/Almaty")
    [(name, due_at)] = rule.due_periods(
        datetime(2023, 12, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    )
    assert name == "2023-Q4"
    assert due_at.isoformat() == "2024-01-03T07:30:00+06:00"  # Almaty moved to +05 in March 2024


@pytest.mark.parametrize(
    ("every", "after", "period", "due_at"),
    [
        ("quarter", "2023-10-01T05:59", "2023-Q3", "2023-10-01T06:00:00+00:00"),
        ("quarter", "2023-10-01T06:00", "2023-Q4", "2024-01-01T06:00:00+00:00"),
        ("month", "2024-01-31T23:00", "2024-01", "2024-02-01T06:00:00+00:00"),
        ("year", "2023-06-01T00:00", "2023", "2024-01-01T06:00:00+00:00"),
    ],
)
def test_next_due(every: str, after: str, period: str, due_at: str) -> None:
    rule = ScheduleRule.checked(every, "06:00", 1, "UTC")
    name, when = rule.next_due(datetime.fromisoformat(after).replace(tzinfo=UTC))
    assert (name, when.isoformat()) == (period, due_at)


BAD_FIELDS = [
    ({"every": "week"}, "every", "every 'week': use month, quarter or year"),
    ({"at": "6h"}, "at", "at '6h': use a time of day HH:MM, e.g. 06:00"),
    ({"day": 0}, "day", "day 0: use a day between 1 and 28 (valid in every month)"),
    (
        {"formats": "md,pdf"},
        "formats",
        "formats: unknown format pdf (use md, html, site, or a list: md,html,site)",
    ),
    (
        {"timezone": "Mars/Olympus"},
        "timezone",
        "timezone 'Mars/Olympus': not a known time zone (e.g. Asia/Almaty)",
    ),
    (
        {"schedule_id": "-x"},
        "schedule_id",
        "schedule_id '-x': use up to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
    ),
]


@pytest.mark.parametrize(("options", "field", "message"), BAD_FIELDS)
def test_the_library_names_its_own_fields_not_command_line_options(
    sqlite_store: Store, tmp_path: Path, options: dict, field: str, message: str
) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        add_schedule(sqlite_store, **{"every": "month", **options}, out=tmp_path)
    assert (caught.value.field, str(caught.value), caught.value.exit_code) == (field, message, 3)
    add_schedule(sqlite_store, every="month", out=tmp_path)
    with pytest.raises(UnknownSchedule) as caught:
        remove_schedule(sqlite_store, "yearly")
    assert str(caught.value) == "no schedule 'yearly' (schedules: monthly)"
    assert caught.value.exit_code == 3


def test_one_public_face() -> None:
    names = scheduling.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n[:1].islower(), n))
    assert all(hasattr(scheduling, name) for name in names)
    exported = ["RunSummary", "ScheduleInfo", "add_schedule", "list_schedules", "remove_schedule"]
    exported += ["run_pending", "serve", "stop_on_signals"]
    for name in exported:  # what ``reports`` exported before the split, it still does
        assert getattr(reports, name) is getattr(scheduling, name), name


# -- the job store and catch-up, both engines --------------------------------------------------


def stored_jobs(store: Store) -> dict[str, dict]:
    """Every job's state as APScheduler pickled it into ``apscheduler_jobs``."""
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, job_state FROM apscheduler_jobs"))
        return {row.id: pickle.loads(row.job_state) for row in rows}


def test_a_job_stored_by_an_earlier_release_still_loads_and_runs(
    ledger: Store, tmp_path: Path
) -> None:
    """Releases before the package was split stored exactly this state (APScheduler 3.x)."""
    out = tmp_path / "reports"
    list_schedules(ledger)  # creates the job store's table
    rule = ScheduleRule("quarter", "06:00", 1, "UTC")
    state = {
        "version": 1,
        "id": "quarterly",
        "func": "reports.scheduling:run_job",
        "trigger": rule.trigger(),
        "executor": "default",
        "args": (),
        "kwargs": {
            "url": "sqlite:////srv/old-place/ledger.db",  # and the ledger moved since
            "schedule_id": "quarterly",
            "every": "quarter",
            "at": "06:00",
            "day": 1,
            "timezone": "UTC",
            "formats": ["md", "html"],
            "out": str(out),
            "added": "2023-08-15T12:00:00+00:00",
        },
        "name": f"reform-ledger reports {rule.describe()}",
        "misfire_grace_time": None,
        "coalesce": True,
        "max_instances": 1,
        "next_run_time": datetime(2023, 10, 1, 6, tzinfo=UTC),
    }
    with ledger.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES (:i, :n, :s)"),
            {"i": "quarterly", "n": state["next_run_time"].timestamp(), "s": pickle.dumps(state)},
        )
    [info] = list_schedules(ledger)
    assert (info.schedule_id, info.rule, info.out) == ("quarterly", rule, out)
    summary = run_pending(ledger, clock=Clock(datetime(2023, 10, 2, tzinfo=UTC)))
    assert [r.periods for r in summary.results] == [["2023-Q3"]] and not summary.failed
    assert reports_in(out) == ["2023-Q3.html", "2023-Q3.md", "index.html", "index.md"]
    [job] = stored_jobs(ledger).values()  # re-pointed at the ledger, still the same function
    assert (job["func"], job["kwargs"]["url"]) == (JOB_FUNCTION, ledger.absolute_url())
    assert JOB_FUNCTION == "reports.scheduling:run_job"
    add_schedule(ledger, every="month", out=out, schedule_id="monthly")
    assert {job["func"] for job in stored_jobs(ledger).values()} == {JOB_FUNCTION}


def test_nothing_due_says_what_falls_due_next(ledger: Store, tmp_path: Path) -> None:
    quarterly(ledger, tmp_path / "reports", Clock(ADDED))
    add_schedule(ledger, every="year", out=tmp_path, timezone="Asia/Almaty", clock=Clock(ADDED))
    summary = run_pending(ledger, clock=Clock(datetime(2023, 9, 1, tzinfo=UTC)))
    assert (summary.results, summary.schedules) == ([], 2)
    assert [(n.schedule_id, n.period, n.due_at.isoformat()) for n in summary.waiting] == [
        ("quarterly", "2023-Q3", "2023-10-01T06:00:00+00:00"),
        ("yearly", "2023", "2024-01-01T06:00:00+06:00"),
    ]
    assert summary.waiting[1].describe() == "2024-01-01 06:00 +06 (2023)"
    assert isinstance(summary.waiting[0], NextRun)
    summary = run_pending(ledger, clock=Clock(datetime(2023, 10, 2, tzinfo=UTC)))
    assert [r.periods for r in summary.results] == [["2023-Q3"]]
    assert [(n.schedule_id, n.period) for n in summary.waiting] == [("yearly", "2023")]
    summary = run_pending(ledger, clock=Clock(datetime(2023, 10, 3, tzinfo=UTC)))
    assert [(n.schedule_id, n.period) for n in summary.waiting] == [
        ("quarterly", "2023-Q4"),
        ("yearly", "2023"),
    ]


# -- the job store and catch-up, both engines --------------------------------------------------


def test_one_second_job_fires_and_writes_its_files(ledger: Store, tmp_path: Path, serving) -> None:
    out = tmp_path / "reports"
    clock = Clock(datetime(2023, 12, 31, 23, 0, tzinfo=UTC))
    quarterly(ledger, out, clock, test_interval=1)
    finish = serving(ledger, clock)
    time.sleep(1.5)  # it fires, but nothing has fallen due yet
    assert reports_in(out) == []
    clock.now = datetime(2024, 1, 1, 6, 0, 5, tzinfo=UTC)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "index.html" not in reports_in(out):
        time.sleep(0.1)
    summary = finish()
    assert reports_in(out) == ["2023-Q4.html", "2023-Q4.md", "index.html", "index.md"]
    assert [r.periods for r in summary.results] == [["2023-Q4"]]
    [info] = list_schedules(ledger)
    assert info.last_run.result == "ok"
    assert info.last_run.periods == ["2023-Q4"]


def test_downtime_over_two_period_ends_renders_exactly_the_two_missed(
    ledger: Store, tmp_path: Path, serving
) -> None:
    out = tmp_path / "reports"
    clock = Clock(ADDED)
    quarterly(ledger, out, clock)
    clock.now = datetime(2023, 9, 1, tzinfo=UTC)
    assert serving(ledger, clock)().results == []  # up for a while, nothing due; then down
    clock.now = datetime(2024, 1, 10, tzinfo=UTC)  # restarted after Q3 and Q4 ended
    summary = serving(ledger, clock)()
    assert [r.periods for r in summary.results] == [["2023-Q3", "2023-Q4"]]
    names = ["2023-Q3.html", "2023-Q3.md", "2023-Q4.html", "2023-Q4.md", "index.html", "index.md"]
    assert reports_in(out) == names
    before = mtimes(out)
    time.sleep(0.05)
    clock.now = datetime(2024, 3, 31, tzinfo=UTC)  # restarted again: nothing new is due
    assert serving(ledger, clock)().results == []
    assert run_pending(ledger, clock=clock).results == []
    assert mtimes(out) == before


def test_same_bytes_are_not_rewritten(ledger: Store, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    quarterly(ledger, out, Clock(ADDED))
    run_pending(ledger, clock=Clock(datetime(2023, 10, 2, tzinfo=UTC)))
    before = mtimes(out)
    remove_schedule(ledger, "quarterly")  # forget it ran; the same period falls due again
    quarterly(ledger, out, Clock(ADDED))
    summary = run_pending(ledger, clock=Clock(datetime(2023, 10, 2, tzinfo=UTC)))
    assert [r.periods for r in summary.results] == [["2023-Q3"]]
    assert summary.written == []
    assert mtimes(out) == before


def test_scheduled_report_is_the_one_the_report_command_writes(
    sqlite_store: Store, tmp_path: Path
) -> None:
    sqlite_store.append([promise("party-signatures", "2022-03-16")])
    quarterly(sqlite_store, tmp_path / "scheduled", Clock(ADDED))
    run_pending(sqlite_store, clock=Clock(datetime(2023, 10, 2, tzinfo=UTC)))
    by_hand = tmp_path / "by-hand"
    result = CliRunner().invoke(
        app, ["--db", sqlite_store.url, "report", "--period", "2023-Q3", "--out", str(by_hand)]
    )
    assert result.exit_code == 0, result.output
    for name in ("2023-Q3.md", "2023-Q3.html"):
        assert (tmp_path / "scheduled" / name).read_bytes() == (by_hand / name).read_bytes()


def test_schedule_survives_a_restart(ledger: Store, tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REFORM_LEDGER_DB", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), "--db", ledger.url, "schedule", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )

    added = cli("add", "--every", "month", "--day", "2", "--at", "07:15", "--out", "out")
    assert added.returncode == 0, added.stderr
    assert added.stderr.startswith("schedule monthly added: every month, day 2 at 07:15 ")
    listed = cli("list", "--json")  # another process: the schedule came from the database
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert (row["id"], row["every"], row["day"], row["at"]) == ("monthly", "month", 2, "07:15")
    assert row["out"] == str(tmp_path / "out")
    assert row["next_run"] is not None and row["last_run"] is None
    with open_store(ledger.url).engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == [
            "monthly"
        ]


def test_failed_run_is_recorded_and_retried(
    ledger: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    quarterly(ledger, out, Clock(ADDED))
    good = reports.render_period

    def broken(store, period, **options):
        raise ReportError("folder not writable")

    monkeypatch.setattr(reports, "render_period", broken)
    clock = Clock(datetime(2023, 10, 2, tzinfo=UTC))
    summary = run_pending(ledger, clock=clock)
    assert [r.error for r in summary.failed] == ["2023-Q3: folder not writable"]
    [info] = list_schedules(ledger)
    assert (info.last_run.result, info.last_run.message) == (
        "failed",
        "2023-Q3: folder not writable",
    )
    monkeypatch.setattr(reports, "render_period", good)
    summary = run_pending(ledger, clock=clock)  # the period is still due
    assert [r.periods for r in summary.results] == [["2023-Q3"]] and not summary.failed
    assert "2023-Q3.md" in reports_in(out)


# -- kill -9 and the lock, both engines --------------------------------------------------------


def test_kill_9_during_rendering_leaves_no_partial_file(ledger: Store, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    quarterly(ledger, out, Clock(ADDED))
    marker = tmp_path / "renaming"
    now = datetime(2023, 10, 2, tzinfo=UTC)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reports.scheduling_support",
            "once",
            ledger.url,
            now.isoformat(),
            str(marker),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_marker(marker, child)
        temporary, target = (Path(line) for line in marker.read_text().splitlines())
        assert temporary.exists() and temporary.parent == out
        child.send_signal(signal.SIGKILL)  # in the middle of rendering 2023-Q3
    finally:
        child.kill()
        child.wait(10)
    assert not target.exists()
    assert [n for n in reports_in(out) if not n.startswith(".")] == []
    os.utime(temporary, (time.time() - 3600, time.time() - 3600))  # left an hour ago

    summary = run_pending(ledger, clock=Clock(now))  # the next start; the lock is free again
    assert [r.periods for r in summary.results] == [["2023-Q3"]] and not summary.failed
    assert reports_in(out) == ["2023-Q3.html", "2023-Q3.md", "index.html", "index.md"]
    assert not temporary.exists()
    with ledger.engine.connect() as connection:
        results = connection.execute(text("SELECT result FROM schedule_runs ORDER BY id"))
        assert results.scalars().all() == ["interrupted", "ok"]
    expected = tmp_path / "expected"
    reports.render_period(ledger, "2023-Q3", formats=("md", "html"), out=expected)
    for name in ("2023-Q3.md", "2023-Q3.html"):
        assert (out / name).read_bytes() == (expected / name).read_bytes()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_after_the_report_in_flight(
    sqlite_store: Store, tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "reports"
    quarterly(sqlite_store, out, Clock(ADDED))
    marker = tmp_path / "renaming"
    now = datetime(2024, 1, 10, tzinfo=UTC)  # 2023-Q3 and 2023-Q4 are due
    module = "tests.reports.scheduling_support"
    child = subprocess.Popen(
        [sys.executable, "-m", module, "serve", sqlite_store.url, now.isoformat(), str(marker)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_marker(marker, child)
        child.send_signal(signum)  # while 2023-Q3.md is being written
        assert child.wait(30) == 0
    finally:
        child.kill()
        child.wait(10)
    # the report in flight was finished, the next period left for the next start
    assert reports_in(out) == ["2023-Q3.html", "2023-Q3.md", "index.html", "index.md"]
    [info] = list_schedules(sqlite_store)
    assert info.last_run.result == "interrupted"
    summary = run_pending(sqlite_store, clock=Clock(now))
    assert [r.periods for r in summary.results] == [["2023-Q4"]]


def _start_cli_scheduler(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ}
    env.pop("REFORM_LEDGER_DB", None)
    process = subprocess.Popen(
        [str(SCRIPT), "--db", url, "schedule", "run"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )
    deadline = time.monotonic() + 30
    while "scheduler running" not in log.read_text() and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        time.sleep(0.05)
    assert "scheduler running" in log.read_text(), log.read_text()
    return process


def test_second_scheduler_refuses_until_the_first_is_gone(ledger: Store, tmp_path: Path) -> None:
    log = tmp_path / "first.log"
    first = _start_cli_scheduler(ledger.url, log)
    try:
        for args in (["schedule", "run"], ["schedule", "run", "--once"]):
            result = CliRunner().invoke(app, ["--db", ledger.url, *args])
            assert result.exit_code == 8, result.output
            [line] = result.stderr.splitlines()
            assert line.startswith("error: another scheduler is already running on this ledger (")
            assert f"pid {first.pid} on " in line
            assert line.endswith("; stop it first")
        first.send_signal(signal.SIGTERM)  # stops cleanly, releasing the lock
        assert first.wait(20) == 0, log.read_text()
        assert "scheduler stopped" in log.read_text()

        second = _start_cli_scheduler(ledger.url, tmp_path / "second.log")
        second.send_signal(signal.SIGKILL)  # no chance to clean up: the OS or server must
        second.wait(10)
        deadline = time.monotonic() + 10
        while True:  # PostgreSQL ends the dead client's session a moment later
            result = CliRunner().invoke(app, ["--db", ledger.url, "schedule", "run", "--once"])
            if result.exit_code == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert result.exit_code == 0, result.output
        assert (
            result.stderr
            == "nothing due: no schedules (add one with: reform-ledger schedule add)\n"
        )
        quiet = CliRunner().invoke(app, ["--db", ledger.url, "schedule", "run", "--once", "-q"])
        assert (quiet.exit_code, quiet.stderr) == (0, "")  # for cron, which mails any output
    finally:
        first.kill()
        first.wait(10)


# -- the command line -------------------------------------------------------------------------


def invoke(url: str, *args: str):
    result = CliRunner().invoke(app, ["--db", url, "schedule", *args])
    assert "Traceback" not in result.output
    return result


BAD_SCHEDULES = [
    ("--every week", "--every 'week': use month, quarter or year"),
    ("--every month --at 25:00", "--at '25:00': use a time of day HH:MM, e.g. 06:00"),
    ("--every month --day 31", "--day 31: use a day between 1 and 28 (valid in every month)"),
    (
        "--every year --formats pdf",
        "--formats: unknown format pdf (use md, html, site, or a list: md,html,site)",
    ),
    (
        "--every year --tz Mars/Olympus",
        "--tz 'Mars/Olympus': not a known time zone (e.g. Asia/Almaty)",
    ),
    (
        "--every year --id no.spaces!",
        "--id 'no.spaces!': use up to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
    ),
]


@pytest.mark.parametrize(("args", "reason"), BAD_SCHEDULES)
def test_bad_schedule_is_refused_with_one_line(
    sqlite_store: Store, tmp_path: Path, args: str, reason: str
) -> None:
    result = invoke(sqlite_store.url, "add", *args.split(), "--out", str(tmp_path))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [f"error: {reason}"]
    assert list_schedules(sqlite_store) == []


def test_add_list_replace_remove(sqlite_store: Store, tmp_path: Path) -> None:
    url = sqlite_store.url
    result = invoke(url, "add", "--every", "year", "--out", str(tmp_path), "--tz", "Asia/Almaty")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "schedule yearly added: every year, day 1 at 06:00 Asia/Almaty, md,html into "
    )
    [before] = list_schedules(sqlite_store)
    result = invoke(url, "add", "--every", "year", "--out", str(tmp_path), "--formats", "md")
    assert "schedule yearly replaced" in result.stderr
    [after] = list_schedules(sqlite_store)
    assert after.formats == ("md",) and after.added == before.added
    assert invoke(url, "list").exit_code == 0
    result = invoke(url, "remove", "yearly")
    assert (result.exit_code, result.stderr) == (0, "schedule yearly removed\n")
    result = invoke(url, "remove", "yearly")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: no schedule 'yearly' (there are none); see: reform-ledger schedule list\n"
    )
    assert invoke(url, "list", "--json").stdout.strip() == "[]"


def test_run_once_logs_one_line_per_file_and_fails_loudly(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    added = Clock(datetime.now(UTC) - timedelta(days=35))  # the CLI runs on the real clock
    first = ScheduleRule("month").due_periods(added.now, datetime.now(UTC))[0][0]
    add_schedule(sqlite_store, every="month", out=out, timezone="UTC", clock=added)
    result = invoke(sqlite_store.url, "run", "--once")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        f"schedule monthly: {first}: wrote {out / f'{first}.md'}",
        f"schedule monthly: {first}: wrote {out / f'{first}.html'}",
    ]
    assert lines[-1] == f"schedule monthly: index: wrote {out / 'index.html'}"
    now = datetime.now(UTC)
    due = datetime(now.year, now.month, 1, 6, tzinfo=UTC)
    if due <= now:  # the first of next month, 06:00, renders this month
        due = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, 6, tzinfo=UTC)
    month = (due - timedelta(days=1)).strftime("%Y-%m")
    result = invoke(sqlite_store.url, "run", "--once")
    assert (result.exit_code, result.stderr) == (
        0,
        f"schedule monthly: nothing due; next run {due:%Y-%m-%d} 06:00 UTC ({month})\n",
    )
    assert invoke(sqlite_store.url, "run", "--once", "--quiet").stderr == ""

    def broken(store, period, **options):
        raise ReportError("disk full")

    monkeypatch.setattr(reports, "render_period", broken)
    remove_schedule(sqlite_store, "monthly")
    add_schedule(sqlite_store, every="month", out=out, timezone="UTC", clock=added)
    result = invoke(sqlite_store.url, "run", "--once")
    assert result.exit_code == 8
    assert result.stderr.splitlines() == [
        f"error: schedule monthly: {first}: disk full",
        "error: 1 scheduled run(s) failed (monthly); see above",
    ]


def test_every_schedule_command_has_an_example() -> None:
    for name in ("add", "list", "remove", "run"):
        result = CliRunner().invoke(app, ["schedule", name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "Example: reform-ledger" in result.output, name


def test_a_publishing_schedule_builds_the_site_once_as_of_the_latest_period_due(
    sqlite_store: Store, tmp_path: Path
) -> None:
    sqlite_store.append([promise("party-signatures", "2022-03-16")])
    site = tmp_path / "site"
    quarterly(sqlite_store, site, Clock(ADDED), formats="site")
    # added in August 2023, run in January 2024: Q3 and Q4 fell due, published once
    summary = run_pending(sqlite_store, clock=Clock(datetime(2024, 1, 10, tzinfo=UTC)))
    assert [r.periods for r in summary.results] == [["2023-Q3", "2023-Q4"]]
    assert not (site / "2023-Q4.md").exists()  # no long period reports
    by_hand = tmp_path / "by-hand"
    published = CliRunner().invoke(
        app,
        ["--db", sqlite_store.url, "publish", "--as-of", "2023-12-31", "--out", str(by_hand)],
    )
    assert published.exit_code == 0, published.output
    scheduled = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert scheduled == sorted(p.relative_to(by_hand) for p in by_hand.rglob("*") if p.is_file())
    for relative in scheduled:
        assert (site / relative).read_bytes() == (by_hand / relative).read_bytes(), relative


def test_publish_is_a_schedule_format_beside_the_report_formats(
    sqlite_store: Store, tmp_path: Path
) -> None:
    added = CliRunner().invoke(
        app,
        ["--db", sqlite_store.url, "schedule", "add", "--every", "year", "--publish"]
        + ["--out", str(tmp_path), "--tz", "UTC"],
    )
    assert added.exit_code == 0, added.output
    assert "site into" in added.output
    info, _ = add_schedule(
        sqlite_store,
        every="year",
        out=tmp_path,
        formats="md,site",
        timezone="UTC",
        schedule_id="y2",
    )
    assert info.formats == ("md", "site")
    assert {s.schedule_id: s.formats for s in list_schedules(sqlite_store)}["yearly"] == ("site",)
    with pytest.raises(LedgerError, match="formats: unknown format pdf"):
        add_schedule(sqlite_store, every="year", out=tmp_path, formats="pdf,site")
