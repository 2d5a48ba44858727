"""A period report stays short at any scale: a list of events or coverage gaps longer
than ``LIST_CAP`` (of status changes, ``CHANGES_CAP``) moves to a page of its own, which
the report summarises by area and links to; shorter lists stay inline as they were."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger import Store
from reports import publish_site
from reports.site import pages
from reports.site.model import CHANGES_CAP, LIST_CAP
from reports.site.publish import build, publish_period
from tests.reports.checks import broken_links, check_markdown_tables
from tests.reports.conftest import build_ledger, event, promise
from tests.reports.site.conftest import BASE_URL, DEMO_AS_OF
from tests.reports.site.test_publish import AS_OF, same_site, snapshot

AREAS = ("courts", "media", "local government")


def busy_quarter(count: int) -> list:
    """``count`` events listed in 2024-Q1: promises made in it (over three areas), a law
    drafted (no area), and two events first reported in it (ranges that began in 2023)."""
    made = [
        promise(f"busy-{n:02}", f"2024-02-{1 + n % 28:02}", f"Busy promise {n}", AREAS[n % 3])
        for n in range(count - 3)
    ]
    return [
        *made,
        event("law.drafted", "law-busy", "2024-03-01", title="Law on busy things"),
        event(
            "measurement.recorded",
            "party-signatures",
            "2023-11/2024-02",
            metric="signatures",
            value=7000,
            unit="signatures",
            period="2024-01",
        ),
        event("law.passed", "law-akims", "2023-12/2024-01-20", chamber="Senate"),
    ]


def busy_ledger(store: Store, count: int = LIST_CAP + 8) -> Store:
    build_ledger(store)
    store.append(busy_quarter(count))
    return store


def crowded_ledger(store: Store) -> Store:
    """More status changes in 2024-Q1 than a report lists inline (each promise made in
    it is one)."""
    return busy_ledger(store, CHANGES_CAP + 4)


def quiet_ledger(store: Store) -> Store:
    """More open promises than the cap, made in 2022-Q1 and never heard of again: coverage
    gaps from 2023-Q1 on."""
    build_ledger(store)
    store.append(
        [
            promise(f"quiet-{n:02}", "2022-01-15", f"Quiet promise {n}", AREAS[n % 3])
            for n in range(LIST_CAP + 4)
        ]
    )
    return store


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """From now on, (template, period) of every period page rendered, in order."""
    rendered: list[tuple[str, str]] = []
    real = pages.render

    def counting(template: str, **context: object) -> str:
        if "r" in context:
            rendered.append((template, context["r"]["name"]))  # type: ignore[index]
        return real(template, **context)

    monkeypatch.setattr(pages, "render", counting)
    return rendered


def _items_linked(page: str) -> list[str]:
    return re.findall(r'href="\.\./items/([^"]+)\.html"', page)


def _section(report: str, start: str) -> str:
    """The part of a report from the heading ``start`` to the end of its section (its
    status changes, which stay in the report, name the same items)."""
    return report.split(start, 1)[1].split("</section>", 1)[0]


def _events_part(report: str) -> str:
    return _section(report, "<h3>Events this quarter</h3>")


def test_a_long_event_list_moves_to_a_page_grouped_by_area(store, tmp_path):
    ledger = busy_ledger(store)  # on both engines
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    periods = out / "periods"
    report = (periods / "2024-Q1.html").read_text(encoding="utf-8")
    listed = (periods / "2024-Q1-events.html").read_text(encoding="utf-8")
    expected = [f"busy-{n:02}" for n in range(LIST_CAP + 5)] + ["law-busy"]
    # the report names none of the listed events, only their counts, and links the page
    assert _items_linked(_events_part(report)) == []
    assert set(expected) <= set(_items_linked(report))  # their status changes stay
    summary = (
        f"{LIST_CAP + 6} events happened this quarter, and 2 events that happened earlier "
        "(within the range given) were first reported in it."
    )
    assert summary in report
    for area, anchor in (("Courts", "courts"), ("Media", "media"), ("No area", "no-area")):
        target = f"2024-Q1-events.html#{'area-' if anchor != 'no-area' else ''}{anchor}"
        assert f'<a href="{target}">{area}</a>' in report
    # the page lists every one, in its area's section, with its source
    assert set(expected) <= set(_items_linked(listed))
    assert {"party-signatures", "law-akims"} <= set(_items_linked(listed))
    sections = dict(re.findall(r'<section id="([^"]+)">\s*<h2>([^<]+)<', listed))
    assert sections == {
        "area-courts": "Courts ",
        "area-local-government": "local government ",
        "area-media": "Media ",
        "area-parties": "Parties ",
        "no-area": "No area ",
    }
    courts = listed.split('<section id="area-courts">')[1].split("</section>")[0]
    assert "busy-00" in courts and "busy-01" not in courts  # busy-01 is in media
    assert "First reported this quarter" in listed and "Analyst A (2023)" in listed
    assert '<a href="2024-Q1.html">the report of 2024-Q1</a>' in listed
    assert "As of 31 March 2024" in listed and "Ledger digest <code>" in listed
    # the Markdown report links the HTML page; a short quarter keeps its list inline
    markdown = (periods / "2024-Q1.md").read_text(encoding="utf-8")
    assert "[the list of this quarter's events](2024-Q1-events.html)" in markdown
    assert "](2024-Q1-events.html#area-media) (" in markdown
    check_markdown_tables(markdown)
    assert not (periods / "2024-Q1-gaps.html").exists()
    assert not list(periods.glob("2023-*-events.html"))
    inline = (periods / "2023-Q3.html").read_text(encoding="utf-8")
    assert "items/law-parties.html" in inline and "-events.html" not in inline
    assert broken_links(out)[1] == []


@pytest.mark.parametrize("count", [LIST_CAP, LIST_CAP + 1])
def test_the_cap_is_the_longest_list_shown_inline(sqlite_store, tmp_path, count):
    ledger = busy_ledger(sqlite_store, count)
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    report = (out / "periods/2024-Q1.html").read_text(encoding="utf-8")
    moved = (out / "periods/2024-Q1-events.html").exists()
    assert moved == (count > LIST_CAP)
    assert ("busy-00" in _events_part(report)) == (not moved)
    assert ("2024-Q1-events.html" in report) == moved


def test_a_long_gap_list_moves_to_a_page_grouped_by_area(store, tmp_path):
    ledger = quiet_ledger(store)  # on both engines
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    periods = out / "periods"
    assert not (periods / "2022-Q4-gaps.html").exists()  # quiet for 11 months only
    report = (periods / "2023-Q1.html").read_text(encoding="utf-8")
    gaps = (periods / "2023-Q1-gaps.html").read_text(encoding="utf-8")
    quiet = {f"quiet-{n:02}" for n in range(LIST_CAP + 4)}
    assert _items_linked(_section(report, "<h2>Coverage gaps</h2>")) == []
    assert quiet <= set(_items_linked(gaps))
    assert "open promises have had no evidence for 12 months or more" in report
    assert '<a href="2023-Q1-gaps.html#area-media">Media</a>' in report
    assert "not a finding about the promise" in gaps
    assert "last evidence on 15 January 2022" in gaps
    assert "(2023-Q1-gaps.html)" in (periods / "2023-Q1.md").read_text(encoding="utf-8")
    # the events of 2022-Q1 (the quiet promises made) moved too; its gaps did not exist
    assert (periods / "2022-Q1-events.html").exists()
    assert broken_links(out)[1] == []


@pytest.mark.parametrize("make", [busy_ledger, quiet_ledger, crowded_ledger])
def test_one_period_alone_writes_its_report_and_list_pages_as_the_whole_build(
    store, tmp_path, make
):
    ledger = make(store)  # on both engines
    site, alone = tmp_path / "site", tmp_path / "alone"
    publish_site(ledger, site, as_of=AS_OF)
    for name in ("2023-Q1", "2024-Q1"):
        result = publish_period(ledger, alone, name, as_of=AS_OF)
        written = sorted(p.relative_to(alone).as_posix() for p in result.written)
        expected = sorted(
            p.relative_to(site).as_posix() for p in (site / "periods").glob(f"{name}*")
        )
        assert written == expected
        for path in written:
            assert (alone / path).read_bytes() == (site / path).read_bytes(), path
    assert list((alone / "periods").glob("*-*-*.html"))  # a list page was among them


def test_a_long_change_list_moves_to_a_page_grouped_by_area_and_cause(store, tmp_path):
    ledger = crowded_ledger(store)  # on both engines
    out = tmp_path / "site"
    publish_site(ledger, out, as_of="2024-03-31")  # 2024-Q1 is the latest period
    periods = out / "periods"
    report = (periods / "2024-Q1.html").read_text(encoding="utf-8")
    listed = (periods / "2024-Q1-changes.html").read_text(encoding="utf-8")
    made = {f"busy-{n:02}" for n in range(CHANGES_CAP + 1)}
    # the report names no changed item, only the counts by cause and area, and links
    assert _items_linked(_section(report, "<h2>What changed</h2>")) == []
    count = len(re.findall(r"<li><span class=\"swatch\"", listed))
    assert count > CHANGES_CAP
    assert f"{count} items changed status: {count} caused by what happened this quarter." in report
    assert '<a href="2024-Q1-changes.html#area-media">Media</a> (' in report
    assert "No item changed status" not in report
    # the page lists each change once, in its area's section, under its cause
    assert made <= set(_items_linked(listed))
    media = listed.split('<section id="area-media">')[1].split("</section>")[0]
    assert "busy-01" in media and "busy-00" not in media  # busy-00 is in courts
    assert "<h3>Caused by what happened this quarter</h3>" in media
    assert "Cause: promised: Busy promise 1 (2 February 2024)" in media
    assert "<h3>Caused by time passing</h3>" not in listed
    assert '<a href="2024-Q1.html">the report of 2024-Q1</a>' in listed
    markdown = (periods / "2024-Q1.md").read_text(encoding="utf-8")
    assert "[the list of this quarter's status changes](2024-Q1-changes.html)" in markdown
    assert not _items_linked(markdown.split("## What changed")[1].split("### Events")[0])
    check_markdown_tables(markdown)
    # the home page's short list points to the rest on that page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="periods/2024-Q1-changes.html">the list of 2024-Q1' in home
    # a quarter with fewer changes keeps them in its report
    assert not list(periods.glob("2023-*-changes.html"))
    assert broken_links(out)[1] == []


def test_moved_changes_keep_their_causes_apart(sqlite_store, tmp_path, monkeypatch):
    """2023-Q3 of the base ledger: a law's passage delivered a promise and a deadline
    passed (a change time made); with a cap below three both are on the page, each
    under its cause."""
    monkeypatch.setattr(pages, "CHANGES_CAP", 2)
    ledger = busy_ledger(sqlite_store)
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    report = (out / "periods/2023-Q3.html").read_text(encoding="utf-8")
    listed = (out / "periods/2023-Q3-changes.html").read_text(encoding="utf-8")
    said = r"(\d+) items changed status: (\d+) caused by what happened this quarter and (\d+) by"
    counts = re.search(said + r" time passing\.", report)
    assert counts and int(counts[1]) == int(counts[2]) + int(counts[3]) > 2
    assert "<h3>Caused by what happened this quarter</h3>" in listed
    assert "<h3>Caused by time passing</h3>" in listed and "passed." in listed
    assert "<h3>First reported" not in listed
    assert broken_links(out)[1] == []


@pytest.mark.parametrize("spare", [0, 1])
def test_the_changes_cap_is_the_longest_change_list_shown_inline(
    sqlite_store, tmp_path, monkeypatch, spare
):
    ledger = crowded_ledger(sqlite_store)
    site = build(ledger, as_of=AS_OF)
    count = len(next(p for p in site.periods if p.name == "2024-Q1").changes)
    monkeypatch.setattr(pages, "CHANGES_CAP", count - spare)  # count fits, or one too many
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    report = (out / "periods/2024-Q1.html").read_text(encoding="utf-8")
    moved = (out / "periods/2024-Q1-changes.html").exists()
    assert moved == bool(spare)
    changed = _items_linked(_section(report, "<h2>What changed</h2>"))
    assert ("busy-00" in changed) == (not moved)


def retractions(store: Store, count: int) -> list:
    """Retract ``count`` of the busy promises' events."""
    made = [r for r in store.read() if r.item.startswith("busy-") and r.type == "promise.made"]
    return [
        event(
            "event.retracted",
            record.item,
            record.effective,
            recorded_at="2024-07-03T00:00:00Z",
            retracted=record.id,
            reason="Not a promise after all.",
        )
        for record in made[:count]
    ]


def test_a_list_page_no_longer_needed_is_removed(sqlite_store, tmp_path):
    ledger = busy_ledger(sqlite_store, LIST_CAP + 2)
    out, other, fresh = tmp_path / "site", tmp_path / "other", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    publish_period(ledger, other, "2024-Q1", as_of=AS_OF)
    page = "periods/2024-Q1-events.html"
    assert (out / page).exists() and (other / page).exists()
    ledger.append(retractions(ledger, 2))  # 25 events left: inline again
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert out / page in rebuilt.removed and not (out / page).exists()
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    alone = publish_period(ledger, other, "2024-Q1", as_of=AS_OF)
    assert alone.removed == [other / page]
    assert "busy-" in (other / "periods/2024-Q1.html").read_text(encoding="utf-8")


def test_one_new_event_in_a_long_period_renders_its_list_page_and_report_only(
    store, tmp_path, monkeypatch
):
    ledger = busy_ledger(store)  # on both engines
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    before = snapshot(out)
    rendered = count_renders(monkeypatch)
    ledger.append(
        [
            event(
                "law.passed",
                "law-busy",
                "2024-03-20",
                recorded_at="2024-07-03T00:00:00Z",
                chamber="Mazhilis",
            )
        ]
    )
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    of_q1 = sorted(template for template, name in rendered if name == "2024-Q1")
    assert of_q1 == ["site/period-list.html", "site/period.html", "site/period.md"]
    written = {p.relative_to(out).as_posix() for p in rebuilt.written}
    q1 = {"periods/2024-Q1.html", "periods/2024-Q1.md", "periods/2024-Q1-events.html"}
    assert {w for w in written if w.startswith("periods/2024-Q1")} == q1
    page = "periods/2024-Q1-events.html"
    assert "20 March 2024" not in before[page].decode()
    assert "20 March 2024" in (out / page).read_text(encoding="utf-8")
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)


def test_an_old_list_on_a_new_event_elsewhere_is_kept(sqlite_store, tmp_path, monkeypatch):
    """A report's key covers a moved list by its counts: an event of another period that
    changes nothing the busy quarter shows leaves its report and list page unrendered."""
    ledger = busy_ledger(sqlite_store)
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    rendered = count_renders(monkeypatch)
    ledger.append(
        [
            event(
                "law.passed",
                "law-busy",
                "2024-05-20",
                recorded_at="2024-07-03T00:00:00Z",
                chamber="Senate",
            )
        ]
    )
    publish_site(ledger, out, as_of=AS_OF)
    names = {name for _, name in rendered}
    assert "2024-Q1" not in names and "2024-Q2" in names


def test_the_demo_short_reports_are_as_without_a_cap(demo_site, demo_store, tmp_path, monkeypatch):
    """With no cap every list stays inline: the demo reports whose lists are short are the
    same bytes either way, and only the long ones (events of 2022-Q2, gaps of 2023-Q2)
    changed."""
    monkeypatch.setattr(pages, "LIST_CAP", 10**9)
    uncapped = tmp_path / "uncapped"
    publish_site(demo_store, uncapped, as_of=DEMO_AS_OF, base_url=BASE_URL, title="Demo <site>")
    capped_files, uncapped_files = snapshot(demo_site), snapshot(uncapped)
    lists = {p for p in capped_files if re.fullmatch(r"periods/.+-(events|gaps)\.html", p)}
    assert {"periods/2022-Q2-events.html", "periods/2023-Q2-gaps.html"} <= lists
    assert "periods/2024-Q2-events.html" not in lists
    assert not [p for p in capped_files if p.endswith("-changes.html")]  # news stays inline
    moved = {p.removeprefix("periods/").rsplit("-", 1)[0] for p in lists}
    assert capped_files.keys() - lists == uncapped_files.keys()
    for path, body in uncapped_files.items():
        if path == ".reform-ledger-site.json":
            continue
        period = Path(path).stem if path.startswith("periods/") else ""
        assert (body == capped_files[path]) == (period not in moved), path
    long = (uncapped / "periods/2022-Q2.html").read_bytes()
    assert len((demo_site / "periods/2022-Q2.html").read_bytes()) < len(long) / 2
