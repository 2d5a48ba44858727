"""Hostile ledger strings stay inert text: nothing executes in the HTML, no Markdown
table breaks, no link or image appears but the registered source's own, and the text is
still there to read. The hostile strings sit in events, in a source's registration, and
in the document name an older ledger's event cites without a registration."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest

from reports import render_period
from tests.conftest import append_unchecked, registration
from tests.reports.checks import check_markdown_tables, gfm, open_in_chromium, validate_html
from tests.reports.conftest import event, link, promise, read

HOSTILE = (
    '<script>alert(1)</script> "><img src=x onerror=alert(2)> | pipe `tick` *star* '
    "[x](javascript:alert(3)) _under_ # hash & amp\nsecond line"
)
#: HOSTILE for one-line fields (an author, a title), which refuse a line break.
HOSTILE_LINE = HOSTILE.replace("\n", " ")
SHORT = '<script>alert(4)</script>"><img src=x onerror=alert(5)>|`*[x](javascript:alert(6))'
#: A valid web address full of what Markdown and HTML treat specially.
HOSTILE_URL = "https://hostile.example/it's(a)*_b_*?q=%3Cscript%3Ealert(9)&r=1#x)"


def hostile_item_events(source: dict, other: dict) -> list:
    """One hostile promise with a law, a measurement, two sources' verdicts and a
    revision, every text field hostile: the events both kinds of report are tested on."""
    return [
        promise(
            "hostile",
            "2023-01-05",
            SHORT,
            SHORT,
            package=SHORT,
            deadline="2023-03",
            source=source,
            target={
                "metric": SHORT,
                "unit": SHORT,
                "baseline": 1,
                "baseline_date": "2022",
                "goal": 10,
                "direction": "up",
            },
        ),
        event("law.drafted", "hostile-law", "2023-10-02", title=SHORT, source=source),
        link("hostile-law", "hostile", "2023-10-02"),
        event(
            "measurement.recorded",
            "hostile",
            "2023-11",
            source=source,
            metric=SHORT,
            value=4,
            unit=SHORT,
            period="2023-11",
        ),
        event(
            "assessment.recorded",
            "hostile",
            "2023-11-20",
            source=source,
            assessor=SHORT,
            verdict="broken",
            rationale=HOSTILE,
        ),
        event(
            "assessment.recorded",
            "hostile",
            "2023-12-01",
            source=other,
            assessor="Second <b>source</b>",
            verdict="delivered",
            rationale=HOSTILE,
        ),
        event(
            "promise.revised",
            "hostile",
            "2023-12-02",
            source=source,
            change="restated",
            summary=HOSTILE,
        ),
    ]


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    from ledger import open_store

    folder = tmp_path_factory.mktemp("hostile")
    store = open_store(f"sqlite:///{folder / 'ledger.db'}", create=True)
    source = {
        "document": "hostile-source",
        "locator": SHORT,
        "quote": HOSTILE,
        "url": "javascript:alert(7)",
    }
    other = {"document": "other.txt", "locator": "p. 2", "quote": HOSTILE}
    store.append(
        [
            registration(
                "hostile-source",
                title=SHORT,
                short_title=SHORT[:80],
                author=HOSTILE_LINE,
                publisher=SHORT,
                note=HOSTILE,
                url=HOSTILE_URL,
            ),
            registration("other.txt"),
            registration("doc-a.txt"),  # the links cite it
            *hostile_item_events(source, other),
        ]
    )
    unregistered = {"document": SHORT, "locator": SHORT, "quote": HOSTILE}
    append_unchecked(  # as a ledger from before sources were registered holds it
        store,
        [
            event(
                "assessment.recorded",
                "hostile",
                "2023-12-03",
                source=unregistered,
                assessor="Third <i>source</i>",
                verdict="stalled",
                rationale=HOSTILE,
            )
        ],
    )
    out = folder / "out"
    render_period(store, "2023-Q4", out=out)
    store.close()
    return out


def test_markdown_tables_survive_hostile_text(hostile_reports):
    text = read(hostile_reports / "2023-Q4.md")
    tables = check_markdown_tables(text)
    assert len(tables) >= 8
    html = gfm().render(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html and "<code>tick" not in html
    # the one link is the registered source's own address, as one whole URL
    [href] = [unquote(unescape(h)) for h in re.findall(r'<a\b[^>]*href="([^"]*)"', html)]
    assert href == unquote(HOSTILE_URL)
    assert "Third &lt;i&gt;source&lt;/i&gt;" in html and "(not registered)" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, not run
    hostile_rows = [row for table in tables for row in table.rows if "alert" in "".join(row)]
    assert hostile_rows and all("<em>" not in gfm().renderInline(" ".join(r)) for r in hostile_rows)


def test_markdown_keeps_each_entry_on_one_line(hostile_reports):
    lines = read(hostile_reports / "2023-Q4.md").splitlines()
    assert not [line for line in lines if line.startswith("second line")]
    assert any("revised (restated): \\<script\\>" in line for line in lines)


def test_html_escapes_everything_and_is_valid(hostile_reports):
    html = read(hostile_reports / "2023-Q4.html")
    assert (
        "<script" not in html
        and "<img" not in html
        and "javascript:" not in html.replace("javascript:alert", "escaped")
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    hrefs = re.findall(r'<a href="([^"#][^"]*)"', html)
    assert [unescape(href) for href in hrefs] == [HOSTILE_URL]
    validate_html(hostile_reports)


def test_nothing_executes_in_a_real_browser(hostile_reports, tmp_path):
    visit = open_in_chromium(hostile_reports / "2023-Q4.html", tmp_path / "hostile.png")
    assert visit.dialogs == []
    assert visit.console_errors == []
    assert (visit.scripts, visit.images) == (0, 0)
    assert [url for url in visit.requests if not url.startswith("file://")] == []
    assert "<script>alert(1)</script>" in visit.text  # the text is there to read
