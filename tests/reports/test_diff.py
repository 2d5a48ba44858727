"""Two consecutive quarters diff line by line: only changed rows and the header lines."""

from __future__ import annotations

import difflib

from reports import render_series
from tests.reports.conftest import read


def changed_lines(old: list[str], new: list[str]) -> list[str]:
    """The -/+ lines of a unified diff (no junk heuristics, as ``git diff`` would pair)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines = []
    for group in matcher.get_grouped_opcodes(0):
        for tag, i1, i2, j1, j2 in group:
            if tag != "equal":
                lines += ["-" + line for line in old[i1:i2]]
                lines += ["+" + line for line in new[j1:j2]]
    return lines


def test_consecutive_quarters_differ_only_in_rows_and_header_lines(ledger, tmp_path):
    # method 1, whose clock makes the senate stalled before it is broken
    render_series(
        ledger, "2023-Q3", "2023-Q4", out=tmp_path, formats="md", method="reform-ledger/1"
    )
    q3 = read(tmp_path / "2023-Q3.md").splitlines()
    q4 = read(tmp_path / "2023-Q4.md").splitlines()
    changed = changed_lines(q3, q4)
    assert changed
    for line in changed:
        body = line[1:]
        assert body.startswith(("| ", "- ", "# Reform Ledger report: ")), line
        assert not body.startswith("| ---"), line  # no table header changed
    # rows of items whose status did not change stay out of the diff
    assert not [line for line in changed if "`court`" in line or "`ombudsman`" in line]
    assert "-# Reform Ledger report: 2023-Q3" in changed
    assert any(
        line.startswith("+| `senate` | Shrink the Senate | Stalled | Broken |") for line in changed
    )
