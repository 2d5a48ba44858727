"""`reform-ledger demo`: the bundled dataset, verified, and its published site.

The site itself is checked page by page in tests/reports/site; here, what the command
does: load, verify, publish, say where to look, and add or rewrite nothing when run again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import cli
from ledger.datasets import dataset_dir
from tests.reports.checks import check_markdown_tables, open_in_chromium

QUARTERS = [f"{year}-Q{q}" for year in range(2019, 2025) for q in range(1, 5)][2:22]


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


def test_demo_writes_the_site_with_every_quarter_from_2019_q3(demo):
    _, out, said = demo
    catalogue = yaml.safe_load((dataset_dir() / "catalogue.yaml").read_text(encoding="utf-8"))
    assert f"site of {len(catalogue)} items and 20 quarterly reports" in said
    names = sorted(path.name for path in (out / "periods").iterdir())
    lists = [name for name in names if name.endswith(("-events.html", "-gaps.html"))]
    expected = sorted([f"{q}.{ext}" for q in QUARTERS for ext in ("md", "html")] + ["index.html"])
    assert [name for name in names if name not in lists] == expected
    # the pages of reports' long lists (docs/publishing.md), for the busiest quarters
    assert {"2022-Q2-events.html", "2023-Q2-gaps.html"} <= set(lists)
    assert {name.rsplit("-", 1)[0] for name in lists} <= set(QUARTERS)
    for name in ("index.html", "items/index.html", "feed.xml", "data/reform-ledger.db"):
        assert (out / name).is_file(), name
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Kazakhstan&#39;s political reforms, 2019–2024" in home


def test_running_the_demo_again_adds_nothing_and_rewrites_nothing(demo):
    db, out, _ = demo
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = CliRunner().invoke(cli.app, ["--db", db, "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert ", 0 events appended" not in result.stderr
    assert re.search(r"dataset: 0 events appended, \d+ already there", result.stderr)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def test_every_demo_markdown_table_parses_as_gfm(demo):
    _, out, _ = demo
    for path in sorted((out / "periods").glob("*.md")):
        check_markdown_tables(path.read_text(encoding="utf-8"))


def test_the_latest_demo_report_opens_in_chromium(demo, tmp_path):
    _, out, _ = demo
    visit = open_in_chromium(out / "periods" / "2024-Q2.html", tmp_path / "latest.png")
    assert visit.console_errors == [] and visit.dialogs == [] and visit.scripts == 0
    assert all(url.startswith("file://") for url in visit.requests)
    assert "2024-Q2" in visit.text
    phone = open_in_chromium(out / "periods" / "2024-Q2.html", tmp_path / "phone.png", width=375)
    assert phone.overflow <= 0
    assert (tmp_path / "latest.png").stat().st_size > 10_000


def test_the_demo_site_names_its_sources_by_title_and_links_what_is_known(demo):
    _, out, _ = demo
    listed = (out / "sources.html").read_text(encoding="utf-8")
    url = "https://www.isdp.eu/content/uploads/2022/06/220531-FT-Kazreferendum.pdf"
    assert f'<a href="{url}">Kazakhstan&#39;s June Referendum: Accelerating Reform</a>' in listed
    for author in ("Svante E. Cornell", "Proroković"):
        assert author in listed
    page = (out / "items" / "against-all-ballot-option.html").read_text(encoding="utf-8")
    assert "Proroković (IIPE, 2023)" in page  # citations by short title
    pages = [out / "index.html", out / "sources.html", *sorted((out / "items").glob("*.html"))]
    for path in pages:  # never a file name where a reader reads
        assert not re.search(r">[^<]*\d{3}_[0-9a-f]{16}\.txt", path.read_text(encoding="utf-8")), (
            path
        )
