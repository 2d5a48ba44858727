"""A database that is not a ledger, through the real command line, on both engines.

Every command that opens a ledger answers an empty database, or another program's,
with one line and exit 5, and leaves the database as it found it; ``init`` makes it a
ledger. A file that is not SQLite at all is refused in plain words, by ``init`` too.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text
from typer.testing import CliRunner

from cli import app

STORAGE = 5

#: Every command that opens an existing ledger, with valid arguments.
COMMANDS = {
    "status": ["status"],
    "status --json": ["status", "--json"],
    "show": ["show", "p1"],
    "log": ["log"],
    "export": ["export"],
    "diff": ["diff", "2022", "2023"],
    "verify": ["verify"],
    "digest": ["digest"],
    "record": [
        "record",
        "law.signed",
        "--item",
        "l1",
        "--effective",
        "2022",
        "--document",
        "d.txt",
        "--locator",
        "Intro",
        "--quote",
        "q",
    ],
    "import": ["import", "{events}"],
    "report": ["report", "--period", "2022", "--out", "{out}"],
    "schedule list": ["schedule", "list"],
}


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def invoke(url: str, args: list[str], tmp_path: Path):
    events = tmp_path / "events.jsonl"
    events.write_text(
        json.dumps(
            {
                "type": "law.signed",
                "item": "l2",
                "effective": "2022",
                "source": {"document": "d.txt", "locator": "Intro", "quote": "q"},
            }
        )
        + "\n"
    )
    filled = [a.format(events=events, out=tmp_path / "out") for a in args]
    return CliRunner().invoke(app, ["--db", url, *filled])


def assert_storage_error(result, line: str) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code == STORAGE, result.output
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


def sqlite_path(url: str) -> Path | None:
    return Path(make_url(url).database) if url.startswith("sqlite") else None


def execute(url: str, *statements: str) -> None:
    """Run SQL as another program would, with no ledger code involved."""
    path = sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def empty_url(ledger_url: str) -> str:
    """An empty database: a zero-byte SQLite file, or a fresh PostgreSQL database."""
    path = sqlite_path(ledger_url)
    if path is not None:
        path.write_bytes(b"")
    return ledger_url


@pytest.fixture
def other_url(ledger_url: str) -> str:
    """Another program's database, with a table and a row of its own."""
    execute(ledger_url, "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('mine')")
    return ledger_url


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_empty_database_is_not_a_ledger(empty_url, command, tmp_path):
    result = invoke(empty_url, COMMANDS[command], tmp_path)
    assert_storage_error(
        result,
        f"error: database {shown(empty_url)}: not a Reform Ledger database: "
        "run `reform-ledger init`",
    )
    path = sqlite_path(empty_url)
    if path is not None:
        assert path.read_bytes() == b""  # not even switched to WAL
        assert not path.with_name(path.name + "-wal").exists()
    else:
        assert tables(empty_url) == set()


@pytest.mark.parametrize("command", ["status", "log", "record", "schedule list"])
def test_another_programs_database_is_not_a_ledger_and_stays_untouched(
    other_url, command, tmp_path
):
    path = sqlite_path(other_url)
    before = path.read_bytes() if path is not None else None
    result = invoke(other_url, COMMANDS[command], tmp_path)
    assert_storage_error(
        result,
        f"error: database {shown(other_url)}: not a Reform Ledger database: "
        "run `reform-ledger init`",
    )
    if path is not None:
        assert path.read_bytes() == before
    assert tables(other_url) == {"notes"}


def test_init_makes_an_empty_database_a_ledger(empty_url, tmp_path):
    assert CliRunner().invoke(app, ["--db", empty_url, "init"]).exit_code == 0
    result = invoke(empty_url, COMMANDS["status --json"], tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == []


def test_a_table_named_events_of_another_program_is_refused_even_by_init(ledger_url, tmp_path):
    execute(ledger_url, "CREATE TABLE events (id INTEGER, what TEXT)")
    line = (
        f"error: database {shown(ledger_url)}: not a Reform Ledger database: its table "
        "'events' belongs to another program (no column 'position'); use another database"
    )
    assert_storage_error(invoke(ledger_url, ["init"], tmp_path), line)
    assert_storage_error(invoke(ledger_url, ["status"], tmp_path), line)
    assert tables(ledger_url) == {"events"}


@pytest.mark.parametrize("content", [b"hello, this is a text file\n", b"\x89PNG\r\n\x1a\n"])
@pytest.mark.parametrize("command", [["init"], ["status"], ["demo", "--out", "{out}"]])
def test_a_file_that_is_not_sqlite_is_refused_in_plain_words(tmp_path, content, command):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    url = f"sqlite:///{path}"
    result = invoke(url, command, tmp_path)
    assert_storage_error(result, f"error: database {url}: not a SQLite database file")
    assert path.read_bytes() == content
