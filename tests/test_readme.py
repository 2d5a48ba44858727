"""The README's quick start runs as written and says what it says."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- quick-start: tested by tests/test_readme.py -->", 1)[1]
    block = block.split("```sh", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    return [shlex.split(line) for line in joined.splitlines() if line.strip()]


def test_the_first_lines_give_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[3].startswith("make demo") and lines[4].startswith("make test")
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_runs(tmp_path):
    outputs = []
    for command in quick_start_commands():
        assert command[0] == "reform-ledger"
        result = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), *command[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    status_table = outputs[5]
    assert re.search(r"party-signatures\s.*adopted", status_table)
    assert "Cut the signatures" in outputs[6]
    assert "Cornell & Barro (2022)" in outputs[6]  # sources are named by their short titles
    assert re.fullmatch(r"5:[0-9a-f]{64}\n", outputs[7])  # two registrations, three events
