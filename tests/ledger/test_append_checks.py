"""Append checks that need the stored log: link cycles and retractions of retractions.

Every test runs on both engines (the ``store`` fixture) and checks that a refused batch
leaves the chain exactly as it was.
"""

from __future__ import annotations

import pytest

from events import InvalidInput
from ledger import Store, digest, status
from tests.conftest import link, make, promise


def law(item: str, effective: str = "2022-01-01"):
    return make("law.drafted", item, effective, title=f"Law {item}")


def retract(item: str, event, effective: str = "2022-02-01"):
    return make("event.retracted", item, effective, retracted=str(event.id), reason="Wrong.")


def refused(store: Store, events: list, where: str = "") -> str:
    before = digest(store), store.count()
    with pytest.raises(InvalidInput) as caught:
        store.append(events)
    assert (digest(store), store.count()) == before
    lines = caught.value.lines()
    assert len(lines) == 1, lines
    return lines[0]


# -- link cycles ----------------------------------------------------------------------------------


def test_a_two_item_cycle_across_batches_is_refused_and_named(store: Store) -> None:
    store.append([promise("a"), promise("b"), link("a", "b")])
    assert refused(store, [link("b", "a")]) == (
        "event 1: link 'b' implements 'a' would close a cycle of implements links: b → a → b"
    )


def test_a_longer_cycle_within_one_batch_is_refused_and_named(store: Store) -> None:
    store.append([law("l1"), law("l2"), law("l3"), law("l4")])
    batch = [link("l1", "l2", "part_of"), link("l2", "l3", "part_of"), link("l3", "l1", "part_of")]
    assert refused(store, batch) == (
        "event 3: link 'l3' part_of 'l1' would close a cycle of part_of links: l3 → l1 → l2 → l3"
    )


def test_a_cycle_through_stored_and_new_links_is_found(store: Store) -> None:
    store.append([promise(p) for p in "abcd"])
    store.append([link("a", "b", "supersedes"), link("b", "c", "supersedes")])
    store.append([link("c", "d", "supersedes")])
    assert refused(store, [link("d", "a", "supersedes")]) == (
        "event 1: link 'd' supersedes 'a' would close a cycle of supersedes links: "
        "d → a → b → c → d"
    )


def test_partial_implementation_is_implementation_for_cycles(store: Store) -> None:
    store.append([law("l1"), promise("p"), link("l1", "p", "partially_implements")])
    assert refused(store, [link("p", "l1")]) == (
        "event 1: link 'p' implements 'l1' would close a cycle of implements links: p → l1 → p"
    )


@pytest.mark.parametrize("relation", ["relates_to", "reverses", "split_from"])
def test_relations_that_may_go_both_ways_are_not_checked(store: Store, relation: str) -> None:
    store.append([law("l1"), law("l2"), link("l1", "l2", relation)])
    before = store.count()
    store.append([link("l2", "l1", relation)])
    assert store.count() == before + 1


def test_different_relations_do_not_make_a_cycle(store: Store) -> None:
    store.append([law("l1"), law("l2"), link("l1", "l2", "implements")])
    before = store.count()
    store.append([link("l2", "l1", "part_of")])
    assert store.count() == before + 1


def test_a_retracted_link_no_longer_closes_a_cycle(store: Store) -> None:
    wrong = link("a", "b")
    store.append([promise("a"), promise("b"), wrong])
    before = store.count()
    store.append([retract("a", wrong), link("b", "a")])  # corrected in one batch
    assert store.count() == before + 2
    again = link("a", "b")
    assert refused(store, [again]) == (
        "event 1: link 'a' implements 'b' would close a cycle of implements links: a → b → a"
    )


def test_a_stored_schema_1_link_counts_for_cycles(store: Store) -> None:
    from tests.events.test_catalogue import _insert_v1_link

    store.append([law("l1"), law("l2")])
    _insert_v1_link(store, "l1", "l2", "part_of")
    assert refused(store, [link("l2", "l1", "part_of")]) == (
        "event 1: link 'l2' part_of 'l1' would close a cycle of part_of links: l2 → l1 → l2"
    )


def test_a_diamond_is_not_a_cycle(store: Store) -> None:
    store.append([law(x) for x in ("top", "left", "right", "bottom")])
    before = store.count()
    store.append(
        [
            link("left", "top", "part_of"),
            link("right", "top", "part_of"),
            link("bottom", "left", "part_of"),
            link("bottom", "right", "part_of"),
        ]
    )
    assert store.count() == before + 4


# -- retracting a retraction ----------------------------------------------------------------------


def test_a_retraction_cannot_be_retracted(store: Store) -> None:
    made = promise("p")
    revised = make("promise.revised", "p", "2022-02", change="restated", summary="Restated.")
    first = retract("p", revised)
    store.append([made, revised, first])
    assert refused(store, [retract("p", first)]) == (
        f"event 1: event {first.id} is itself a retraction, and a retraction cannot be "
        "retracted; to make the retracted event count again, record it anew under a new id"
    )


def test_a_retraction_of_a_retraction_in_the_same_batch_is_refused(store: Store) -> None:
    store.append([promise("p")])
    revised = make("promise.revised", "p", "2022-02", change="restated", summary="Restated.")
    first = retract("p", revised)
    message = refused(store, [revised, first, retract("p", first)])
    assert message.startswith(f"event 3: event {first.id} is itself a retraction")


def test_re_recording_a_retracted_event_makes_it_count_again(store: Store) -> None:
    """The documented way back: the same facts under a new id."""
    abandoned = make("promise.abandoned", "p", "2022-06", reason="Given up.")
    store.append([promise("p"), abandoned])
    store.append([retract("p", abandoned, "2022-07")])
    assert status(store, as_of="2023-01-01").items[0].status != "broken"
    store.append([make("promise.abandoned", "p", "2022-06", reason="Given up.")])
    assert status(store, as_of="2023-01-01").items[0].status == "broken"
