"""The cached statuses: reused while nothing changed, re-derived where something did.

Every test primes the cache, changes what the statuses depend on, and compares the
answer with a fresh evaluation of a full replay; each change is one that a cache keyed
too loosely (by the touched item alone, by the position alone, ignoring the date or the
sources) would answer wrongly.
"""

from __future__ import annotations

import uuid

import orjson
import pytest

from ledger import Cut, FoldedLog, IntegrityError, View, evaluate, fold_log, status, verify
from ledger.projections import METHOD
from ledger.projections.statuses import CACHE
from tests.conftest import SOURCE, link, make, promise

AS_OF = "2023-06-30"


def replayed(store, as_of: str = AS_OF, known_at=None):
    """What a fresh evaluation of the whole log says (with each item's disagreements)."""
    log = FoldedLog()
    fold_log(log, store.read())
    found = evaluate(View.of(log, Cut.of(as_of, known_at)))
    return found, [s.disagreements for s in found]


def answered(store, as_of: str = AS_OF, known_at=None):
    found = status(store, as_of=as_of, known_at=known_at).items
    return found, [s.disagreements for s in found]


def statuses_of(store, as_of: str = AS_OF) -> dict[str, str]:
    return {s.item: s.status for s in status(store, as_of=as_of).items}


def cached_position(store) -> int | None:
    saved = store.load_checkpoint(f"{CACHE}:{METHOD}")
    return saved[0] if saved and saved[1] else None


def read_entry(store):
    """The cached entry's position, key, other parts and status rows (one array each)."""
    name = f"{CACHE}:{METHOD}"
    position, blob = store.load_checkpoint(name)
    key, _, header = blob.partition(b"\n")
    count = len(orjson.loads(header)["tokens"])
    parts = [store.load_checkpoint(f"{name}:{n}")[1] for n in range(count)]
    rows = [row for part in parts for row in orjson.loads(part.partition(b"\n")[2])]
    return position, key, orjson.loads(header), rows


def write_entry(store, position, key, header, rows) -> None:
    name = f"{CACHE}:{METHOD}"
    header = {**header, "tokens": ["forged"]}
    store.save_checkpoint(name, position, key + b"\n" + orjson.dumps(header))
    store.save_checkpoint(f"{name}:0", position, b"forged\n" + orjson.dumps(rows))


@pytest.fixture
def ledger(store):
    """A promise, an unlinked law in force, a second promise its law implements (a
    linked group of two), and two sources' conflicting verdicts (a disagreement)."""
    store.append(
        [
            promise("p"),
            make("law.in_force", "law", "2022-02-01", title="Law"),
            promise("q"),
            make("law.signed", "law-q", "2022-03-01", title="Law Q"),
            link("law-q", "q"),
            make(
                "assessment.recorded",
                "q",
                "2022-04",
                assessor="A",
                verdict="broken",
                rationale="Says broken.",
            ),
            make(
                "assessment.recorded",
                "q",
                "2022-04",
                assessor="B",
                verdict="delivered",
                rationale="Says delivered.",
            ),
        ]
    )
    assert statuses_of(store) == {
        "p": "announced",
        "law": "delivered",
        "q": "adopted",
        "law-q": "adopted",
    }
    assert cached_position(store) == store.head().position
    return store


def test_nothing_new_answers_from_the_cache_as_a_replay_would(ledger):
    assert answered(ledger) == replayed(ledger)
    assert any(s.contested for s in status(ledger, as_of=AS_OF).items)


def test_a_new_link_into_a_group_re_derives_the_item_it_links_to(ledger):
    ledger.append([link("law", "p")])  # touches "law"; "p" is what changes
    assert statuses_of(ledger)["p"] == "delivered"
    assert answered(ledger) == replayed(ledger)
    assert cached_position(ledger) == ledger.head().position


def test_a_new_event_of_a_linked_item_re_derives_its_group(ledger):
    ledger.append([make("law.in_force", "law-q", "2022-05-01")])
    assert statuses_of(ledger)["q"] == "delivered"
    assert answered(ledger) == replayed(ledger)


def test_a_retracted_link_re_derives_both_of_its_ends(ledger):
    linked = link("law", "p")
    ledger.append([linked])
    assert statuses_of(ledger)["p"] == "delivered"
    ledger.append([make("event.retracted", "law", retracted=str(linked.id), reason="Wrong law.")])
    assert statuses_of(ledger)["p"] == "announced"
    assert answered(ledger) == replayed(ledger)
    # the kept links (and so the groups' dates) still name the retracted link: wider
    # groups, re-derived sooner, never wrong
    assert statuses_of(ledger, "2023-07-01")["p"] == "announced"
    verify(ledger)


def test_a_backdated_event_counts_at_once(ledger):
    ledger.append([make("promise.abandoned", "p", "2021-01-01", reason="Dropped.")])
    assert statuses_of(ledger)["p"] == "broken"
    assert answered(ledger) == replayed(ledger)


def test_a_later_as_of_is_derived_again_and_the_earlier_still_holds(ledger):
    ledger.append([promise("d", deadline="2024")])
    assert statuses_of(ledger)["d"] == "announced"
    assert statuses_of(ledger, "2030-01-01")["d"] == "overdue"
    assert answered(ledger, "2030-01-01") == replayed(ledger, "2030-01-01")
    assert statuses_of(ledger)["d"] == "announced"


def test_a_changed_source_kind_re_grades_every_item(ledger):
    before = {s.item: s.evidence for s in status(ledger, as_of=AS_OF).items}
    assert before["law"]["grade"] == "reported"
    ledger.append(
        [
            make(
                "source.registered",
                SOURCE["document"],
                "2000",
                id=str(uuid.uuid4()),
                title="The document, corrected",
                publisher="Test Publisher",
                published="2000",
                kind="official",
                language="en",
            )
        ]
    )
    after = {s.item: s.evidence for s in status(ledger, as_of=AS_OF).items}
    assert after["law"]["grade"] == after["q"]["grade"] == "official"
    assert answered(ledger) == replayed(ledger)


def test_a_cut_known_at_an_earlier_time_is_not_answered_from_the_cache(ledger):
    earlier = ledger.head().recorded_at
    ledger.append([link("law", "p")])
    assert statuses_of(ledger)["p"] == "delivered"
    assert answered(ledger, known_at=earlier) == replayed(ledger, known_at=earlier)
    assert {s.item: s.status for s in answered(ledger, known_at=earlier)[0]}["p"] == ("announced")


def test_verify_finds_and_drops_an_altered_cache(ledger):
    position, key, header, rows = read_entry(ledger)
    where = orjson.loads(key)[0]["fields"].index("status")
    row = next(row for row in rows if row[0] == "p")
    row[where] = "delivered"
    write_entry(ledger, position, key, header, rows)
    assert statuses_of(ledger)["p"] == "delivered"  # the cache is what status reads

    with pytest.raises(IntegrityError, match="did not match"):
        verify(ledger)
    assert verify(ledger).events == ledger.head().position
    assert statuses_of(ledger)["p"] == "announced"
    assert answered(ledger) == replayed(ledger)


def test_an_unreadable_cache_is_no_cache(ledger):
    name = f"{CACHE}:{METHOD}"
    position, _ = ledger.load_checkpoint(name)
    ledger.save_checkpoint(name, position, b"{not json")
    assert answered(ledger) == replayed(ledger)


def test_verify_finds_a_cache_that_lost_a_link(ledger):
    """Without the link, a new event of law-q would re-derive law-q alone, not q."""
    position, key, header, rows = read_entry(ledger)
    header["links"] = {}
    write_entry(ledger, position, key, header, rows)
    with pytest.raises(IntegrityError, match="did not match"):
        verify(ledger)
    ledger.append([make("law.in_force", "law-q", "2022-05-01")])
    assert statuses_of(ledger)["q"] == "delivered"
    assert answered(ledger) == replayed(ledger)


# -- a later day: the answer kept for one day is reused where no date lies between -------
def by_item(store, as_of: str, method: str | None = None):
    return {s.item: s for s in status(store, as_of=as_of, method=method).items}


def test_a_later_day_re_derives_a_promise_once_its_deadline_passed(ledger):
    ledger.append([promise("d", deadline="2024")])
    assert statuses_of(ledger)["d"] == "announced"
    assert statuses_of(ledger, "2024-12-31")["d"] == "announced"  # the deadline's last day
    assert answered(ledger, "2024-12-31") == replayed(ledger, "2024-12-31")
    assert statuses_of(ledger, "2025-01-01")["d"] == "overdue"
    assert answered(ledger, "2025-01-01") == replayed(ledger, "2025-01-01")


@pytest.mark.parametrize("method", ["reform-ledger/1", "reform-ledger/2"])
def test_a_later_day_re_derives_an_item_once_the_12_month_window_passed(ledger, method):
    """Twelve months without news: a gap in the evidence (and, by method 1, a stall)."""
    ledger.append([make("law.signed", "s", "2023-03-01", title="Law S")])
    assert not by_item(ledger, AS_OF, method)["s"].evidence_gap
    still = by_item(ledger, "2024-03-01", method)["s"]
    assert not still.evidence_gap and still.status == "adopted"
    later = by_item(ledger, "2024-03-02", method)["s"]
    assert later.evidence_gap
    assert later.status == ("stalled" if method == "reform-ledger/1" else "adopted")
    found = status(ledger, as_of="2024-03-02", method=method).items
    log = FoldedLog()
    fold_log(log, ledger.read())
    fresh = evaluate(View.of(log, Cut.of("2024-03-02")), method)
    assert (found, [s.disagreements for s in found]) == (fresh, [s.disagreements for s in fresh])


def test_a_later_day_counts_a_future_dated_event_once_it_happened(ledger):
    ledger.append(
        [
            make("law.in_force", "law-q", "2023-09-01"),
            promise("f", "2023-09-15"),  # an item that exists from that day on
        ]
    )
    assert statuses_of(ledger)["q"] == "adopted"
    assert "f" not in statuses_of(ledger, "2023-08-31")
    assert statuses_of(ledger, "2023-08-31")["q"] == "adopted"
    assert statuses_of(ledger, "2023-09-01")["q"] == "delivered"
    assert answered(ledger, "2023-09-01") == replayed(ledger, "2023-09-01")
    assert statuses_of(ledger, "2023-09-15")["f"] == "announced"
    assert answered(ledger, "2023-09-15") == replayed(ledger, "2023-09-15")
    verify(ledger)  # the kept answer and its dates hold


def test_a_later_day_moves_a_targets_share_of_elapsed_time(ledger):
    target = {
        "metric": "waiting days",
        "unit": "days",
        "baseline": 100,
        "baseline_date": "2022",
        "goal": 50,
        "direction": "down",
    }
    ledger.append([promise("t", deadline="2025", target=target)])
    before = by_item(ledger, AS_OF)["t"].target["elapsed"]
    after = by_item(ledger, "2023-07-01")["t"].target["elapsed"]
    assert 0 < before < after < 1
    assert answered(ledger, "2023-07-01") == replayed(ledger, "2023-07-01")


def test_a_later_day_reuses_what_no_date_changed_and_an_earlier_day_does_not(ledger):
    """The kept answer is what a later day reads where nothing lies between: a folded log
    altered behind the cache's back shows only on an earlier day (verify finds both)."""
    from ledger.projections import CHECKPOINT, FoldedEvent, catch_up

    catch_up(ledger)
    position, blob = ledger.load_checkpoint(CHECKPOINT)
    log = FoldedLog.from_json(blob)
    abandoned = ["2021-06", "2021-06-01", "2021-06-30", "2021-06-01T00:00:00.000000Z", "x", {}]
    log.streams["p"].events.append(FoldedEvent(99, "forged", "promise.abandoned", *abandoned))
    ledger.save_checkpoint(CHECKPOINT, position, log.to_json())
    assert statuses_of(ledger, "2023-12-31")["p"] == "announced"  # kept, not re-read
    assert statuses_of(ledger, "2023-01-01")["p"] == "broken"  # read from the altered log
    with pytest.raises(IntegrityError, match="did not match"):
        verify(ledger)
    assert statuses_of(ledger, "2023-01-01")["p"] == "announced"


def test_verify_finds_a_cache_whose_dates_were_altered(ledger):
    """A group whose next date was pushed back would be reused past its deadline."""
    ledger.append([promise("d", deadline="2024")])
    assert statuses_of(ledger)["d"] == "announced"
    position, key, header, rows = read_entry(ledger)
    header["changes"]["d"] = [None, None, None]
    write_entry(ledger, position, key, header, rows)
    with pytest.raises(IntegrityError, match="did not match"):
        verify(ledger)
    assert statuses_of(ledger, "2025-01-01")["d"] == "overdue"


def test_a_part_of_another_entry_is_not_read_as_this_ones(ledger):
    """The statuses are kept in rows of their own; an older row left in place (a writer
    that died, a restored backup) must not be taken for the current entry's."""
    name = f"{CACHE}:{METHOD}"
    older = ledger.load_checkpoint(f"{name}:0")
    ledger.append([link("law", "p")])
    assert statuses_of(ledger)["p"] == "delivered"
    ledger.save_checkpoint(f"{name}:0", *older)  # says "p" is announced
    assert answered(ledger) == replayed(ledger)
    assert statuses_of(ledger)["p"] == "delivered"


def test_after_a_new_event_only_the_rows_holding_its_group_are_written(ledger, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("ledger.projections.statuses"), "CHUNK", 1)
    ledger.save_checkpoint(f"{CACHE}:{METHOD}:key", 0, b"")  # no cache: all rows anew
    assert answered(ledger) == replayed(ledger)
    before = read_entry(ledger)[2]["tokens"]
    assert len(before) == 4  # law, law-q, p, q: a row each
    ledger.append([make("promise.abandoned", "p", "2021-01-01", reason="Dropped.")])
    assert statuses_of(ledger)["p"] == "broken"
    after = read_entry(ledger)[2]["tokens"]
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, True, False, True]
    assert answered(ledger) == replayed(ledger)
    ledger.append([promise("a")])  # a new item moves the rows' bounds: all written
    assert answered(ledger) == replayed(ledger)
    assert not set(before) & set(read_entry(ledger)[2]["tokens"])
