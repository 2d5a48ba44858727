"""docs/events.md stays true: its example of an import with several errors is what the
command line prints for such files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "events.md"
SOURCE = {"document": "address.txt", "locator": "Section 2", "quote": "we will"}


def documented_example() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"then how\s+many more:\n\n```\n(.*?)```", text, re.S)
    assert block, "the example of several errors is missing from docs/events.md"
    return block.group(1).splitlines()


def promise(item: str, **fields: object) -> dict[str, object]:
    return {
        "type": "promise.made",
        "item": item,
        "effective": "2022-03-16",
        "source": SOURCE,
        "title": f"Promise {item}",
        "statement": "We will.",
        "actor": "President",
        "area": "parties",
        **fields,
    }


def test_the_documented_example_of_several_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [promise(f"p{i}") for i in range(1, 7)]
    rows[1]["title"] = "T" * 1_203
    rows.append(
        {
            "type": "link.added",
            "item": "p1",
            "effective": "2022",
            "source": SOURCE,
            "to": "p2",
            "relation": "implement",
        }
    )
    Path("events.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    law = (
        "- type: promise.made\n  item: {item}\n  effective: '2022-03-16'\n"
        "  source: {{document: a.txt, locator: s, quote: q}}\n  title: T\n  statement: S\n"
        "{actor}  area: parties\n"
    )
    Path("laws.yaml").write_text(
        "# two promises\n# of the quarter\n\n"
        + law.format(item="q1", actor="  actor: President\n")
        + law.format(item="q2", actor="")
    )
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert CliRunner().invoke(app, ["--db", url, "init"]).exit_code == 0
    result = CliRunner().invoke(app, ["--db", url, "import", "events.jsonl", "laws.yaml"])
    assert result.exit_code == 3
    assert result.stderr.splitlines() == documented_example()
