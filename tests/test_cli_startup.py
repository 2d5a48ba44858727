"""Each command imports only what it needs: ``--help``, ``status`` and ``show`` on a small
SQLite ledger never load SQLAlchemy, SQLModel, APScheduler, Jinja2, YAML or the feed
library. A process is started per command (an import, once made, stays for the process),
and the test reads which modules it ended with, so a stray import is caught here rather
than in a benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import link, make, promise

ROOT = Path(__file__).resolve().parent.parent
#: Libraries none of these commands use; each costs tens to hundreds of milliseconds.
HEAVY = ("sqlalchemy", "sqlmodel", "apscheduler", "jinja2", "yaml", "feedgen")
#: Runs the command in this process, then prints the top-level modules it imported.
PROBE = """
import json, sys
import cli
sys.argv = ["reform-ledger", *sys.argv[1:]]
try:
    cli.main()
except SystemExit as done:
    code = done.code or 0
else:
    code = 0
roots = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "modules": roots}), file=sys.stderr)
"""


@pytest.fixture
def small_ledger(sqlite_store) -> str:
    sqlite_store.append([promise("p1", area="courts")])
    sqlite_store.append([make("law.signed", "law-1", "2022-03", title="A law", number="1-VII")])
    sqlite_store.append([link("law-1", "p1")])
    return sqlite_store.url


def imported(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


def test_help_loads_no_library_of_ours_nor_any_heavy_one():
    modules = imported("--help")
    assert not modules & {*HEAVY, "events", "ledger", "reports", "pydantic"}


@pytest.mark.parametrize(
    "argv",
    [["status"], ["status", "--json"], ["show", "p1"], ["show", "law-1", "--json"]],
    ids=" ".join,
)
def test_reading_commands_load_no_heavy_library(small_ledger, argv):
    modules = imported("--db", small_ledger, *argv)
    assert "ledger" in modules  # the command did its work in this process
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "reports" not in modules


def test_the_probe_sees_a_heavy_import_when_one_happens(small_ledger, tmp_path):
    """The check above can fail: ``report`` renders with Jinja2, and the probe says so."""
    modules = imported("--db", small_ledger, "report", "--period", "2022", "--out", str(tmp_path))
    assert "jinja2" in modules
