"""Both formats from one context: GFM tables with the expected rows, valid HTML5, and a
page that opens in real Chromium without errors, on a phone-sized window too."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import render_series
from reports.periods import parse_period
from reports.report import period_context
from reports.snapshot import load_snapshot
from tests.reports.checks import check_markdown_tables, open_in_chromium, validate_html
from tests.reports.conftest import read


@pytest.fixture(scope="module")
def series_out(module_ledger, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("series")
    render_series(module_ledger, "2022-Q4", "2024-Q1", out=out)
    return out


def expected_rows(context) -> list[int]:
    """Rows of every table, in the order the Markdown template writes them."""
    rows = [len(context.score) + 1, len(context.history)]
    for items in (context.transitions, context.new_events, context.overdue, context.targets):
        if items:
            rows.append(len(items))
    rows += [len(c.verdicts) for c in context.contested if c.verdicts]
    rows += [len(g.rows) for g in context.areas + context.packages]
    rows.append(len(context.sources))
    return rows


@pytest.mark.parametrize("period", ["2022-Q4", "2023-Q3", "2023-Q4", "2024-Q1"])
def test_every_markdown_table_parses_with_the_expected_rows(module_ledger, series_out, period):
    tables = check_markdown_tables(read(series_out / f"{period}.md"))
    context = period_context(
        load_snapshot(module_ledger),
        parse_period(period),
        as_of=parse_period(period).end,
        known_at=None,
    )
    assert [len(t.rows) for t in tables] == expected_rows(context)


def test_the_index_links_every_report_newest_first(series_out):
    text = read(series_out / "index.md")
    tables = check_markdown_tables(text)
    assert [row[0] for row in tables[0].rows] == [
        "2024-Q1",
        "2023-Q4",
        "2023-Q3",
        "2023-Q2",
        "2023-Q1",
        "2022-Q4",
    ]
    assert "[HTML](2024-Q1.html)" in text
    assert '<a href="2023-Q4.md">Markdown</a>' in read(series_out / "index.html")


def test_every_html_file_passes_the_nu_html_checker(series_out):
    validate_html(series_out)


def test_the_report_says_the_same_in_both_formats(series_out):
    md, html = read(series_out / "2023-Q4.md"), read(series_out / "2023-Q4.html")
    for fact in ("2023-12-31", "reform-ledger/2", "3 of 6 promises delivered (50.0%)"):
        assert fact in md and fact in html
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")


def test_the_latest_report_opens_in_chromium_and_fits_a_phone(series_out, tmp_path):
    desktop = open_in_chromium(series_out / "2024-Q1.html", tmp_path / "desktop.png")
    phone = open_in_chromium(series_out / "2024-Q1.html", tmp_path / "phone.png", width=375)
    for visit in (desktop, phone):
        assert visit.console_errors == [] and visit.dialogs == []
        assert [u for u in visit.requests if not u.startswith("file://")] == []
        assert visit.overflow <= 0  # wide tables scroll inside their box, not the page
    assert (tmp_path / "desktop.png").stat().st_size > 10_000
    assert "Promises by status at the end of each quarter" in desktop.text
