"""The everyday commands on both engines: what they print, and that data goes to stdout."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ["--document", "d.txt", "--locator", "Intro", "--quote", "q"]


@pytest.fixture
def run(ledger_url):
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(cli.app, ["--db", ledger_url, *args])
        assert result.exit_code == 0, result.output
        return result

    invoke("init")
    return invoke


def build(run) -> None:
    run(
        "record",
        "promise.made",
        "--item",
        "p",
        "--effective",
        "2022-03-16",
        "--title",
        "Cut",
        "--statement",
        "Cut it.",
        "--actor",
        "President",
        "--area",
        "parties",
        "--deadline",
        "2023",
        *SOURCE,
    )
    run("record", "law.signed", "--item", "l", "--effective", "2022-05", "--title", "Law", *SOURCE)
    run(
        "record",
        "link.added",
        "--item",
        "l",
        "--to",
        "p",
        "--relation",
        "implements",
        "--effective",
        "2022-05",
        *SOURCE,
    )
    run("record", "law.in_force", "--item", "l", "--effective", "2023-01-01", *SOURCE)


def test_status_json_has_the_documented_fields(run):
    build(run)
    data = json.loads(run("status", "--json", "--as-of", "2022-12-31").stdout)
    assert data["as_of"] == "2022-12-31" and data["position"] == 4
    by_item = {item["item"]: item for item in data["items"]}
    assert by_item["p"]["status"] == "adopted"
    assert set(by_item["p"]) == {
        "item",
        "kind",
        "title",
        "area",
        "package",
        "status",
        "late",
        "contested",
        "contested_reasons",
        "deadline",
        "stage",
        "since",
        "cause_event",
        "implemented_by",
        "assessments",
        "target",
        "events",
        "last_effective",
        "evidence",
        "last_evidence",
        "evidence_gap",
        "deadline_implied",
    }
    later = json.loads(run("status", "--json", "--as-of", "2023-06-30").stdout)
    assert {i["item"]: i["status"] for i in later["items"]}["p"] == "delivered"


def test_status_labels_of_other_meters(run):
    build(run)
    assert "Promise Kept" in run("status", "--labels", "politifact", "--as-of", "2023-06").stdout


def test_show_log_diff_export_verify_digest(run):
    build(run)
    shown = json.loads(run("show", "p", "--json", "--as-of", "2023-06-30").stdout)
    assert shown["status"]["status"] == "delivered"
    assert shown["links_in"][0]["from"] == "l"
    assert "Cut" in run("show", "p").stdout
    early = run("show", "l", "--as-of", "2022-06-30", "--known-at", "2030-01-01").stdout
    assert "as of 2022-06-30, as known at 2030-01-01T23:59:59.999999Z" in early
    assert "events visible then" in early and "law in force" not in early
    everything = run("show", "l", "--as-of", "2022-06-30", "--all").stdout
    assert "every event" in everything and "law in force" in everything
    whole = json.loads(run("show", "l", "--as-of", "2022-06-30", "--all", "--json").stdout)
    assert whole["all"] and whole["timeline"][-1]["type"] == "law.in_force"
    assert "link.added" in run("log", "--item", "l").stdout
    changes = json.loads(run("diff", "2022-Q2", "2023-Q1", "--json").stdout)
    assert [(c["item"], c["before"], c["after"]) for c in changes] == [
        ("l", "adopted", "delivered"),
        ("p", "adopted", "delivered"),
    ]
    assert changes[0]["cause_type"] == "law.in_force"
    lines = run("export").stdout.splitlines()
    assert [json.loads(line)["position"] for line in lines] == [1, 2, 3, 4]
    csv_lines = run("export", "--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("position,id,type") and len(csv_lines) == 5
    digest = run("digest").stdout.strip()
    assert digest.startswith("4:")
    assert run("verify", "--digest", digest).stdout.strip() == digest


def _events_file(path: Path, count: int) -> Path:
    lines = [
        json.dumps(
            {
                "type": "promise.made",
                "item": f"p{i}",
                "effective": "2022",
                "source": {"document": "d", "locator": "l", "quote": "q"},
                "title": "t",
                "statement": "s",
                "actor": "a",
                "area": "x",
            }
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_is_quiet_when_piped(tmp_path):
    db = tmp_path / "l.db"
    events = _events_file(tmp_path / "e.jsonl", 3000)
    command = [sys.executable, str(ROOT / "cli.py"), "--db", str(db)]
    subprocess.run([*command, "init"], check=True, capture_output=True)
    result = subprocess.run([*command, "import", str(events)], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == "imported 3000 events from 1 file(s); 0 already stored\n"


def test_import_shows_a_progress_bar_on_a_terminal(tmp_path):
    db = tmp_path / "l.db"
    events = _events_file(tmp_path / "e.jsonl", 3000)
    command = [sys.executable, str(ROOT / "cli.py"), "--db", str(db)]
    subprocess.run([*command, "init"], check=True, capture_output=True)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [*command, "import", str(events)],
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    os.close(main)
    text = output.decode(errors="replace")
    assert "importing" in text and "imported 3000 events" in text
