"""The status projection catches up from its stored checkpoint: N new events, N folded."""

from __future__ import annotations

import pytest

from ledger import Cut, FoldedLog, View, catch_up, evaluate, fold_log, status
from tests.conftest import link, make, promise


def test_a_query_after_n_new_events_folds_only_those_n(store):
    store.append([promise(f"p{i}") for i in range(50)])
    # the registration of the cited source (1) is folded too: the read model keeps
    # sources apart from items, and the rules read each source's kind from it
    first = catch_up(store)
    assert (first.folded, first.position) == (51, 51)
    assert catch_up(store).folded == 0

    store.append([make("law.signed", "l", title="Law"), link("l", "p3"), promise("p50")])
    again = catch_up(store)
    assert (again.folded, again.position) == (3, 54)


def test_incremental_state_equals_a_full_replay(store):
    store.append([promise("p1"), promise("p2")])
    catch_up(store)
    store.append([make("law.in_force", "l", "2022-02-01"), link("l", "p1", effective="2022-02-01")])
    incremental = catch_up(store).log

    replayed = FoldedLog()
    fold_log(replayed, store.read())
    assert incremental == replayed
    cut = Cut.of("2023-01-01")
    assert evaluate(View.of(incremental, cut)) == evaluate(View.of(replayed, cut))
    assert {s.item: s.status for s in status(store, as_of="2023-01-01").items}["p1"] == "delivered"


def test_a_replay_from_stored_bodies_equals_a_fold_of_records_old_schemas_upcast(store):
    from ledger.mapper import to_row
    from ledger.projections.folded import fold_bodies
    from ledger.tables import StoredEvent

    store.append([promise("p"), make("law.in_force", "l", "2022-02-01", title="Law")])
    head = store.head()
    old_link = {
        **link("l", "p").envelope(),
        "schema": 1,
        "data": {"target": "p", "kind": "implements"},
    }
    row = to_row(
        old_link,
        position=head.position + 1,
        version=2,
        recorded_at=head.recorded_at,
        prev_hash=head.hash,
    )
    with store.engine.begin() as connection:
        connection.execute(StoredEvent.__table__.insert(), [row])

    from_bodies, from_records = FoldedLog(), FoldedLog()
    assert fold_bodies(from_bodies, store.read_bodies()) == (4, 4)
    assert fold_log(from_records, store.read()) == 4
    assert from_bodies == from_records
    assert from_bodies.streams["l"].events[-1].data == {"to": "p", "relation": "implements"}
    assert {s.item: s.status for s in status(store, as_of="2023-01-01").items}["p"] == "delivered"


def test_several_checkpoints_are_saved_together_and_replace_their_names(store):
    store.save_checkpoints([("a", 1, b"first"), ("b", 2, b"second")])
    assert (store.load_checkpoint("a"), store.load_checkpoint("b")) == (
        (1, b"first"),
        (2, b"second"),
    )
    store.save_checkpoints([("a", 3, b"again")])
    assert (store.load_checkpoint("a"), store.load_checkpoint("b")) == (
        (3, b"again"),
        (2, b"second"),
    )


def test_a_few_records_are_read_by_range_item_and_limit(store):
    revised = make("promise.revised", "p", change="restated", summary="Said again.")
    store.append([promise("p"), promise("q"), revised])
    everything = list(store.read())
    assert store.read_few() == everything
    assert store.read_few(after=1, upto=2) == everything[1:2]
    assert store.read_few(items=["p"]) == [r for r in everything if r.item == "p"]
    assert store.read_few(items=[]) == []
    assert store.read_few(limit=2) == everything[:2]


def test_records_are_read_by_position_in_order_each_once(store):
    revised = make("promise.revised", "p", change="restated", summary="Said again.")
    store.append([promise("p"), promise("q"), revised])
    everything = list(store.read())
    assert store.read_at([4, 2, 2]) == [everything[1], everything[3]]
    assert store.read_at(r.position for r in everything) == everything
    assert store.read_at([0, 99]) == []
    assert store.read_at([]) == []


def test_a_log_folded_elsewhere_is_kept_as_the_checkpoint_only_when_newer(store):
    from ledger import keep_checkpoint
    from ledger.projections import CHECKPOINT

    store.append([promise(f"p{i}") for i in range(5)])
    folded = FoldedLog()
    fold_log(folded, store.read())
    assert keep_checkpoint(store, folded, 6)
    assert store.checkpoint_position(CHECKPOINT) == 6
    caught = catch_up(store)
    assert (caught.folded, caught.log) == (0, folded)  # nothing left to fold

    store.append([promise("p5")])
    catch_up(store)  # a newer checkpoint (7) is never replaced by an older log
    assert not keep_checkpoint(store, folded, 6)
    assert store.checkpoint_position(CHECKPOINT) == 7
    assert not keep_checkpoint(store, FoldedLog(), 0)  # an empty ledger keeps nothing


def test_saving_checkpoints_is_all_or_nothing_and_keeps_bytes_exact(store):
    """The rows are written inside one transaction (on PostgreSQL bound on the server, in
    binary): a failing row leaves every checkpoint as it was, and a saved state comes
    back byte for byte, whatever bytes it holds."""
    state = bytes(range(256)) * 4096 + b"\x00\\x'\""
    store.save_checkpoints([("a", 1, state), ("b", 1, b"")])
    with pytest.raises(Exception):  # noqa: B017 (the engines' NOT NULL errors differ)
        store.save_checkpoints([("a", 2, b"lost"), (None, 2, b"refused")])  # type: ignore[list-item]
    assert store.load_checkpoint("a") == (1, state)
    assert store.load_checkpoint("b") == (1, b"")
    store.append([promise("p1")])  # the connection goes on working
    assert catch_up(store).position == 2


def test_a_checkpoint_is_saved_again_only_once_it_lags_by_more_than_a_thousandth(store):
    """Rewriting the folded log costs far more than folding a short tail: a reader that
    folded one new event of a large ledger leaves the stored checkpoint as it is, and
    what it returns is still the whole, current log."""
    from ledger import keep_checkpoint
    from ledger.projections import CHECKPOINT

    store.append([promise(f"p{i}") for i in range(2_000)])
    assert catch_up(store).position == 2_001  # the cited source's registration, then 2,000
    store.append([promise("late")])
    caught = catch_up(store)
    assert (caught.folded, caught.position) == (1, 2_002)
    assert store.checkpoint_position(CHECKPOINT) == 2_001  # 1 behind: not worth a rewrite
    replayed = FoldedLog()
    fold_log(replayed, store.read())
    assert caught.log == replayed
    assert not keep_checkpoint(store, replayed, 2_002)

    store.append([promise("later"), promise("latest")])  # 3 behind 2,004: more than 2
    assert catch_up(store).folded == 3
    assert store.checkpoint_position(CHECKPOINT) == 2_004
    assert catch_up(store).folded == 0


def test_the_stored_checkpoint_loads_back_as_a_replay_sharing_repeated_values(store):
    """Types, dates and documents are kept once per checkpoint line and shared by the
    events that repeat them; each event's first and last day follow from its date."""
    from ledger.projections import CHECKPOINT

    store.append([promise("p1"), promise("p2", "2022-03"), make("law.signed", "l", "2022-02")])
    catch_up(store)
    _, blob = store.load_checkpoint(CHECKPOINT)
    loaded = FoldedLog.from_json(blob)
    replayed = FoldedLog()
    fold_log(replayed, store.read())
    assert loaded == replayed
    first, second = (loaded.streams[item].events[0] for item in ("p1", "p2"))
    assert first.type is second.type and first.document is second.document
    assert (second.start, second.end) == ("2022-03-01", "2022-03-31")
    assert blob.count(b'"promise.made"') == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"[0,0,0]", b"[0,0,7]"),  # an index past its table
        (b'"promise","promise"]', b'"promise"]'),  # a stream without its kind
    ],
)
def test_a_checkpoint_line_of_another_shape_is_refused_and_verify_rebuilds_it(store, old, new):
    from ledger import IntegrityError, verify
    from ledger.projections import CHECKPOINT

    store.append([promise("p1"), promise("p2")])
    catch_up(store)
    position, blob = store.load_checkpoint(CHECKPOINT)
    assert old in blob
    store.save_checkpoint(CHECKPOINT, position, blob.replace(old, new, 1))
    with pytest.raises(ValueError, match="checkpoint line"):
        FoldedLog.from_json(store.load_checkpoint(CHECKPOINT)[1])
    with pytest.raises(IntegrityError, match="checkpoint did not match"):
        verify(store)
    assert FoldedLog.from_json(store.load_checkpoint(CHECKPOINT)[1]) == catch_up(store).log


def test_the_first_checkpoint_of_a_new_format_drops_the_older_formats(store):
    """After an upgrade the folded log is folded again in the new format; the old rows
    (hundreds of megabytes on a large ledger) are removed, other checkpoints kept."""
    from ledger.projections import CHECKPOINT

    store.append([promise("p1"), promise("p2")])
    store.save_checkpoints([("folded-log:1", 1, b"old"), ("elsewhere:1", 1, b"kept")])
    assert catch_up(store).position == 3
    assert store.checkpoint_names() == sorted([CHECKPOINT, "elsewhere:1"])
    assert store.load_checkpoint("elsewhere:1") == (1, b"kept")
