"""Each command imports only what it needs: ``--help``, ``status`` and ``show`` on a small
SQLite ledger never load pydantic, SQLAlchemy, SQLModel, APScheduler, Jinja2, YAML, the
feed library, the event models or rich's console (reading upcasts through a plain table,
Typer 0.28 coerces options without pydantic, and piped output is drawn without rich), and
``record`` builds the one event model it validates with and loads none of the rest. Typer
builds only the command a run names. A process is started per command (an import, once
made, stays for the process), and the test reads which modules it ended with, which Click
commands Typer built and which event models pydantic built (counts, never times), so a
stray import or build is caught here rather than in a benchmark.

What piped output skips must not change what it says: the tables and lines written
directly are the ones rich draws, character for character, and help says the same in
Click's plain layout as in rich's panels on a terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from tests.conftest import SOURCE, link, make, promise

ROOT = Path(__file__).resolve().parent.parent
#: Libraries none of these commands use; each costs tens to hundreds of milliseconds.
HEAVY = ("sqlalchemy", "sqlmodel", "apscheduler", "jinja2", "yaml", "feedgen")
#: Runs the command in this process, then prints the modules it imported, the Click
#: commands Typer built and the event models whose validators pydantic built.
PROBE = """
import gc, json, sys
import typer.main
import cli
commands = []
build_command = typer.main.get_command_from_info
def counted(command_info, **options):
    command = build_command(command_info, **options)
    commands.append(command.name)
    return command
typer.main.get_command_from_info = counted
sys.argv = ["reform-ledger", *sys.argv[1:]]
try:
    cli.main()
except SystemExit as done:
    code = done.code or 0
else:
    code = 0
models, classes = [], []
if "pydantic.main" in sys.modules:  # never imported here for the asking
    classes = [sys.modules["pydantic.main"].BaseModel]
while classes:
    cls = classes.pop()
    classes += cls.__subclasses__()
    if cls.__module__.startswith("events.") and cls.__pydantic_complete__:
        models.append(cls.__qualname__)
collector = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}
print(json.dumps({"code": code, "modules": sorted(sys.modules), "commands": sorted(commands),
                  "models": sorted(set(models)), "collector": collector}), file=sys.stderr)
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
#: The status rules and what keeps their answers: a command that only appends needs none.
STATUS_RULES = (
    "ledger.projections.status",
    "ledger.projections.series",
    "ledger.projections.statuses",
    "ledger.projections.checkpoint",
)
#: The modules that declare the event models (pydantic classes).
MODELS = ("events.base", "events.registry", "events.facts", "events.promises")
#: Rich's drawing machinery and Typer's rich help: a terminal's, not a pipe's.
RICH_DRAWING = ("rich.console", "rich.table", "rich.markdown", "typer.rich_utils")
#: What rich adds on a terminal that a pipe does not get: colours and bold.
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def small_ledger(sqlite_store) -> str:
    sqlite_store.append([promise("p1", area="courts")])
    sqlite_store.append([make("law.signed", "law-1", "2022-03", title="A law", number="1-VII")])
    sqlite_store.append([link("law-1", "p1")])
    return sqlite_store.url


def probed(*argv: str, probe: str = PROBE) -> dict[str, Any]:
    """What the probe says of one process: its exit code, modules, commands and models."""
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
    return report


def imported(*argv: str, probe: str = PROBE, whole: bool = False) -> set[str]:
    """The top-level packages (or, ``whole``, all modules) the probe ended with."""
    modules = probed(*argv, probe=probe)["modules"]
    if whole:
        return set(modules)
    return {name.split(".")[0] for name in modules}


def test_help_loads_no_library_of_ours_nor_any_heavy_one():
    report = probed("--help")
    modules = {name.split(".")[0] for name in report["modules"]}
    assert not modules & {*HEAVY, "events", "ledger", "reports", "pydantic", "rich"}, modules
    # the root's help lists every command, so Typer built them all (schedule's too)
    assert {"record", "status", "show", "add", "run"} <= set(report["commands"])


@pytest.mark.parametrize(
    "argv",
    [["status"], ["status", "--json"], ["show", "p1"], ["show", "law-1", "--json"]],
    ids=" ".join,
)
def test_reading_commands_load_no_heavy_library(small_ledger, argv):
    report = probed("--db", small_ledger, *argv)
    assert report["commands"] == argv[:1]  # Typer built the command run, and no other
    modules = set(report["modules"])
    packages = {name.split(".")[0] for name in modules}
    assert "ledger" in packages  # the command did its work in this process
    unwanted = {*HEAVY, "reports", "pydantic", "pydantic_core"}
    assert not packages & unwanted, sorted(packages & unwanted)
    assert not modules & {*MODELS, *RICH_DRAWING}, sorted(modules & {*MODELS, *RICH_DRAWING})


def test_record_builds_its_type_model_alone_and_loads_nothing_heavy(small_ledger):
    report = probed(
        *("--db", small_ledger, "record", "measurement.recorded", "--item", "p1"),
        *("--effective", "2022-05", "--metric", "parties", "--value", "7", "--unit", "parties"),
        *("--period", "2022-05", "--document", SOURCE["document"], "--locator", "p. 2"),
        *("--quote", SOURCE["quote"]),
    )
    modules = set(report["modules"])
    # it validated the event with its type's model, the only one built (the envelope and
    # the source citation are built into it; the module's other types are declared, not
    # built), read the item's kind (a promise) from the plain table, not the promise's
    # model, and Typer built the record command alone
    assert report["models"] == ["MeasurementRecorded"]
    assert {"events.base", "events.registry", "events.facts", "events.kinds"} <= modules
    assert not modules & {"events.promises", "events.stages", "events.findings"}
    assert not modules & {"events.sources", "events.catalogue"}
    assert report["commands"] == ["record"]
    # the cyclic collector was off while it ran, and what it made was frozen on the way out
    assert not report["collector"]["enabled"] and report["collector"]["frozen"] > 10_000
    packages = {name.split(".")[0] for name in modules}
    assert not packages & {*HEAVY, "reports"}, sorted(packages & {*HEAVY, "reports"})
    assert not modules & set(RICH_DRAWING)
    # an append checks the chain, ids and sources: it derives no status
    assert not modules & set(STATUS_RULES), sorted(modules & set(STATUS_RULES))


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


#: Runs the whole command line, every command built, as ``cli.main`` did before it built
#: only the command named.
WHOLE = (
    "import cli; cli.app.rich_markup_mode = cli.schedule_app.rich_markup_mode = None; "
    "cli.app(prog_name='reform-ledger')"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["record", "link.added", "--help"],
        ["record", "law.signed", "--item", "l1", "--bogus"],
        ["record"],
        ["status", "--as-of"],
        ["schedule", "list", "--help"],
        ["schedule", "lsit"],
        ["stauts"],
        ["--db", "{db}", "show", "nobody"],
        ["--db={db}", "show"],
        ["--db", "show", "status"],
    ],
    ids=" ".join,
)
def test_a_run_that_builds_one_command_says_what_the_whole_command_line_says(small_ledger, argv):
    """Help, usage errors (an unknown command's suggestions included) and the library's
    errors read the same whether Typer built every command or only the one named."""
    argv = [arg.format(db=small_ledger) for arg in argv]
    said = [
        subprocess.run(
            [sys.executable, "-c", code, *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        for code in (WHOLE, "import cli; cli.main()")
    ]
    whole, one = ((done.returncode, done.stdout, done.stderr) for done in said)
    assert one == whole
    assert whole[0] != 0 or "Usage" in whole[1]  # each says something worth comparing


def test_piped_help_names_every_command_and_option(small_ledger):
    """Piped help is Click's plain layout; it lists what the rich panels list."""
    text = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "--help"],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True,
    ).stdout  # fmt: skip
    assert "╭" not in text
    for name in ("init", "record", "status", "show", "verify", "publish", "schedule"):
        assert re.search(rf"^  {name}\s", text, re.M), name
    record = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "record", "link.added", "--help"],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True,
    ).stdout  # fmt: skip
    options = set(re.findall(r"^  (--[a-z][a-z-]*)", record, re.M))
    assert {"--item", "--to", "--relation", "--quote"} <= options
    assert "--title" not in options  # only link.added's own fields, as on a terminal


def test_help_on_a_terminal_is_drawn_by_rich():
    pty = pytest.importorskip("pty")
    main, child = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        try:
            while chunk := os.read(main, 65536):
                chunks.append(chunk)
        except OSError:  # the child closed its side
            pass

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(
            [sys.executable, "-c", "import cli; cli.main()", "--help"],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=child, stderr=child, check=True,
            env={**os.environ, "COLUMNS": "100"},
        )  # fmt: skip
    finally:
        os.close(child)
        reader.join()
        os.close(main)
    text = ANSI.sub("", b"".join(chunks).decode())
    assert "╭─ Commands" in text and "│ status" in text


#: Text a title or a quote may hold: any script, wide characters, combining marks, rich's
#: markup and emoji codes (printed as they are), and in quotes tabs and line breaks.
TITLE = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda text: text.strip() == text and text)
MARKUP = st.sampled_from(["[/]", "[bold]x[/bold]", "[long enough]", ":smile:", "\\[", ""])
QUOTE = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cf"), include_characters="\t\n"),
    min_size=1,
    max_size=30,
).filter(str.strip)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TITLE, mark=MARKUP, quote=QUOTE)
def test_piped_output_is_what_rich_draws(sqlite_store, title, mark, quote):
    """``show`` and ``status`` piped (written directly) and forced through rich
    (``FORCE_COLOR``, as on a terminal) say the same, character for character."""
    item = f"p{sqlite_store.count()}"
    source = {**SOURCE, "quote": f"{quote} {mark}".strip()}
    sqlite_store.append([promise(item, title=f"{title} {mark}".strip(), source=source)])
    runner = CliRunner()
    for args in (["show", item], ["status", "--area", "testing"]):
        argv = ["--db", sqlite_store.url, *args, "--known-at", "2030-01-01"]
        piped = runner.invoke(app, argv, env={"FORCE_COLOR": None, "TTY_COMPATIBLE": None})
        drawn = runner.invoke(app, argv, env={"FORCE_COLOR": "1"})
        assert piped.exit_code == drawn.exit_code == 0, piped.output + drawn.output
        assert "\x1b[" not in piped.stdout
        assert piped.stdout == ANSI.sub("", drawn.stdout)
    assert f"{title} {mark}".strip() in piped.stdout  # printed as it is, markup and all
