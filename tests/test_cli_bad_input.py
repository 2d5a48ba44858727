"""Bad input through the real command line: one clear line, a non-zero exit, nothing written.

Every case runs the Typer app (``CliRunner``) against a ledger on each engine that
already holds a few events, and checks: the error's exit code; exactly one line on
stderr, ``error: <file:line or field>: <reason>``; no traceback anywhere; and the same
event count and ``digest`` before and after. A few cases also run the installed
``reform-ledger`` script in a subprocess, so the console entry point is covered too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from events import event_types
from ledger import open_store
from tests.conftest import make, promise, registration

SCRIPT = Path(sys.executable).with_name("reform-ledger")
SOURCE = {"document": "address.txt", "locator": "Section 2", "quote": "we will"}
#: Flags every ``record`` case passes for the envelope's source.
SOURCE_FLAGS = ["--document", "address.txt", "--locator", "Section 2", "--quote", "we will"]
MISSING_ITEM_HINT = (
    "(an item is created by promise.made or by its first amendment, law or milestone event)"
)
INVALID, CONFLICT = 3, 4


def record_args(event_type: str, item: str, effective: str, *flags: str) -> list[str]:
    """``record`` arguments with a valid source, so each case varies only what it tests."""
    return ["record", event_type, "--item", item, "--effective", effective, *SOURCE_FLAGS, *flags]


@dataclass(frozen=True)
class Case:
    """One bad input: the command's arguments and the exact error line it must print."""

    args: list[str]
    line: str
    exit_code: int = INVALID


def _promise_raw(item: str, **fields: object) -> dict[str, object]:
    return {
        "type": "promise.made",
        "id": str(uuid.uuid4()),
        "item": item,
        "effective": "2022-03-16",
        "source": dict(SOURCE),
        "title": f"Promise {item}",
        "statement": "We will do it.",
        "actor": "President",
        "area": "parties",
        **fields,
    }


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


GOOD_YAML = """\
- type: promise.made
  item: p2
  effective: 2022-03-16
  source: {document: address.txt, locator: Section 2, quote: we will}
  title: Cut party signatures
  statement: From 20,000 to 5,000.
  actor: President
  area: parties
"""


# -- the cases: each writes what it needs into tmp_path and says what must be printed -------


def malformed_yaml(tmp: Path) -> Case:
    path = tmp / "bad.yaml"
    path.write_text("- type: promise.made\n  item: p2\n effective: 2022\n")
    return Case(
        ["import", str(path)],
        f"error: {path}:3: malformed YAML: expected <block end>, but found '<block mapping start>'",
    )


def malformed_jsonl(tmp: Path) -> Case:
    path = tmp / "bad.jsonl"
    path.write_text(json.dumps(_promise_raw("p2")) + '\n{"type": "promise.made", "item": "p3",}\n')
    return Case(
        ["import", str(path)],
        f"error: {path}:2: malformed JSON: trailing comma is not allowed (column 38)",
    )


def unknown_type_in_file(tmp: Path) -> Case:
    path = tmp / "events.yaml"
    path.write_text(GOOD_YAML + GOOD_YAML.replace("promise.made", "law.vetoed").replace("p2", "l2"))
    known = ", ".join(event_types())
    return Case(
        ["import", str(path)],
        f"error: {path}:9: unknown event type 'law.vetoed' (known: {known})",
    )


def unknown_type_recorded(tmp: Path) -> Case:
    known = ", ".join(event_types())
    return Case(
        record_args("law.vetoed", "l1", "2022"),
        f"error: unknown event type 'law.vetoed' (known: {known})",
    )


def missing_field_recorded(tmp: Path) -> Case:
    return Case(
        record_args(
            "promise.made",
            "p2",
            "2022",
            "--statement",
            "We will.",
            "--actor",
            "President",
            "--area",
            "parties",
        ),
        "error: field 'title': required field is missing",
    )


def missing_field_in_file(tmp: Path) -> Case:
    path = tmp / "events.yaml"
    path.write_text(GOOD_YAML.replace("  actor: President\n", ""))
    return Case(["import", str(path)], f"error: {path}:1: field 'actor': required field is missing")


def impossible_date(tmp: Path) -> Case:
    path = tmp / "events.yaml"
    path.write_text(GOOD_YAML + GOOD_YAML.replace("p2", "p3").replace("2022-03-16", "2023-02-30"))
    return Case(
        ["import", str(path)],
        f"error: {path}:9: field 'effective': impossible date 2023-02-30 "
        "(day 30 is out of range for the month)",
    )


def future_date(tmp: Path) -> Case:
    next_year = str(datetime.now(UTC).year + 1)
    return Case(
        record_args("law.signed", "l2", next_year),
        f"error: field 'effective': effective date {next_year} is in the future",
    )


def unknown_item(tmp: Path) -> Case:
    return Case(
        record_args("promise.abandoned", "ghost", "2023", "--reason", "Given up."),
        f"error: event 1: item 'ghost' does not exist {MISSING_ITEM_HINT}",
    )


def link_to_unknown_item(tmp: Path) -> Case:
    path = _write_jsonl(
        tmp / "links.jsonl",
        [
            {
                "type": "link.added",
                "item": "l1",
                "effective": "2022-06",
                "source": dict(SOURCE),
                "to": "nowhere",
                "relation": "implements",
            }
        ],
    )
    return Case(["import", str(path)], f"error: {path}:1: link to unknown item 'nowhere'")


def item_created_twice(tmp: Path) -> Case:
    path = tmp / "again.yaml"
    path.write_text(GOOD_YAML + GOOD_YAML)
    return Case(
        ["import", str(path)],
        f"error: {path}:9: item 'p2' already exists; promise.made creates an item once",
    )


def stale_expected_version(tmp: Path) -> Case:
    return Case(
        record_args(
            "promise.revised",
            "p1",
            "2023",
            "--change",
            "restated",
            "--summary",
            "Restated.",
            "--expected-version",
            "0",
        ),
        "error: item 'p1' is at version 1, but version 0 was expected "
        "(someone else changed it; reload and retry)",
        CONFLICT,
    )


def retract_unknown_event(tmp: Path) -> Case:
    ghost = "8c1f0d9e-1111-4111-8111-111111111111"
    return Case(
        record_args("event.retracted", "p1", "2023", "--retracted", ghost, "--reason", "Wrong."),
        f"error: event 1: cannot retract event {ghost}: no such event in the ledger",
    )


def huge_field_in_file(tmp: Path) -> Case:
    path = _write_jsonl(tmp / "huge.jsonl", [_promise_raw("p2", statement="x" * 10_000_000)])
    return Case(
        ["import", str(path)],
        f"error: {path}:1: field 'statement': is 10,000,000 characters long; "
        "at most 20,000 are allowed",
    )


def huge_field_recorded(tmp: Path) -> Case:
    return Case(
        record_args("promise.abandoned", "p1", "2023", "--reason", "y" * 10_000_000),
        "error: field 'reason': is 10,000,000 characters long; at most 20,000 are allowed",
    )


def nul_in_yaml(tmp: Path) -> Case:
    path = tmp / "nul.yaml"
    path.write_text(GOOD_YAML.replace("Cut party signatures", "Cut\x00party"))
    return Case(
        ["import", str(path)],
        f"error: {path}:5: malformed YAML: control character U+0000 is not allowed",
    )


def control_in_yaml(tmp: Path) -> Case:
    path = tmp / "bell.yaml"
    path.write_text(GOOD_YAML.replace("From 20,000", "From\x0720,000"))
    return Case(
        ["import", str(path)],
        f"error: {path}:6: malformed YAML: control character U+0007 is not allowed",
    )


def escaped_nul_in_jsonl(tmp: Path) -> Case:
    path = _write_jsonl(tmp / "nul.jsonl", [_promise_raw("p2", title="Cut\x00party")])
    assert "\\u0000" in path.read_text()  # the JSON text itself is clean; the value is not
    return Case(
        ["import", str(path)],
        f"error: {path}:1: field 'title': contains a control character (U+0000)",
    )


def control_in_source_quote(tmp: Path) -> Case:
    path = _write_jsonl(
        tmp / "esc.jsonl",
        [_promise_raw("p2", source={**SOURCE, "quote": "we \x1b[31mwill"})],
    )
    return Case(
        ["import", str(path)],
        f"error: {path}:1: field 'source.quote': contains a control character (U+001B)",
    )


def control_recorded(tmp: Path) -> Case:
    return Case(
        record_args("promise.abandoned", "p1", "2023", "--reason", "Given\x08up"),
        "error: field 'reason': contains a control character (U+0008)",
    )


def deeply_nested_yaml(tmp: Path) -> Case:
    path = tmp / "deep.yaml"
    path.write_text(GOOD_YAML + "- " + "[" * 5_000 + "]" * 5_000 + "\n")
    return Case(["import", str(path)], f"error: {path}:9: malformed YAML: nested too deeply")


def deeply_nested_jsonl(tmp: Path) -> Case:
    path = tmp / "deep.jsonl"
    path.write_text("[" * 5_000 + "]" * 5_000 + "\n")
    return Case(
        ["import", str(path)],
        f"error: {path}:1: malformed JSON: depth limit exceeded (column 1026)",
    )


def unregistered_source_recorded(tmp: Path) -> Case:
    args = record_args("promise.abandoned", "p1", "2023", "--reason", "Given up.")
    args[args.index("address.txt")] = "speech-2023"
    return Case(
        args,
        "error: source document 'speech-2023' is not registered; register it with this event "
        "(--source-title, --source-published, --source-kind, --source-language, and "
        "--source-author or --source-publisher) or first with: reform-ledger record "
        "source.registered --item speech-2023 …",
    )


def unregistered_source_in_file(tmp: Path) -> Case:
    path = tmp / "events.yaml"
    path.write_text(GOOD_YAML + GOOD_YAML.replace("p2", "p3").replace("address.txt", "memo.txt"))
    return Case(
        ["import", str(path)],
        f"error: {path}:9: promise.made on 'p3' cites source document 'memo.txt', which is not "
        "registered; register it first with a source.registered event for 'memo.txt' (earlier "
        "in the same file or batch, or already in the ledger)",
    )


def bad_source_url_recorded(tmp: Path) -> Case:
    args = record_args("promise.abandoned", "p1", "2023", "--reason", "Given up.")
    args[args.index("address.txt")] = "speech-2023"
    inline = ["--source-title", "Speech", "--source-published", "2023", "--source-kind", "news"]
    inline += ["--source-language", "en", "--source-url", "javascript:alert(1)"]
    return Case(
        [*args, *inline],
        "error: registering source 'speech-2023' (--source-*): field 'url': "
        "'javascript:alert(1)' is not a web address (give an http:// or https:// URL)",
    )


def registration_of_another_document(tmp: Path) -> Case:
    path = tmp / "sources.yaml"
    path.write_text(
        "- type: source.registered\n  item: memo.txt\n  title: Memo\n  published: 2023\n"
        "  kind: government\n  language: en\n"
        "  source: {document: address.txt, locator: p. 1, quote: Memo}\n"
    )
    return Case(
        ["import", str(path)],
        f"error: {path}:1: field 'source': a registration cites the document it registers "
        "('memo.txt'), not 'address.txt'",
    )


def event_on_a_source(tmp: Path) -> Case:
    return Case(
        record_args("measurement.recorded", "address.txt", "2023", "--metric", "pages")
        + ["--value", "3", "--unit", "pages", "--period", "2023"],
        "error: event 1: item 'address.txt' is a source; only source.registered (a correction) "
        "and event.retracted apply to it",
    )


def schema_zero_in_file(tmp: Path) -> Case:
    path = _write_jsonl(tmp / "old.jsonl", [_promise_raw("p2"), _promise_raw("p3", schema=0)])
    return Case(
        ["import", str(path)],
        f"error: {path}:2: field 'schema': promise.made schema versions start at 1, not 0",
    )


CASES: dict[str, Callable[[Path], Case]] = {
    f.__name__: f
    for f in (
        malformed_yaml,
        malformed_jsonl,
        deeply_nested_yaml,
        deeply_nested_jsonl,
        schema_zero_in_file,
        unknown_type_in_file,
        unknown_type_recorded,
        missing_field_recorded,
        missing_field_in_file,
        impossible_date,
        future_date,
        unknown_item,
        link_to_unknown_item,
        item_created_twice,
        stale_expected_version,
        retract_unknown_event,
        huge_field_in_file,
        huge_field_recorded,
        nul_in_yaml,
        control_in_yaml,
        escaped_nul_in_jsonl,
        control_in_source_quote,
        control_recorded,
        unregistered_source_recorded,
        unregistered_source_in_file,
        bad_source_url_recorded,
        registration_of_another_document,
        event_on_a_source,
    )
}

# -- harness ----------------------------------------------------------------------------------


@pytest.fixture
def ledger(ledger_url: str) -> str:
    """A ledger with two sources, a promise and a law, so 'unchanged' is about a real chain."""
    result = CliRunner().invoke(app, ["--db", ledger_url, "init"])
    assert result.exit_code == 0, result.output
    store = open_store(ledger_url)
    try:
        store.append(
            [
                registration(),
                registration("address.txt"),
                promise("p1"),
                make("law.signed", "l1", "2022-05", title="Law"),
            ]
        )
    finally:
        store.close()
    return ledger_url


def ledger_state(url: str) -> tuple[int, str]:
    """The event count and the ``digest`` the CLI prints."""
    result = CliRunner().invoke(app, ["--db", url, "digest"])
    assert result.exit_code == 0, result.output
    store = open_store(url)
    try:
        return store.count(), result.stdout.strip()
    finally:
        store.close()


def assert_refused(exit_code: int, stderr: str, stdout: str, case: Case) -> None:
    assert "Traceback" not in stderr + stdout
    assert exit_code == case.exit_code, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert lines[0] == case.line
    assert stdout == ""


def run_in_process(url: str, case: Case) -> None:
    result = CliRunner().invoke(app, ["--db", url, *case.args])
    # An unexpected exception would be caught by the runner; it must not have happened.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert_refused(result.exit_code, result.stderr, result.stdout, case)


def run_script(url: str, case: Case) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REFORM_LEDGER_DB", None)
    done = subprocess.run(
        [str(SCRIPT), "--db", url, *case.args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert_refused(done.returncode, done.stderr, done.stdout, case)


# -- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_one_line(ledger: str, tmp_path: Path, name: str) -> None:
    case = CASES[name](tmp_path)
    before = ledger_state(ledger)
    run_in_process(ledger, case)
    assert ledger_state(ledger) == before


@pytest.mark.parametrize(
    "name", ["malformed_yaml", "nul_in_yaml", "item_created_twice", "stale_expected_version"]
)
def test_the_installed_script_prints_no_traceback(ledger: str, tmp_path: Path, name: str) -> None:
    assert SCRIPT.is_file(), f"{SCRIPT} is not installed (pip install -e .)"
    case = CASES[name](tmp_path)
    before = ledger_state(ledger)
    run_script(ledger, case)
    assert ledger_state(ledger) == before


def _batch(bad: dict[str, object] | None) -> list[dict[str, object]]:
    """10,000 measurements of p1; with ``bad``, the 9,999th event is replaced by it."""
    rows: list[dict[str, object]] = [
        {
            "type": "measurement.recorded",
            "id": str(uuid.uuid4()),
            "item": "p1",
            "effective": "2023-01",
            "source": dict(SOURCE),
            "metric": "new parties registered",
            "value": float(i),
            "unit": "parties",
            "period": "2023",
        }
        for i in range(10_000)
    ]
    if bad is not None:
        rows[9_998] = {**rows[9_998], **bad}
    return rows


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param(
            {"item": "ghost"},
            f"item 'ghost' does not exist {MISSING_ITEM_HINT}",
            id="store-refuses-it",
        ),
        pytest.param(
            {"period": "2023-02-30"},
            "field 'period': impossible date 2023-02-30 (day 30 is out of range for the month)",
            id="validation-refuses-it",
        ),
    ],
)
def test_a_batch_whose_9999th_event_is_bad_is_refused_whole(
    ledger: str, tmp_path: Path, bad: dict[str, object], reason: str
) -> None:
    path = _write_jsonl(tmp_path / "batch.jsonl", _batch(bad))
    before = ledger_state(ledger)
    run_in_process(ledger, Case(["import", str(path)], f"error: {path}:9999: {reason}"))
    assert ledger_state(ledger) == before

    # The same batch with that one event mended goes in whole: it was refused for it alone.
    _write_jsonl(path, _batch(None))
    result = CliRunner().invoke(app, ["--db", ledger, "import", str(path)])
    assert result.exit_code == 0, result.output
    assert ledger_state(ledger)[0] == before[0] + 10_000
