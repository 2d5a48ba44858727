"""Reports are byte-for-byte deterministic, and later events leave earlier reports alone."""

from __future__ import annotations

from pathlib import Path

from ledger import digest
from reports import render_period, render_series
from tests.reports.conftest import add_2024_event, build_ledger, read


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_period_twice_gives_the_same_bytes(store, tmp_path):
    build_ledger(store)
    first = render_period(store, "2023-Q4", out=tmp_path / "a")
    render_period(store, "2023-Q4", out=tmp_path / "b")
    assert [p.name for p in first] == ["2023-Q4.md", "2023-Q4.html"]
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert render_period(store, "2023-Q4", out=tmp_path / "a") == []  # nothing rewritten


def test_an_event_effective_in_2024_leaves_2023_reports_byte_identical(ledger, tmp_path):
    out = tmp_path / "out"
    render_series(ledger, "2023-Q1", "2024-Q2", out=out)
    before = _bytes(out)
    add_2024_event(ledger)
    rewritten = render_series(ledger, "2023-Q1", "2024-Q2", out=out)
    after = _bytes(out)
    later = {"2024-Q1.md", "2024-Q1.html", "2024-Q2.md", "2024-Q2.html"}
    assert {p.name for p in rewritten} == later
    assert {n for n in before if before[n] != after[n]} == later
    assert all(before[n] == after[n] for n in before if n.startswith("2023"))


def test_the_digest_is_that_of_the_newest_event_included_not_the_head(ledger, tmp_path):
    add_2024_event(ledger)
    render_period(ledger, "2023-Q4", out=tmp_path, formats="md")
    text = read(tmp_path / "2023-Q4.md")
    included = [r for r in ledger.read() if r.effective < "2024"]
    newest = max(included, key=lambda r: r.position)
    assert f"- Ledger digest: `{newest.position}:{newest.hash}`" in text
    assert digest(ledger) not in text
    assert f"- Known at: {newest.recorded_at} (when the newest event included" in text


def test_known_at_shows_what_the_ledger_knew_then(ledger, tmp_path):
    add_2024_event(ledger)
    render_period(ledger, "2024-Q1", out=tmp_path, formats="md", known_at="2024-06-30")
    text = read(tmp_path / "2024-Q1.md")
    assert "- Known at: 2024-06-30T23:59:59.999999Z (as requested)" in text
    assert "5,000 signatures (2024-03)" not in text  # recorded on 1 July, so not known yet
    render_period(ledger, "2024-Q1", out=tmp_path, formats="md")
    assert "5,000 signatures (2024-03)" in read(tmp_path / "2024-Q1.md")
