"""The read model: one cut (as of, known at) decides what every reader sees.

The first test is the regression that started it: ``show`` used to drop incoming links
by whether they were ever retracted, not by whether the retraction was known at the cut.
"""

from __future__ import annotations

import pytest

from ledger import show
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


@pytest.mark.xfail(strict=True, reason="show drops a link retracted after the cut")
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
