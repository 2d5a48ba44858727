"""`reform-ledger demo`: the bundled dataset, verified, and its 22 quarterly reports.

The whole demo output is checked by real tools: the Nu HTML Checker over every HTML file,
markdown-it over every Markdown table, and headless Chromium on the latest report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from tests.reports.checks import check_markdown_tables, open_in_chromium, validate_html

QUARTERS = [f"{year}-Q{q}" for year in range(2019, 2025) for q in range(1, 5)][:22]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[str, Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    db, out = folder / "demo.db", folder / "out"
    result = CliRunner().invoke(cli.app, ["--db", str(db), "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return str(db), out, result.stderr


def test_demo_loads_verifies_and_says_where_to_look(demo):
    _, out, said = demo
    assert re.search(
        r"dataset: \d+ events appended, 0 already there; ledger verified at \d+:", said
    )
    assert f"open {out / 'index.html'}" in said


def test_demo_writes_every_quarter_and_the_index(demo):
    _, out, _ = demo
    names = sorted(path.name for path in out.iterdir())
    expected = sorted(
        [f"{q}.{ext}" for q in QUARTERS for ext in ("md", "html")] + ["index.md", "index.html"]
    )
    assert names == expected


def test_running_the_demo_again_adds_nothing_and_rewrites_nothing(demo):
    db, out, _ = demo
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    result = CliRunner().invoke(cli.app, ["--db", db, "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert ", 0 events appended" not in result.stderr
    assert re.search(r"dataset: 0 events appended, \d+ already there", result.stderr)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == mtimes


def test_every_demo_html_file_passes_the_nu_html_checker(demo):
    _, out, _ = demo
    assert validate_html(out) == ""


def test_every_demo_markdown_table_parses_as_gfm(demo):
    _, out, _ = demo
    for path in sorted(out.glob("*.md")):
        check_markdown_tables(path.read_text(encoding="utf-8"))


def test_the_latest_demo_report_opens_in_chromium(demo, tmp_path):
    _, out, _ = demo
    visit = open_in_chromium(out / "2024-Q2.html", tmp_path / "latest.png")
    assert visit.console_errors == [] and visit.dialogs == [] and visit.scripts == 0
    assert all(url.startswith("file://") for url in visit.requests)
    assert "2024-Q2" in visit.text or "Q2 2024" in visit.text
    phone = open_in_chromium(out / "2024-Q2.html", tmp_path / "phone.png", width=375)
    assert phone.overflow <= 0
    assert (tmp_path / "latest.png").stat().st_size > 10_000


def test_the_demo_reports_name_their_sources_by_title_and_link_what_is_known(demo):
    _, out, _ = demo
    md, html = (out / "2024-Q1.md").read_text(), (out / "2024-Q1.html").read_text()
    cited = md.split("## Sources cited", 1)[1].split("## How to check", 1)[0]
    for short in ("Cornell \\& Barro (CACI, 2022)", "ECFR (2022)", "IWPR (2022)"):
        assert short in cited
    assert "Proroković (IIPE, 2023)" in cited and "Overview article (2024)" in cited
    assert ".txt" not in cited  # never a file name
    url = "https://www.isdp.eu/content/uploads/2022/06/220531-FT-Kazreferendum.pdf"
    assert f"[Kazakhstan's June Referendum: Accelerating Reform]({url})" in cited
    assert f'<a href="{url}">Kazakhstan' in html
    # the timelines cite by short title, each pointing to its row in the sources list
    assert '<a href="#s1">Cornell &amp; Barro (CACI, 2022)</a>' in html
