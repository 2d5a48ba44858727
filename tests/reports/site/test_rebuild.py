"""A rebuild that keeps pages by their inputs must still give a fresh build's bytes.

Item pages and period reports are kept when a digest of what they are made from did not
change, and their timelines and event lists are made only for a page that is rendered:
each change below reaches a kept page by a path that digest must cover.
"""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import pytest
from feedgen.feed import FeedGenerator

from events import parse_event
from ledger import Store
from reports import publish_site
from reports.site import pages
from reports.site.cache import SERIES_CACHE
from reports.site.manifest import MANIFEST
from tests.reports.conftest import add_2024_event, build_ledger, event
from tests.reports.site.test_publish import AS_OF, same_site, snapshot


def corrected_source(document: str, **fields: str):
    """A second ``source.registered`` for ``document``: a correction that replaces it,
    the same but for ``fields``."""
    return parse_event(
        {
            "type": "source.registered",
            "item": document,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"correction:{document}:{fields}")),
            "title": "Reform review: the first year of the new constitution",
            "short_title": "Analyst A (2023)",
            "author": "Analyst A",
            "publisher": "Reform Institute",
            "published": "2023-05",
            "kind": "think_tank",
            "url": "https://reform-institute.example/review-2023?lang=en&part=1",
            "language": "en",
            "recorded_at": "2024-07-03T00:00:00Z",
            **fields,
        }
    )


def retraction_of(store: Store, item: str, event_type: str):
    record = next(r for r in store.read() if r.item == item and r.type == event_type)
    return event(
        "event.retracted",
        item,
        record.effective,
        recorded_at="2024-07-03T00:00:00Z",
        retracted=record.id,
        reason="Misread the source.",
    )


CHANGES = {
    # a source's name and date as citations show them, on pages of items whose events
    # did not change
    "a changed source title": lambda store: [
        corrected_source("doc-a.txt", short_title="Analyst A, revised (2023)")
    ],
    "a changed source date": lambda store: [corrected_source("doc-a.txt", published="2023-06")],
    "a changed source link": lambda store: [
        corrected_source("doc-a.txt", url="https://reform-institute.example/review-2023-v2")
    ],
    # a timeline shows the retracted event with the reason; verdicts lose it
    "a retraction": lambda store: [retraction_of(store, "court", "assessment.recorded")],
    # an event recorded now that happened in an early period: that report lists it
    "a backdated event": lambda store: [
        event(
            "law.passed",
            "law-media",
            "2022-12-01",
            recorded_at="2024-07-03T00:00:00Z",
            chamber="Senate",
        )
    ],
    # a new link names the other item by its title on both pages
    "a new link": lambda store: [
        event(
            "law.drafted",
            "law-ombudsman",
            "2024-02-01",
            recorded_at="2024-07-03T00:00:00Z",
            title="Law on the ombudsman",
        ),
        event(
            "link.added",
            "law-ombudsman",
            "2024-02-02",
            recorded_at="2024-07-03T00:00:00Z",
            to="ombudsman",
            relation="implements",
        ),
    ],
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_after_a_change_equals_a_fresh_build(store, tmp_path, change):
    ledger = build_ledger(store)  # on both engines
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    before = snapshot(out)
    ledger.append(CHANGES[change](ledger))
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert rebuilt.unchanged  # pages were kept, or this tests nothing
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    assert snapshot(out) != before


def test_a_renamed_item_is_renamed_where_other_items_and_reports_name_it(ledger, tmp_path):
    """A law that supersedes another names it by title in its timeline, and reports
    name items by their titles today: neither page's own events change."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    ledger.append(
        [
            event("law.drafted", "law-parties-2", "2024-01-10", title="New law on parties"),
            event(
                "link.added",
                "law-parties-2",
                "2024-01-11",
                to="law-parties",
                relation="supersedes",
            ),
        ]
    )
    publish_site(ledger, out, as_of=AS_OF)
    renamed = "Law on political parties and their funding"
    ledger.append(
        [
            event(
                "law.amended",
                "law-parties",
                "2024-04-01",
                recorded_at="2024-07-03T00:00:00Z",
                title=renamed,
            )
        ]
    )
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    written = {p.relative_to(out).as_posix() for p in rebuilt.written}
    assert {"items/law-parties-2.html", "periods/2023-Q1.html"} <= written
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    assert f"supersedes: {renamed}" in (out / "items/law-parties-2.html").read_text()


@pytest.mark.parametrize(
    "options",
    [
        {"as_of": "2024-05-31"},
        {"as_of": AS_OF, "base_url": "https://example.org/l"},
        {"as_of": AS_OF, "title": "Another ledger"},
        {"as_of": AS_OF, "known_at": "2024-06-30T00:00:00Z"},
        {"as_of": AS_OF, "since": "2022-Q1"},
    ],
)
def test_a_rebuild_with_other_options_equals_a_fresh_build(ledger, tmp_path, options):
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, out, **options)
    publish_site(ledger, fresh, **options)
    same_site(out, fresh)


def _corrupt(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _foreign(path: Path, other: Path) -> None:
    path.write_bytes((other / path.name).read_bytes())


@pytest.mark.parametrize("name", [MANIFEST, SERIES_CACHE])
@pytest.mark.parametrize("how", ["corrupted", "foreign", "emptied"])
def test_a_broken_or_foreign_cache_file_gives_a_fresh_build(ledger, tmp_path, name, how):
    out, other, fresh = tmp_path / "site", tmp_path / "other", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, other, as_of="2023-12-31", title="Another ledger")
    path = out / name
    if how == "corrupted":
        _corrupt(path)
    elif how == "foreign":
        _foreign(path, other)
    else:
        path.write_bytes(gzip.compress(b"{}") if name == SERIES_CACHE else b"{}")
    ledger.append(CHANGES["a retraction"](ledger))
    publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)


def test_only_pages_whose_inputs_changed_are_rendered(ledger, tmp_path, monkeypatch):
    """Not merely written: an item page or a report whose inputs did not change is not
    rendered at all (nor its timeline or events listed)."""
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    rendered: list[tuple[str, str]] = []
    real = pages.render

    def counting(template: str, **context: object) -> str:
        if "item" in context:
            rendered.append((template, context["item"].id))
        elif "r" in context:
            rendered.append((template, context["r"]["name"]))
        return real(template, **context)

    monkeypatch.setattr(pages, "render", counting)
    add_2024_event(ledger)  # a measurement of party-signatures, March 2024
    publish_site(ledger, out, as_of=AS_OF)
    items = {name for template, name in rendered if template == "site/item.html"}
    reports = {name for template, name in rendered if template != "site/item.html"}
    assert items == {"party-signatures"}
    assert "2024-Q1" in reports and reports <= {"2024-Q1", "2024-Q2"}


#: Pages and feeds made from the whole site (not one item's page or one period's report).
def _whole_site(path: str) -> bool:
    return not (path.startswith("items/") and path != "items/index.html") and not (
        path.startswith("periods/") and path != "periods/index.html"
    )


def _pages_and_feeds(folder: Path) -> dict[str, bytes]:
    return {
        path: body
        for path, body in snapshot(folder).items()
        if path.endswith((".html", ".xml")) and _whole_site(path)
    }


def test_whole_site_pages_and_feeds_are_rendered_only_when_what_they_show_changed(
    store, tmp_path, monkeypatch
):
    """After one event that moves one item's status, a page or feed made from the whole
    site is rendered again exactly when its bytes change: the pages listing that item and
    the feeds of its change are, other areas' pages and feeds are not."""
    ledger = build_ledger(store)  # on both engines
    base = "https://example.org/l/"
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF, base_url=base)
    before = _pages_and_feeds(out)
    rendered: list[str] = []
    real_render, real_atom = pages.render, FeedGenerator.atom_str

    def counting(template: str, **context: object) -> str:
        if template != "site/period.md":  # the report's HTML twin is counted
            rendered.append(str(context["url"]).removeprefix(base))
        return real_render(template, **context)

    def counting_feed(self: FeedGenerator, *args: object, **kwargs: object) -> bytes:
        rendered.append(
            next(link["href"] for link in self.link() if link["rel"] == "self").removeprefix(base)
        )
        return real_atom(self, *args, **kwargs)

    monkeypatch.setattr(pages, "render", counting)
    monkeypatch.setattr(FeedGenerator, "atom_str", counting_feed)
    ledger.append(
        [
            event(
                "promise.abandoned",
                "ombudsman",
                "2024-05-02",
                recorded_at="2024-07-03T00:00:00Z",
                reason="Dropped.",
            )
        ]
    )
    publish_site(ledger, out, as_of=AS_OF, base_url=base)
    after = _pages_and_feeds(out)
    assert after.keys() == before.keys()
    changed = {path for path in after if after[path] != before[path]}
    remade = {path for path in rendered if _whole_site(path)}
    assert len(remade) == len(set(remade))  # each at most once
    assert remade == changed
    # the item (area "courts", in no package) is now broken: every list of it shows that
    shows_the_item = {
        "index.html",
        "items/index.html",
        "areas/courts.html",
        "feed.xml",
        "feeds/area-courts.xml",
    }
    assert shows_the_item <= remade
    kept = {"areas/media.html", "feeds/area-media.xml", "packages/march-2022-address.html"}
    assert kept <= after.keys() - remade
    fresh = tmp_path / "fresh"
    publish_site(ledger, fresh, as_of=AS_OF, base_url=base)
    same_site(out, fresh)


def test_a_rebuild_with_nothing_new_renders_no_page_and_no_feed(ledger, tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    rendered: list[str] = []
    real_render, real_atom = pages.render, FeedGenerator.atom_str

    def counting(template: str, **context: object) -> str:
        rendered.append(template)
        return real_render(template, **context)

    def counting_feed(self: FeedGenerator, *args: object, **kwargs: object) -> bytes:
        rendered.append("feed")
        return real_atom(self, *args, **kwargs)

    monkeypatch.setattr(pages, "render", counting)
    monkeypatch.setattr(FeedGenerator, "atom_str", counting_feed)
    again = publish_site(ledger, out, as_of=AS_OF)
    assert rendered == []
    assert again.unchanged and not again.written


def _hand_edited(out: Path, relative: str) -> None:
    (out / relative).write_text("edited by hand\n", encoding="utf-8")


BREAKS = {
    # what a whole-site page or feed shows changes while no status moves
    "a renamed item": lambda ledger, out: ledger.append(
        [
            event(
                "law.amended",
                "law-parties",
                "2024-04-01",
                recorded_at="2024-07-03T00:00:00Z",
                title="Law on political parties and their funding",
            )
        ]
    ),
    "a corrected source title": lambda ledger, out: ledger.append(
        [corrected_source("doc-a.txt", title="Reform review, corrected")]
    ),
    # the files on disk are no longer what their keys made
    "a hand-edited feed": lambda ledger, out: _hand_edited(out, "feed.xml"),
    "a hand-edited sources page": lambda ledger, out: _hand_edited(out, "sources.html"),
    "a deleted home page": lambda ledger, out: (out / "index.html").unlink(),
}


@pytest.mark.parametrize("change", list(BREAKS))
def test_a_whole_site_page_whose_key_breaks_gets_the_fresh_bytes(ledger, tmp_path, change):
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    BREAKS[change](ledger, out)
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert rebuilt.written and rebuilt.unchanged
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)


@pytest.mark.parametrize(
    "options",
    [
        {"as_of": "2024-06-29"},  # the same periods, another date on every page
        {"as_of": AS_OF, "known_at": "2024-06-30T00:00:00Z"},  # shown on the method page
        {"as_of": AS_OF, "title": "Another ledger"},  # in every feed and page frame
    ],
)
def test_whole_site_pages_follow_the_options_they_show(ledger, tmp_path, options):
    """The options reach the whole-site pages and feeds only through their keys: each
    such file a fresh build makes with other bytes is written again."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    before = _pages_and_feeds(out)
    rebuilt = publish_site(ledger, out, **options)
    publish_site(ledger, fresh, **options)
    same_site(out, fresh)
    written = {path.relative_to(out).as_posix() for path in rebuilt.written}
    after = _pages_and_feeds(out)
    assert {path for path in after if before.get(path) != after[path]} <= written
    assert "method.html" in written
