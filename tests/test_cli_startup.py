"""Each command imports only what it needs: ``--help``, ``status`` and ``show`` on a small
SQLite ledger never load SQLAlchemy, SQLModel, APScheduler, Jinja2, YAML, the feed library
or the event models (reading upcasts through a plain table). Typer itself brings pydantic
to coerce option values, so the ledger's reading is also run without the CLI, where no
pydantic may be loaded at all. A process is started per command (an import, once made,
stays for the process), and the test reads which modules it ended with, so a stray import
is caught here rather than in a benchmark."""

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
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
#: What ``status`` and ``show`` ask of the ledger, without the CLI (and so without Typer).
READ = """
import json, sys
from ledger import open_store, show, source_registry, status
store = open_store(sys.argv[1])
status(store)
show(store, "p1")
show(store, "law-1")
source_registry(store)
store.close()
print(json.dumps({"code": 0, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
#: The modules that declare the event models (pydantic classes).
MODELS = ("events.base", "events.registry", "events.facts", "events.promises")


@pytest.fixture
def small_ledger(sqlite_store) -> str:
    sqlite_store.append([promise("p1", area="courts")])
    sqlite_store.append([make("law.signed", "law-1", "2022-03", title="A law", number="1-VII")])
    sqlite_store.append([link("law-1", "p1")])
    return sqlite_store.url


def imported(*argv: str, probe: str = PROBE, whole: bool = False) -> set[str]:
    """The top-level packages (or, ``whole``, all modules) the probe ended with."""
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    if whole:
        return set(report["modules"])
    return {name.split(".")[0] for name in report["modules"]}


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
    assert not imported("--db", small_ledger, *argv, whole=True) & set(MODELS)


def test_reading_the_ledger_loads_no_pydantic(small_ledger):
    modules = imported(small_ledger, probe=READ)
    assert "ledger" in modules
    assert not modules & {"pydantic", "pydantic_core", *HEAVY}, sorted(modules)


def test_the_probe_sees_pydantic_when_a_command_builds_the_models(small_ledger):
    """The pydantic check above can fail: ``types TYPE`` reads a model's fields."""
    modules = imported("--db", small_ledger, "types", "link.added", whole=True)
    assert modules & set(MODELS)


def test_the_probe_sees_a_heavy_import_when_one_happens(small_ledger, tmp_path):
    """The check above can fail: ``report`` renders with Jinja2, and the probe says so."""
    modules = imported("--db", small_ledger, "report", "--period", "2022", "--out", str(tmp_path))
    assert "jinja2" in modules
