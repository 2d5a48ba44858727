"""Reports name sources from the ledger's own registrations, as known at the report's
known-at time, so a report stays byte for byte the same after a later correction; a
document an older ledger cites without a registration is shown as not registered."""

from __future__ import annotations

from reports import render_period
from tests.conftest import append_unchecked, registration
from tests.reports.conftest import event, read


def test_a_report_known_at_a_time_keeps_the_titles_known_then(ledger, tmp_path):
    render_period(ledger, "2023-Q4", out=tmp_path / "then", known_at="2024-07-01")
    before = {p.name: p.read_bytes() for p in (tmp_path / "then").iterdir()}
    corrected = registration(
        "doc-b.txt",
        id="0b7e4a2c-58c6-4a1e-9a56-3c1f6f1f2b77",
        title="Window dressing in Astana, revisited",
        short_title="Critic B (2022, rev.)",
        publisher="The Daily Critic",
        published="2022-07-01",
        kind="news",
        url="https://daily-critic.example/astana",
        recorded_at="2024-08-01",
    )
    ledger.append([corrected])

    render_period(ledger, "2023-Q4", out=tmp_path / "then", known_at="2024-07-01")
    assert {p.name: p.read_bytes() for p in (tmp_path / "then").iterdir()} == before
    render_period(ledger, "2023-Q4", out=tmp_path / "now")
    now = read(tmp_path / "now" / "2023-Q4.md")
    assert "Critic B (2022, rev.)" in now and "Window dressing in Astana, revisited" in now
    assert "[Window dressing in Astana, revisited](https://daily-critic.example/astana)" in now
    assert "Critic B (2022, rev.)" not in before["2023-Q4.md"].decode()


def test_an_unregistered_document_of_an_older_ledger_is_named_as_such(ledger, tmp_path):
    append_unchecked(
        ledger,
        [
            event(
                "assessment.recorded",
                "senate",
                "2023-11-01",
                source={"document": "old-memo.txt", "locator": "p. 3", "quote": "it stalled"},
                recorded_at="2024-06-30T00:00:00Z",
                assessor="Old memo",
                verdict="stalled",
                rationale="Nothing moved.",
            )
        ],
    )
    render_period(ledger, "2023-Q4", out=tmp_path)
    text = read(tmp_path / "2023-Q4.md")
    cited = text.split("## Sources cited", 1)[1]
    assert "| old-memo.txt (not registered) | old-memo.txt (not registered) | — | — |" in cited
    assert "Analyst A (2023)" in cited and "doc-a.txt" not in cited
