"""Hostile ledger strings on every page type of the site stay inert text: nothing runs in
a real browser, no markup or link is injected, Markdown tables hold, feeds and CSV parse."""

from __future__ import annotations

import csv
import re

import pytest

from ledger import open_store
from reports import publish_site
from reports.site.model import CHANGES_CAP, LIST_CAP
from tests.conftest import append_unchecked
from tests.reports.checks import check_markdown_tables, gfm, validate_html, visit_pages
from tests.reports.conftest import promise
from tests.reports.site.test_downloads import atom_entries
from tests.reports.test_escaping import HOSTILE, SHORT, hostile_item_events


def hostile_quiet_promises(source: dict) -> list:
    """More hostile promises than a report lists inline, in two hostile areas, made in
    2022-Q2 and never heard of again: their events and status changes and, from 2023-Q3,
    their coverage gaps each get a page of their own."""
    return [
        promise(
            f"quiet-{n:03}",
            f"2022-06-{1 + n % 28:02}",
            f"{SHORT} {n}",
            SHORT if n % 2 else "area <b>two</b> & [x](javascript:alert(8))",
            source=source,
        )
        for n in range(max(LIST_CAP, CHANGES_CAP) + 1)
    ]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-site")
    store = open_store(f"sqlite:///{folder / 'ledger.db'}", create=True)
    source = {"document": SHORT, "locator": SHORT, "quote": HOSTILE, "url": "javascript:alert(7)"}
    other = {"document": "other.txt", "locator": "p. 2", "quote": HOSTILE}
    append_unchecked(  # as a ledger from before sources were registered holds it
        store,
        [
            *hostile_item_events(source, other),
            *hostile_quiet_promises(source),
        ],
    )
    out = folder / "site"
    publish_site(store, out, as_of="2023-12-31", title=SHORT)
    store.close()
    return out


def test_no_markup_is_injected_into_any_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert {p.parent.name for p in pages} >= {"items", "areas", "packages", "periods"}
    assert (hostile_site / "periods/2022-Q2-events.html").is_file()
    assert (hostile_site / "periods/2022-Q2-changes.html").is_file()
    assert (hostile_site / "periods/2023-Q4-gaps.html").is_file()
    for path in pages:
        page = path.read_text(encoding="utf-8")
        assert "<script" not in page and "<img" not in page and "<b>source" not in page, path
        assert not re.search(r"""(href|src)=["']?\s*javascript""", page, re.I), path
    item = (hostile_site / "items/hostile.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in item  # shown, not run
    validate_html(hostile_site)


def test_nothing_runs_in_a_real_browser(hostile_site, tmp_path):
    pages = [
        hostile_site / "index.html",
        hostile_site / "items/hostile.html",
        hostile_site / "items/index.html",
        next((hostile_site / "areas").glob("*.html")),
        next((hostile_site / "packages").glob("*.html")),
        hostile_site / "periods/2023-Q4.html",
        hostile_site / "periods/2022-Q2-events.html",
        hostile_site / "periods/2022-Q2-changes.html",
        hostile_site / "periods/2023-Q4-gaps.html",
        hostile_site / "sources.html",
        hostile_site / "method.html",
        hostile_site / "downloads.html",
    ]
    for path, screen in visit_pages(pages, tmp_path, width=390, height=800).items():
        assert screen.dialogs == [] and screen.console_errors == [], path
        assert screen.scripts == 0, path


def test_markdown_report_feed_and_csv_hold(hostile_site):
    for name in ("2023-Q4", "2022-Q2"):  # with lists' pages linked: gaps; events, changes
        text = (hostile_site / f"periods/{name}.md").read_text(encoding="utf-8")
        check_markdown_tables(text)
        rendered = gfm().render(text)
        assert "<script" not in rendered and "<img" not in rendered
        assert 'href="javascript' not in rendered
        hrefs = re.findall(r'href="([^"]*)"', rendered)
        assert hrefs and all(":" not in href for href in hrefs)
        # the site's pages, or a list's page beside the report
        lists = [h for h in hrefs if not h.startswith("../")]
        assert lists and all(
            re.fullmatch(rf"{name}-(events|gaps|changes)\.html(#[\w-]+)?", h) for h in lists
        )
    for feed in [hostile_site / "feed.xml", *sorted((hostile_site / "feeds").glob("*.xml"))]:
        atom_entries(feed)  # parses as Atom
    with (hostile_site / "data/items.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)}
    assert rows["hostile"]["title"] == SHORT


def test_the_feeds_never_carry_a_raw_invisible_character(tmp_path):
    """What an older ledger holds (bidi controls in titles and quotes) reaches a feed
    reader shown as <U+XXXX>, as on the pages, and the feeds stay well-formed Atom; the
    published events.jsonl writes them as JSON escapes, which read back to the same text."""
    from xml.sax.saxutils import escape as xml_escape

    from tests.reports.test_invisible_characters import SHOWN, _older_events

    store = open_store(f"sqlite:///{tmp_path / 'older.db'}", create=True)
    append_unchecked(store, _older_events())
    out = tmp_path / "site"
    publish_site(store, out, as_of="2024-01-01")
    store.close()
    events = (out / "data" / "events.jsonl").read_text(encoding="utf-8")
    assert "\\u202e" in events and "\u202e" not in events  # escaped, losslessly
    feeds = [out / "feed.xml", *sorted((out / "feeds").glob("*.xml"))]
    assert len(feeds) >= 2
    for path in feeds:
        text = path.read_text(encoding="utf-8")
        assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad\ufeff]", text), path
        assert atom_entries(path)
    assert xml_escape(SHOWN) in (out / "feed.xml").read_text(encoding="utf-8")
