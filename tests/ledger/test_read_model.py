"""The read model: one cut (as of, known at) decides what every reader sees.

The first test is the regression that started it: ``show`` used to drop incoming links
by whether they were ever retracted, not by whether the retraction was known at the cut.
"""

from __future__ import annotations

from datetime import date

from ledger import Cut, Knowledge, RecordView, catch_up, parse_known_at, show
from tests.conftest import make, promise


def _retract(event, recorded_at: str):
    return make(
        "event.retracted",
        event.item,
        "2023-06-01",
        retracted=str(event.id),
        reason="linked by mistake",
        recorded_at=recorded_at,
    )


def _ledger_with_a_link_retracted_later(store):
    linked = make(
        "link.added", "law-1", "2022-11", to="p", relation="implements", recorded_at="2023-01-01"
    )
    store.append(
        [
            promise("p", "2022-03-16", recorded_at="2023-01-01"),
            make("law.signed", "law-1", "2022-11", title="A law", recorded_at="2023-01-01"),
            linked,
        ]
    )
    store.append([_retract(linked, "2023-06-01")])
    return linked


def test_show_before_a_retraction_lists_the_link_both_ways(store):
    linked = _ledger_with_a_link_retracted_later(store)
    promise_view = show(store, "p", as_of="2023-03-01", known_at="2023-03-01")
    law_view = show(store, "law-1", as_of="2023-03-01", known_at="2023-03-01")
    assert promise_view.status.implemented_by == ["law-1"]
    assert [(x["from"], x["event"]) for x in promise_view.links_in] == [("law-1", str(linked.id))]
    assert [(x["to"], x["event"]) for x in law_view.links_out] == [("p", str(linked.id))]


def test_show_after_a_retraction_lists_the_link_neither_way(store):
    _ledger_with_a_link_retracted_later(store)
    promise_view = show(store, "p", as_of="2023-07-01", known_at="2023-07-01")
    law_view = show(store, "law-1", as_of="2023-07-01", known_at="2023-07-01")
    assert promise_view.status.implemented_by == []
    assert promise_view.links_in == [] and law_view.links_out == []


def test_show_gives_only_what_the_cut_shows_unless_asked_for_everything(store):
    store.append(
        [
            promise("p", "2022-03-16"),
            make("law.signed", "law-1", "2022-11", title="A law"),
            make("link.added", "law-1", "2022-11", to="p", relation="implements"),
            make("law.in_force", "law-1", "2023-01-01"),
        ]
    )
    early = show(store, "law-1", as_of="2022-12-31")
    assert [e.record.type for e in early.timeline] == ["law.signed", "link.added"]
    assert early.status.status == "adopted" and early.cut.day == "2022-12-31"
    everything = show(store, "law-1", as_of="2022-12-31", everything=True)
    assert [e.record.type for e in everything.timeline][-1] == "law.in_force"
    assert everything.status.status == "adopted"  # the status is still the cut's


def test_a_month_dated_event_has_happened_only_once_the_month_is_over():
    cut = Cut.of("2020-09-29", "2020-12-31")
    assert not cut.has_happened("2020-09")
    assert cut.on(date(2020, 9, 30)).has_happened("2020-09")
    assert cut.has_happened("2020-09-29") and not cut.has_happened("2019/2021")


def test_knowledge_hides_a_retracted_event_from_the_retraction_on(store):
    linked = _ledger_with_a_link_retracted_later(store)
    log = catch_up(store).log
    before = Knowledge(log, parse_known_at("2023-05-31"))
    after = Knowledge(log, parse_known_at("2023-06-01"))
    assert str(linked.id) in {e.id for e in before.streams["law-1"].events}
    assert str(linked.id) not in {e.id for e in after.streams["law-1"].events}
    assert after.retracted == {str(linked.id)} and before.retracted == set()


def test_the_newest_event_within_a_span_is_the_newest_one_listed_for_it(store):
    """``newest_within`` (what a period built alone asks) agrees with ``happened_within``
    (what the whole build lists): retracted events and events ending outside the span
    never count, however recent their position."""
    store.append(
        [
            promise("p", "2022-03-16"),
            make("law.signed", "law-1", "2022-11", title="A law"),
            make("law.in_force", "law-1", "2023-01-01"),
            promise("q", "2022-06-01"),
        ]
    )
    retracted = next(r for r in store.read() if r.item == "q")
    store.append(
        [
            make("event.retracted", "q", "2023-06-01", retracted=retracted.id, reason="error"),
            promise("r", "2021-01-01"),
        ]
    )
    seen = RecordView(list(store.read()), Cut.of("2023-12-31", None))
    span = (date(2022, 1, 1), date(2022, 12, 31))
    listed = seen.happened_within([span])[0]
    newest = seen.newest_within(*span)
    assert {r.item for r in listed} == {"p", "law-1"}
    assert newest is not None and newest == max(listed, key=lambda r: r.position)
    assert newest.type == "law.signed"
    assert seen.newest_within(date(2020, 1, 1), date(2020, 12, 31)) is None
