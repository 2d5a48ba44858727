"""The demo's published site, checked by real tools: the Nu HTML checker over every page,
a link walker, headless Chromium at phone and desktop widths, and its own contents."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ledger import status
from reports import publish_site
from tests.reports.checks import (
    broken_links,
    check_markdown_tables,
    validate_html,
    visit_pages,
)
from tests.reports.site.conftest import BASE_URL, DEMO_AS_OF, html_pages

ROOT = Path(__file__).resolve().parents[3]


def test_every_page_passes_the_nu_html_checker(demo_site):
    assert len(html_pages(demo_site)) > 150
    assert validate_html(demo_site) == ""


def test_every_internal_link_and_anchor_resolves(demo_site):
    checked, broken = broken_links(demo_site)
    assert broken == []
    assert checked > 3000


def test_the_site_has_each_kind_of_page(demo_site):
    for name in (
        "index.html",
        "items/index.html",
        "items/party-registration-threshold.html",
        "periods/index.html",
        "periods/2024-Q2.html",
        "periods/2024-Q2.md",
        "periods/2022-Q2-events.html",
        "periods/2023-Q2-gaps.html",
        "sources.html",
        "method.html",
        "downloads.html",
        "feed.xml",
        "datapackage.json",
        "data/items.csv",
        "data/status-history.csv",
        "data/events.jsonl",
        "data/reform-ledger.db",
        "data/metadata.json",
        "site.css",
    ):
        assert (demo_site / name).is_file(), name
    assert list((demo_site / "areas").glob("*.html")) and list((demo_site / "feeds").glob("*.xml"))


def test_the_latest_quarter_report_is_short(demo_site):
    assert (demo_site / "periods/2024-Q2.html").stat().st_size <= 60_000
    # the busiest quarter too: its 158 events are on a page of their own
    assert (demo_site / "periods/2022-Q2.html").stat().st_size <= 60_000
    for path in sorted((demo_site / "periods").glob("*.md")):
        check_markdown_tables(path.read_text(encoding="utf-8"))


def test_tracking_starts_with_the_tracked_government_not_the_oldest_date(demo_site):
    reports = sorted(p.stem for p in (demo_site / "periods").glob("*.md"))
    assert reports[0] == "2019-Q3" and reports[-1] == "2024-Q2"
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "Promises by status since 2019-Q3" in home and "2012" not in home


def _visible_text(page: str) -> str:
    page = re.sub(r"<(code|pre|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_dates_are_written_as_people_write_them(demo_site):
    for path in html_pages(demo_site):
        text = _visible_text(path.read_text(encoding="utf-8"))
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", text), path
        assert not re.search(r"\b\d{4}(-\d{2}){0,2}/\d{4}", text), path
    item = (demo_site / "items/party-registration-threshold.html").read_text(encoding="utf-8")
    assert '<time datetime="2022-03-16">16 March 2022</time>' in item


def test_every_page_has_og_metadata_and_the_print_stylesheet(demo_site):
    assert "@media print" in (demo_site / "site.css").read_text(encoding="utf-8")
    for path in html_pages(demo_site):
        page = path.read_text(encoding="utf-8")
        url = BASE_URL + path.relative_to(demo_site).as_posix()
        assert f'<meta property="og:url" content="{url}">' in page, path
        assert '<meta property="og:title"' in page and '<meta property="og:description"' in page
        assert 'rel="stylesheet" href="' in page and "site.css" in page


def test_headline_numbers_are_in_the_first_screen(demo_store, demo_site, tmp_path):
    home = demo_site / "index.html"
    pages = [
        home,
        demo_site / "items/party-registration-threshold.html",
        demo_site / "periods/2024-Q2.html",
        demo_site / "items/index.html",
        demo_site / "periods/2022-Q2-events.html",
        demo_site / "periods/2023-Q2-gaps.html",
    ]
    for width in (390, 1280):
        seen = visit_pages(pages, tmp_path, width=width, height=800, selectors=(".headline",))
        for path, screen in seen.items():
            assert screen.console_errors == [] and screen.dialogs == [], path
            assert screen.scripts == 0 and screen.overflow <= 0, (path, width)
        assert seen[home].bottoms[".headline"] <= 800, width
        assert (tmp_path / f"index-{width}.png").stat().st_size > 10_000
    text = _visible_text(home.read_text(encoding="utf-8"))
    promises = [s for s in status(demo_store, as_of=DEMO_AS_OF).items if s.kind == "promise"]
    delivered = sum(s.status == "delivered" for s in promises)
    share = round(100 * delivered / len(promises))
    headline = rf"{delivered} of {len(promises)}\s+promises delivered \({share}%\)"
    assert re.search(headline, text), headline


def test_the_check_commands_on_the_method_page_work(demo_site, tmp_path):
    page = (demo_site / "method.html").read_text(encoding="utf-8")
    digest = (demo_site / "data/digest.txt").read_text(encoding="utf-8").strip()
    assert f"<code>{digest}</code>" in page

    def command(anchor: str) -> str:
        found = re.search(rf'<code id="{anchor}">(.*?)</code>', page, flags=re.S)
        assert found, anchor
        return html.unescape(found.group(1))

    python = subprocess.run(
        ["bash", "-c", command("check-python").replace("python3 ", f"{sys.executable} ", 1)],
        cwd=demo_site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert python.returncode == 0, python.stderr
    assert python.stdout.strip() == digest
    shutil.copytree(demo_site / "data", tmp_path / "data")
    binary = Path(sys.executable).parent / "reform-ledger"
    for line in command("check-ledger").splitlines():
        done = subprocess.run(
            ["bash", "-c", line.replace("reform-ledger ", f"{binary} ", 1)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert digest in done.stdout + done.stderr


def test_the_same_ledger_gives_the_same_bytes(demo_store, demo_site, tmp_path):
    again = tmp_path / "again"
    publish_site(demo_store, again, as_of=DEMO_AS_OF, base_url=BASE_URL, title="Demo <site>")
    first = {p.relative_to(demo_site): p.read_bytes() for p in demo_site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    result = publish_site(
        demo_store, again, as_of=DEMO_AS_OF, base_url=BASE_URL, title="Demo <site>"
    )
    assert result.written == [] and result.removed == []
