"""Sources are ledger data, on both engines: the store refuses an event citing a document
no ``source.registered`` names; the registry reads registrations as known at a time; a
correction is a later registration; sources are never items of the status projection;
and a ledger written before sources were registered still reads, verifies with a warning
for each unregistered document, and refuses new events citing one until it is registered.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app
from events import InvalidInput
from ledger import (
    ConcurrencyError,
    KindMismatch,
    Store,
    UnregisteredSource,
    digest,
    load_dataset,
    read_dataset,
    source_registry,
    status,
    verify,
    with_registration,
)
from tests.conftest import append_unchecked, link, make, promise, registration


def cite(event, document: str):
    """The same event citing ``document``."""
    return event.model_copy(
        update={"source": event.source.model_copy(update={"document": document})}
    )


# -- the store's check ---------------------------------------------------------------------------


def test_an_event_citing_an_unregistered_document_is_refused_and_nothing_written(store: Store):
    before = digest(store)
    with pytest.raises(UnregisteredSource) as caught:
        store.append([promise("p1"), cite(promise("p2"), "speech.txt")], locations=["a:1", "a:9"])
    assert str(caught.value) == (
        "a:9: promise.made on 'p2' cites source document 'speech.txt', which is not "
        "registered; register it first with a source.registered event for 'speech.txt' "
        "(earlier in the same file or batch, or already in the ledger)"
    )
    assert (caught.value.exit_code, caught.value.document) == (3, "speech.txt")
    assert digest(store) == before


def test_a_batch_may_register_a_source_before_citing_it_but_not_after(store: Store):
    with pytest.raises(UnregisteredSource, match="event 1: promise.made on 'p1' cites"):
        store.append([cite(promise("p1"), "speech.txt"), registration("speech.txt")])
    result = store.append([registration("speech.txt"), cite(promise("p1"), "speech.txt")])
    assert [r.type for r in result.appended] == ["source.registered", "promise.made"]
    # once registered, later batches cite it freely
    assert store.append([cite(make("law.signed", "l1"), "speech.txt")]).count == 1


def test_a_source_takes_only_its_registrations_and_no_item_links_to_it(store: Store):
    store.append([promise("p1")])
    with pytest.raises(KindMismatch) as caught:
        store.append(
            [
                make(
                    "assessment.recorded",
                    "test.txt",
                    assessor="A",
                    verdict="broken",
                    rationale="R.",
                )
            ]
        )
    assert str(caught.value) == (
        "event 1: item 'test.txt' is a source; only source.registered (a correction) and "
        "event.retracted apply to it"
    )
    with pytest.raises(InvalidInput, match="'test.txt' is a source, not an item"):
        store.append([link("p1", "test.txt", relation="relates_to")])
    with pytest.raises(KindMismatch, match="item 'p1' is a promise; a source.registered event"):
        store.append([registration("p1", recorded_at=None)])


def test_expected_version_applies_to_the_event_behind_the_registration(store: Store):
    store.append([promise("p1")])
    revised = make("promise.revised", "p1", change="restated", summary="Again.")
    with pytest.raises(ConcurrencyError, match="item 'p1' is at version 1, but version 0"):
        store.append(
            [registration("memo", recorded_at=None), cite(revised, "memo")], expected_version=0
        )
    result = store.append(
        [registration("memo", recorded_at=None), cite(revised, "memo")], expected_version=1
    )
    assert [(r.item, r.version) for r in result.appended] == [("memo", 1), ("p1", 2)]


# -- the registry --------------------------------------------------------------------------------


def test_a_correction_supersedes_and_the_registry_answers_as_known_at_a_time(store: Store):
    first = registration(
        "memo", title="Memo", published="2022", kind="government", recorded_at="2022-02-01"
    )
    corrected = registration(
        "memo",
        id="6b0b3c3c-0d3a-4d3e-9a55-1d7f9f1c2e01",
        title="Memorandum on party registration",
        short_title="Memo (2022)",
        published="2022-01-20",
        kind="official",
        url="https://gov.example/memo",
        recorded_at="2022-03-01",
    )
    store.append([first, corrected])
    now = source_registry(store)["memo"]
    assert (now.title, now.label, now.kind, now.url) == (
        "Memorandum on party registration",
        "Memo (2022)",
        "official",
        "https://gov.example/memo",
    )
    assert now.event == str(corrected.id)
    then = source_registry(store, known_at="2022-02-15T00:00:00.000000Z")["memo"]
    assert (then.title, then.label, then.url, then.published) == ("Memo", "Memo", None, "2022")
    assert "memo" not in source_registry(store, known_at="2022-01-31T00:00:00.000000Z")
    assert [r.version for r in store.read(item="memo")] == [1, 2]  # both stay in the log


def test_retracting_a_correction_restores_the_registration_before_it(store: Store):
    first = registration("memo", title="Memo", recorded_at="2022-02-01")
    wrong = registration(
        "memo", id="6b0b3c3c-0d3a-4d3e-9a55-1d7f9f1c2e02", title="Wrong", recorded_at="2022-03-01"
    )
    retraction = make(
        "event.retracted", "memo", retracted=str(wrong.id), reason="Mixed up two memos."
    )
    store.append([first, wrong, cite(retraction, "memo")])
    assert source_registry(store)["memo"].title == "Memo"
    assert source_registry(store, known_at="2022-03-02T00:00:00.000000Z")["memo"].title == "Wrong"


def test_sources_are_not_items_of_the_status_projection(store: Store):
    store.append([registration("memo"), promise("p1")])
    assert [s.item for s in status(store).items] == ["p1"]
    assert store.append([registration("memo2", recorded_at=None)]).count == 1
    assert [s.item for s in status(store).items] == ["p1"]


def test_an_inline_registration_is_added_once_and_a_different_one_is_refused(store: Store):
    given = registration("memo", title="Memo")
    event = cite(promise("p1"), "memo")
    assert with_registration(store, given, [event]) == [given, event]
    store.append([given, event])
    again = registration("memo", id="6b0b3c3c-0d3a-4d3e-9a55-1d7f9f1c2e03", title="Memo")
    other = cite(promise("p2"), "memo")
    assert with_registration(store, again, [other]) == [other]
    changed = registration("memo", id="6b0b3c3c-0d3a-4d3e-9a55-1d7f9f1c2e04", title="Other")
    with pytest.raises(InvalidInput) as caught:
        with_registration(store, changed, [other])
    assert str(caught.value) == (
        "source 'memo' is already registered as 'Memo' with other details; record a "
        "source.registered event to correct it"
    )


# -- ledgers written before sources were registered -------------------------------------------


def test_an_older_ledger_reads_and_verifies_with_a_warning_per_unregistered_document(
    empty_store: Store,
):
    store = empty_store
    append_unchecked(
        store, [promise("p1"), cite(make("law.signed", "l1"), "old.txt"), link("l1", "p1")]
    )
    assert {s.item: s.status for s in status(store, as_of="2023-01-01").items} == {
        "l1": "adopted",
        "p1": "adopted",
    }
    assert verify(store).unregistered == {"old.txt": 1, "test.txt": 2}

    result = CliRunner().invoke(app, ["--db", store.url, "verify"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        "warning: source document 'old.txt' is cited by 1 event(s) but never registered; "
        "register it with: reform-ledger record source.registered --item old.txt …",
        "warning: source document 'test.txt' is cited by 2 event(s) but never registered; "
        "register it with: reform-ledger record source.registered --item test.txt …",
    ]
    assert result.stdout == f"{digest(store)}\n"

    # new events citing an unregistered document are refused until it is registered
    revised = make("promise.revised", "p1", change="restated", summary="Again.")
    with pytest.raises(UnregisteredSource, match="cites source document 'test.txt'"):
        store.append([revised])
    store.append([registration(recorded_at=None), revised])
    assert verify(store).unregistered == {"old.txt": 1}


def test_a_dataset_ledger_loaded_before_sources_were_registered_gets_them_now(
    empty_store: Store,
):
    from events import parse_event

    raws, _ = read_dataset()
    events = [parse_event(raw) for raw in raws if raw["type"] != "source.registered"]
    append_unchecked(empty_store, events)  # as the loader wrote it before
    assert len(verify(empty_store).unregistered) == 5

    result = load_dataset(empty_store)
    assert (result.count, result.skipped) == (5, len(events))
    assert {r.type for r in result.appended} == {"source.registered"}
    assert verify(empty_store).unregistered == {}
    assert source_registry(empty_store)["003_95ce595201e5e3b5.txt"].label == "IWPR (2022)"
    again = load_dataset(empty_store)
    assert (again.count, again.skipped) == (0, len(raws))


def test_the_yaml_examples_of_the_events_docs_import_as_written(empty_store: Store, tmp_path):
    from pathlib import Path

    from ledger import import_files

    docs = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text("utf-8")
    blocks = [part.split("```", 1)[0] for part in docs.split("```yaml\n")[1:]]
    assert len(blocks) == 2
    paths = []
    for number, block in enumerate(blocks):
        paths.append(tmp_path / f"example-{number}.yaml")
        paths[-1].write_text(block, encoding="utf-8")
    summary = import_files(empty_store, paths)
    assert (summary.files, summary.appended) == (2, 3)
    registry = source_registry(empty_store)
    assert registry["ecfr-2022-06"].label == "ECFR (2022)"
    assert registry["cornell-barro-2022"].kind == "think_tank"
    assert verify(empty_store).unregistered == {}
