"""Bidi controls an older ledger holds never reach a reader raw: reports and terminal.

Today's validation refuses them, so the ledger here is built the way an older version
stored them: events constructed without validation, written as rows chained on the head
with no check (an older ledger did not register its sources either).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from events import INVISIBLE, Source
from events.promises import PromiseMade
from events.stages import LawDrafted
from ledger import open_store
from reports import render_period
from tests.conftest import append_unchecked
from tests.reports.checks import gfm
from tests.reports.conftest import link, read

RECORDED = datetime(2024, 6, 30, tzinfo=UTC)  # as the conftest's events, a backfill

#: "Trojan Source": the override makes "delivered" read backwards on screen.
SPOOF = "Abolish \u202edereviled\u202c the death penalty\u2066!\u2069"
SHOWN = "Abolish <U+202E>dereviled<U+202C> the death penalty<U+2066>!<U+2069>"


def _older_events() -> list:
    source = Source.model_construct(
        document="address\u200f.txt", locator="Sixth\u202e priority", quote="we will \u2067do\u2069"
    )
    made = PromiseMade.model_construct(
        id=uuid.uuid5(uuid.NAMESPACE_URL, "spoof-made"),
        item="spoof",
        effective="2023-01-10",
        source=source,
        recorded_at=RECORDED,
        title=SPOOF,
        statement=f"Statement: {SPOOF}",
        actor="President\u00ad",
        area="rights\ufeff",
        package=None,
        deadline=None,
        target=None,
    )
    drafted = LawDrafted.model_construct(
        id=uuid.uuid5(uuid.NAMESPACE_URL, "spoof-law"),
        item="spoof-law",
        effective="2023-11-02",
        source=source,
        recorded_at=RECORDED,
        title=f"Law: {SPOOF}",
        area=None,
        package=None,
        chamber=None,
        number=None,
        summary=None,
    )
    return [made, drafted, link("spoof-law", "spoof", "2023-11-02")]


@pytest.fixture(scope="module")
def older_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("older")
    path = folder / "ledger.db"
    store = open_store(f"sqlite:///{path}", create=True)
    try:
        append_unchecked(store, _older_events())
        stored = [r.data.get("title") for r in store.read() if r.type == "promise.made"]
        assert stored == [SPOOF]  # the ledger really holds the raw characters
        render_period(store, "2023-Q4", out=folder / "out")
    finally:
        store.close()
    return path


def test_markdown_shows_every_invisible_character_escaped(older_ledger: Path) -> None:
    text = read(older_ledger.parent / "out" / "2023-Q4.md")
    assert INVISIBLE.search(text) is None
    rendered = gfm().render(text)
    assert INVISIBLE.search(rendered) is None
    assert SHOWN.replace("<", "&lt;").replace(">", "&gt;") in rendered


def test_html_shows_every_invisible_character_escaped(older_ledger: Path) -> None:
    html = read(older_ledger.parent / "out" / "2023-Q4.html")
    assert INVISIBLE.search(html) is None
    assert SHOWN.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "&lt;U+200F&gt;" in html or "address" not in html  # the document name, if shown


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--as-of", "2023-12-31"],
        ["show", "spoof", "--as-of", "2023-12-31"],
        ["show", "spoof-law", "--as-of", "2023-12-31"],
        ["log"],
        ["diff", "2023-Q3", "2023-Q4"],
    ],
)
def test_the_terminal_never_receives_a_raw_invisible_character(
    older_ledger: Path, args: list[str]
) -> None:
    result = CliRunner().invoke(app, ["--db", str(older_ledger), *args])
    assert result.exit_code == 0, result.output
    assert INVISIBLE.search(result.stdout + result.stderr) is None
    if args[0] in ("status", "log", "show"):
        assert "<U+202E>" in result.stdout


@pytest.mark.parametrize(
    "args", [["status", "--json", "--as-of", "2023-12-31"], ["export"], ["log", "--json"]]
)
def test_json_output_escapes_them_losslessly(older_ledger: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["--db", str(older_ledger), *args])
    assert result.exit_code == 0, result.output
    assert INVISIBLE.search(result.stdout) is None
    assert "\\u202e" in result.stdout
    text = result.stdout
    values = (
        [json.loads(line) for line in text.splitlines()]
        if args == ["export"]
        else [json.loads(text)]
    )
    assert SPOOF in json.dumps(values, ensure_ascii=False)  # the data itself is unchanged


def test_an_error_message_quoting_stored_text_is_escaped_too(
    older_ledger: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "law.vetoed\u202e"}\n')
    result = CliRunner().invoke(app, ["--db", str(older_ledger), "import", str(bad)])
    assert result.exit_code == 3
    assert INVISIBLE.search(result.stderr) is None
    assert result.stderr.startswith(f"error: {bad}:1: unknown event type 'law.vetoed")


def _on_a_terminal(args: list[str]) -> str:
    """What the installed script writes to a real (pseudo-)terminal."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    try:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("reform-ledger")), *args],
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=env,
            timeout=60,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: all was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
    assert done.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("args", [["export", "--format", "csv"], ["status", "--as-of", "2023"]])
def test_on_a_real_terminal_they_are_shown_escaped(older_ledger: Path, args: list[str]) -> None:
    shown = _on_a_terminal(["--db", str(older_ledger), *args])
    assert INVISIBLE.search(shown) is None
    assert "<U+202E>" in shown


def test_a_csv_export_to_a_file_or_pipe_is_the_data_itself(older_ledger: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(older_ledger), "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert SPOOF in result.stdout
