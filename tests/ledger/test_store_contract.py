"""The store's contract, on both engines: what ``append`` assigns, checks and refuses.

Positions, per-item versions and the hash chain; optimistic concurrency; idempotency by
event id; backfilled transaction time; kinds and retractions; and exports that round-trip
into an empty ledger with the same digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from events import InvalidInput, parse_event
from ledger import (
    ConcurrencyError,
    DuplicateEventId,
    KindMismatch,
    Store,
    UnknownItem,
    digest,
    export_events,
    import_files,
    open_store,
    verify,
)
from ledger.mapper import GENESIS_HASH
from tests.conftest import SOURCE, link, make, new_pg_database, promise, registration


def canonical(value: object) -> str:
    """The canonical form as DESIGN.md defines it, written out independently of the code."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def expected_hash(prev_hash: str, record) -> str:
    body = {
        "id": record.id,
        "type": record.type,
        "schema": record.schema,
        "item": record.item,
        "effective": record.effective,
        "source": record.source,
        "data": record.data,
        "position": record.position,
        "version": record.version,
        "recorded_at": record.recorded_at,
    }
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def revised(item: str, effective: str = "2022-06-01", **fields):
    return make(
        "promise.revised", item, effective, change="restated", summary="Restated.", **fields
    )


def with_id(event, event_id: str, **changes):
    """The same event (or a changed one) under a given id, as a client would re-send it."""
    raw = {"type": event.event_type, **event.envelope(), **event.payload(), **changes}
    raw.pop("data")
    raw.pop("schema")
    raw["id"] = event_id
    return parse_event(raw)


@pytest.fixture
def another_store(ledger_url: str, request: pytest.FixtureRequest, tmp_path: Path):
    """A second empty ledger on the same engine as ``store``."""
    if ledger_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'another.db'}"
    else:
        url = new_pg_database(request.getfixturevalue("pg_server"))
    opened = open_store(url, create=True)
    yield opened
    opened.close()


# -- positions, versions, chain ---------------------------------------------------------------


def test_a_single_append_starts_the_chain(empty_store: Store) -> None:
    store = empty_store
    event = registration()
    result = store.append([event])
    assert result.skipped == 0
    [record] = result.appended
    assert (record.position, record.version, record.item, record.id) == (
        1,
        1,
        "test.txt",
        str(event.id),
    )
    assert record.prev_hash == GENESIS_HASH
    assert record.hash == expected_hash(GENESIS_HASH, record)
    assert list(store.read()) == [record]
    assert store.head().position == 1
    assert digest(store) == f"1:{record.hash}"


def test_a_batch_gets_positions_versions_and_a_hash_chain(store: Store) -> None:
    store.append([promise("p1")])
    batch = [
        promise("p2"),
        make("law.drafted", "l1", "2022-04", title="Law on parties"),
        revised("p1"),
        link("l1", "p1", effective="2022-04"),
        make("law.signed", "l1", "2022-05-20"),
        revised("p2"),
    ]
    result = store.append(batch)  # after the source's registration (1) and p1 (2)
    assert [r.position for r in result.appended] == [3, 4, 5, 6, 7, 8]
    assert [(r.item, r.version) for r in result.appended] == [
        ("p2", 1),
        ("l1", 1),
        ("p1", 2),
        ("l1", 2),
        ("l1", 3),
        ("p2", 2),
    ]
    records = list(store.read())
    assert records[2:] == result.appended
    prev = GENESIS_HASH
    for record in records:
        assert record.prev_hash == prev
        assert record.hash == expected_hash(prev, record)
        prev = record.hash
    assert verify(store).digest == f"8:{prev}"
    assert [r.version for r in store.read(item="l1")] == [1, 2, 3]
    assert [r.position for r in store.read(after=6)] == [7, 8]
    assert store.items() == ["l1", "p1", "p2", "test.txt"]
    assert store.find_event(str(batch[2].id)) == records[4]


def test_an_empty_batch_appends_nothing(empty_store: Store) -> None:
    result = empty_store.append([])
    assert (result.appended, result.skipped) == ([], 0)
    assert empty_store.count() == 0


def test_text_is_stored_as_given(store: Store) -> None:
    """UTF-8 text (Kazakh, Russian, typographic quotes) comes back exactly."""
    event = promise(
        "p1", title="Қазақстан: «Жаңа Қазақстан»", statement="Слышащее государство — “да”"
    )
    [record] = store.append([event]).appended
    [read] = store.read(after=1)
    assert read.data["title"] == "Қазақстан: «Жаңа Қазақстан»"
    assert read.data["statement"] == "Слышащее государство — “да”"
    assert read.hash == expected_hash(store.hash_at(1), record)


# -- expected version ---------------------------------------------------------------------------


def test_expected_version_that_matches_appends(store: Store) -> None:
    store.append([promise("p1")], expected_version=0)
    result = store.append([revised("p1")], expected_version=1)
    assert result.appended[0].version == 2
    store.append([revised("p1"), revised("p1")], expected_version=2)
    assert [r.version for r in store.read(item="p1")] == [1, 2, 3, 4]


@pytest.mark.parametrize("stale", [0, 2, 5])
def test_a_stale_expected_version_is_refused_and_nothing_written(store: Store, stale: int) -> None:
    store.append([promise("p1")])
    before = digest(store)
    with pytest.raises(ConcurrencyError) as caught:
        store.append([revised("p1"), promise("p2")], expected_version=stale)
    assert str(caught.value) == (
        f"item 'p1' is at version 1, but version {stale} was expected "
        "(someone else changed it; reload and retry)"
    )
    assert caught.value.exit_code == 4
    assert digest(store) == before
    assert store.count() == 2


def test_expected_version_zero_means_a_new_item(store: Store) -> None:
    store.append([promise("p1")])
    with pytest.raises(ConcurrencyError):
        store.append([promise("p1")], expected_version=0)
    assert store.append([promise("p2")], expected_version=0).appended[0].version == 1


# -- idempotency by id ---------------------------------------------------------------------------


def test_resending_a_stored_event_is_a_no_op(store: Store) -> None:
    first, second = promise("p1"), revised("p1")
    store.append([first, second])
    before = digest(store)

    again = store.append([first])
    assert (again.appended, again.skipped) == ([], 1)
    # a re-sent copy (parsed afresh from the same fields) is the same event too
    copy = with_id(second, str(second.id))
    assert store.append([copy]).skipped == 1
    assert digest(store) == before

    # a batch mixing stored and new events appends only the new ones
    third = revised("p1")
    mixed = store.append([first, third, second])
    assert ([r.id for r in mixed.appended], mixed.skipped) == ([str(third.id)], 2)
    assert [r.version for r in store.read(item="p1")] == [1, 2, 3]


def test_the_same_event_twice_in_one_batch_is_stored_once(store: Store) -> None:
    event = promise("p1")
    result = store.append([event, event])
    assert (len(result.appended), result.skipped) == (1, 1)
    assert store.count() == 2


def test_a_different_event_under_a_stored_id_is_refused(store: Store) -> None:
    event = promise("p1")
    store.append([event])
    before = digest(store)
    impostor = with_id(promise("p1", title="Another title"), str(event.id))
    with pytest.raises(DuplicateEventId) as caught:
        store.append([promise("p2"), impostor])
    assert str(caught.value) == (
        f"event 2: event id {event.id} is already stored with different content"
    )
    assert caught.value.exit_code == 4
    assert digest(store) == before


def test_a_different_event_under_an_id_used_earlier_in_the_batch_is_refused(store: Store) -> None:
    shared = str(uuid.uuid4())
    first = with_id(promise("p1"), shared)
    second = with_id(promise("p2"), shared)
    with pytest.raises(DuplicateEventId):
        store.append([first, second], locations=["a.yaml:1", "a.yaml:9"])
    assert store.count() == 1


# -- transaction time ------------------------------------------------------------------------------


def test_recorded_at_is_set_by_the_store(store: Store) -> None:
    start = datetime.now(UTC)
    [record] = store.append([promise("p1")]).appended
    stamped = datetime.fromisoformat(record.recorded_at.replace("Z", "+00:00"))
    assert start - timedelta(seconds=1) <= stamped <= datetime.now(UTC) + timedelta(seconds=1)
    assert record.recorded_at.endswith("Z") and len(record.recorded_at) == 27


def test_a_backfill_may_carry_recorded_at_that_never_runs_backwards(store: Store) -> None:
    result = store.append(
        [
            promise("p1", "2022-03-16", recorded_at="2022-03-17"),
            revised("p1", "2022-04-01", recorded_at="2022-04-02T10:00:00+06:00"),
            revised("p1", "2022-04-02", recorded_at="2022-04-02T04:00:00Z"),  # the same instant
        ]
    )
    assert [r.recorded_at for r in result.appended] == [
        "2022-03-17T00:00:00.000000Z",
        "2022-04-02T04:00:00.000000Z",
        "2022-04-02T04:00:00.000000Z",
    ]
    # events without one get the current time, later than any backfill
    [now] = store.append([revised("p1")]).appended
    assert now.recorded_at > "2022-04-02T04:00:00.000000Z"
    assert verify(store).events == 5


def test_a_backfill_earlier_than_the_ledger_is_refused(store: Store) -> None:
    store.append([promise("p1", recorded_at="2023-01-01")])
    before = digest(store)
    with pytest.raises(InvalidInput) as caught:
        store.append(
            [revised("p1", recorded_at="2023-06-01"), revised("p1", recorded_at="2022-12-31")]
        )
    assert str(caught.value) == (
        "event 2: recorded_at 2022-12-31T00:00:00.000000Z is earlier than the ledger's latest "
        "(2023-06-01T00:00:00.000000Z); transaction time may not run backwards"
    )
    assert digest(store) == before


def test_a_backfill_after_a_live_event_of_the_same_batch_is_refused(store: Store) -> None:
    """Transaction time runs in the batch's own order: an event stamped with the current
    time, then an earlier backfill in the same batch, runs backwards."""
    store.append([promise("p1", recorded_at="2023-01-01")])
    before = digest(store)
    with pytest.raises(InvalidInput) as caught:
        store.append([revised("p1"), revised("p1", recorded_at="2023-06-01")])
    assert str(caught.value).startswith(
        "event 2: recorded_at 2023-06-01T00:00:00.000000Z is earlier than the ledger's latest ("
    )
    assert digest(store) == before


def test_a_backfill_after_live_appends_is_refused(store: Store) -> None:
    store.append([promise("p1")])
    with pytest.raises(InvalidInput, match="transaction time may not run backwards"):
        store.append([revised("p1", recorded_at="2023-01-01")])
    assert store.count() == 2


def test_recorded_at_in_the_future_is_refused(store: Store) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(InvalidInput) as caught:
        store.append([promise("p1", recorded_at=tomorrow)], locations=["f.yaml:3"])
    assert str(caught.value).startswith("f.yaml:3: recorded_at ")
    assert str(caught.value).endswith(" is in the future")
    assert store.count() == 1


# -- items, kinds, links, retractions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            promise("p1"),
            make("law.signed", "p1"),
            "event 2: item 'p1' is a promise; a law.signed event does not apply",
        ),
        (
            make("law.drafted", "l1"),
            revised("l1"),
            "event 2: item 'l1' is a law; a promise.revised event does not apply",
        ),
        (
            make("amendment.proposed", "a1"),
            make("law.passed", "a1"),
            "event 2: item 'a1' is an amendment; a law.passed event does not apply",
        ),
        (
            make("milestone.reached", "m1", what="Court opened"),
            make("amendment.adopted", "m1"),
            "event 2: item 'm1' is a milestone; a amendment.adopted event does not apply",
        ),
    ],
)
def test_an_event_of_another_kind_is_refused(store: Store, first, second, message: str) -> None:
    with pytest.raises(KindMismatch) as caught:
        store.append([first, second])
    assert str(caught.value) == message
    assert store.count() == 1


def test_events_any_item_may_carry(store: Store) -> None:
    store.append([promise("p1"), make("law.signed", "l1")])
    result = store.append(
        [
            make("measurement.recorded", "p1", metric="m", value=1.5, unit="u", period="2022"),
            make("measurement.recorded", "l1", metric="m", value=2.0, unit="u", period="2022"),
            make(
                "assessment.recorded", "l1", assessor="OGP", verdict="adopted", rationale="Signed."
            ),
            link("l1", "p1"),
        ]
    )
    assert len(result.appended) == 4


def test_an_event_for_an_unknown_item_and_a_link_to_one_are_refused(store: Store) -> None:
    store.append([promise("p1")])
    with pytest.raises(UnknownItem, match="item 'ghost' does not exist"):
        store.append([revised("ghost")])
    with pytest.raises(UnknownItem, match="link to unknown item 'ghost'"):
        store.append([link("p1", "ghost", relation="relates_to")])
    with pytest.raises(InvalidInput, match="an item cannot link to itself"):
        store.append([link("p1", "p1", relation="relates_to")])
    assert store.count() == 2


def test_a_link_to_an_item_created_earlier_in_the_batch_is_accepted(store: Store) -> None:
    result = store.append([make("law.signed", "l1"), promise("p1"), link("l1", "p1")])
    assert len(result.appended) == 3


def test_a_retraction_on_the_retracted_events_item_is_accepted(store: Store) -> None:
    wrong = make("law.signed", "l1", "2022-05")
    store.append([wrong])
    retraction = make("event.retracted", "l1", retracted=str(wrong.id), reason="Misdated.")
    [record] = store.append([retraction]).appended
    assert record.data == {"retracted": str(wrong.id), "reason": "Misdated."}
    # an event may also be retracted in the batch that records it
    typo = make("law.passed", "l1")
    fix = make("event.retracted", "l1", retracted=str(typo.id), reason="Typo.")
    assert len(store.append([typo, fix]).appended) == 2


def test_retracting_an_event_of_another_item_is_refused(store: Store) -> None:
    law_event = make("law.signed", "l1")
    store.append([law_event, promise("p1")])
    before = digest(store)
    wrong_place = make("event.retracted", "p1", retracted=str(law_event.id), reason="Wrong.")
    with pytest.raises(InvalidInput) as caught:
        store.append([wrong_place])
    assert str(caught.value) == (
        f"event 1: event {law_event.id} belongs to item 'l1'; record the retraction there"
    )
    assert digest(store) == before


def test_retracting_an_unknown_event_is_refused(store: Store) -> None:
    store.append([promise("p1")])
    ghost = uuid.uuid4()
    with pytest.raises(InvalidInput, match=f"cannot retract event {ghost}: no such event"):
        store.append([make("event.retracted", "p1", retracted=str(ghost), reason="Gone.")])
    assert store.count() == 2


# -- exports ---------------------------------------------------------------------------------------


def _varied_ledger(store: Store) -> None:
    """A ledger with backfilled and live times, every kind of item, text, numbers, links."""
    store.append(
        [
            promise(
                "p1",
                "2022-03-16",
                recorded_at="2022-03-16",
                title="Cut party signatures to 5,000",
                statement="«Снизить» порог — from 20,000 to 5,000.\nSecond line.",
                deadline="2023",
                target={
                    "metric": "signatures",
                    "unit": "people",
                    "baseline": 20000,
                    "baseline_date": "2022-03",
                    "goal": 5000,
                    "direction": "down",
                },
            ),
            make(
                "amendment.adopted",
                "a1",
                "2022-06-05",
                recorded_at="2022-06-07",
                articles=["Art. 1", "Art. 44"],
                route="referendum",
                votes={"yes": 77.18, "no": 18.66, "turnout": 68.05},
            ),
            make("law.signed", "l1", "2022-11", recorded_at="2022-12-01", number="No. 150-VII"),
            link("l1", "p1", effective="2022-11"),
        ]
    )
    wrong = make("measurement.recorded", "p1", metric="parties", value=7, unit="n", period="2023")
    store.append(
        [
            wrong,
            make("event.retracted", "p1", retracted=str(wrong.id), reason="Misread."),
            make("milestone.reached", "m1", "2023-03-19", what="Elections held", value=0.5),
        ]
    )


def test_a_jsonl_export_imports_into_an_empty_ledger_with_the_same_digest(
    store: Store, another_store: Store, tmp_path: Path
) -> None:
    _varied_ledger(store)
    exported = "".join(export_events(store, "jsonl"))
    lines = exported.splitlines()
    assert len(lines) == store.count() == 8
    assert [json.loads(line)["position"] for line in lines] == list(range(1, 9))
    for line in lines:  # canonical: sorted keys, no whitespace, UTF-8
        assert line == canonical(json.loads(line))

    path = tmp_path / "ledger.jsonl"
    path.write_text(exported, encoding="utf-8")
    summary = import_files(another_store, [path])
    assert (summary.appended, summary.skipped) == (8, 0)
    assert digest(another_store) == digest(store)
    assert "".join(export_events(another_store, "jsonl")) == exported
    assert verify(another_store).digest == digest(store)

    # importing it again is a no-op
    assert import_files(another_store, [path]).skipped == 8
    assert digest(another_store) == digest(store)


def test_reimporting_an_export_that_holds_an_old_schema_event_is_a_no_op(
    store: Store, tmp_path: Path
) -> None:
    """A schema-1 link is exported as stored (schema 1); re-sent, it is the same event."""
    from tests.events.test_catalogue import _insert_v1_link

    store.append([promise("p1"), make("law.signed", "l1")])
    _insert_v1_link(store, "l1", "p1", "implements")
    before = digest(store)
    path = tmp_path / "ledger.jsonl"
    path.write_text("".join(export_events(store, "jsonl")), encoding="utf-8")

    summary = import_files(store, [path])
    assert (summary.appended, summary.skipped) == (0, 4)
    assert digest(store) == before
    # a different link under the old event's id is still refused
    [v1] = [r for r in store.read() if r.type == "link.added"]
    assert '"kind":"implements"' in path.read_text()
    changed = path.read_text().replace('"kind":"implements"', '"kind":"relates_to"')
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(DuplicateEventId, match=f"event id {v1.id} is already stored"):
        import_files(store, [path])
    assert digest(store) == before


def test_a_csv_export_has_one_row_per_event(store: Store) -> None:
    _varied_ledger(store)
    store.append(
        [
            make(
                "promise.abandoned",
                "p1",
                source={**SOURCE, "quote": 'He said, "no";\nthen left.'},
                reason="Dropped, quietly.",
            )
        ]
    )
    text = "".join(export_events(store, "csv"))
    rows = list(csv.DictReader(io.StringIO(text)))
    records = list(store.read())
    assert len(rows) == len(records) == 9
    assert [int(row["position"]) for row in rows] == list(range(1, 10))
    for row, record in zip(rows, records, strict=True):
        assert row["id"] == record.id
        assert row["type"] == record.type
        assert row["item"] == record.item
        assert row["hash"] == record.hash
        assert json.loads(row["data"]) == record.data
    assert rows[-1]["quote"] == 'He said, "no";\nthen left.'


def test_an_unknown_export_format_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInput, match="unknown export format 'xml'"):
        list(export_events(store, "xml"))
