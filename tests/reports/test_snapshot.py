"""One period's model from the checkpoint and the few records its report names
(``load_period_snapshot``) equals the model from every record folded (``load_snapshot``),
on both engines, after retractions, a correction, backdated events, a range that ends in
a later period, and at a known-at in the past."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import Store, parse_as_of, parse_known_at
from reports.periods import parse_period, periods_between
from reports.site.model import Site, build_site, default_since
from reports.snapshot import Snapshot, load_period_snapshot, load_snapshot
from tests.reports.conftest import build_ledger, event

LATER = "2024-07-05T00:00:00Z"


def amend(store: Store) -> None:
    """Events the ledger learns after the base ones: retractions, a correction (retract,
    then record again), backdated events and a range first reported later."""
    signed = event("law.signed", "law-parties", "2023-05-05", number="12-VII")
    measured = event(
        "measurement.recorded",
        "party-signatures",
        "2023-09",
        metric="signatures",
        value=8000,
        unit="signatures",
        period="2023-09",
    )
    store.append(
        [
            event(
                "event.retracted",
                "law-parties",
                "2023-05-05",
                recorded_at=LATER,
                retracted=str(signed.id),
                reason="Signed a week later.",
            ),
            event(
                "law.signed",
                "law-parties",
                "2023-05-12",
                recorded_at=LATER,
                number="12-VII",
            ),
            event(
                "event.retracted",
                "party-signatures",
                "2023-09",
                recorded_at=LATER,
                retracted=str(measured.id),
                reason="The count was revised.",
            ),
            event(
                "measurement.recorded",
                "party-signatures",
                "2023-09",
                recorded_at=LATER,
                metric="signatures",
                value=7000,
                unit="signatures",
                period="2023-09",
            ),
            event("law.passed", "law-akims", "2022-12-01", recorded_at=LATER, chamber="Senate"),
            event(
                "promise.abandoned",
                "ombudsman",
                "2023-11/2024-05",
                doc="b",
                recorded_at=LATER,
                reason="Quietly dropped.",
            ),
        ]
    )
    withdrawn = event(
        "promise.abandoned", "senate", "2023-10-15", reason="Dropped from the agenda."
    )
    store.append(  # the newest event a retraction: the digest names it
        [
            event(
                "event.retracted",
                "senate",
                "2023-10-15",
                recorded_at=LATER,
                retracted=str(withdrawn.id),
                reason="Not dropped after all.",
            )
        ]
    )


def one_period(snapshot: Snapshot, name: str, known_at: str | None) -> Site:
    """The model of period ``name`` as ``build`` makes it, from ``snapshot``."""
    evaluated = parse_known_at(known_at) if known_at else snapshot.latest_recorded_at
    since = default_since(snapshot, evaluated, "quarter")
    assert since is not None
    return build_site(
        snapshot,
        as_of=parse_as_of("2024-06-30"),
        known_at=evaluated,
        known_at_given=known_at is not None,
        kind="quarter",
        since=since,
        base_url=None,
        title="Ledger",
        only=parse_period(name),
    )


def assert_same(partial: Site, full: Site) -> None:
    """Everything the one-period model holds is what the model from every record holds
    (its records aside: it holds only those it read)."""
    assert partial.periods == full.periods
    assert (partial.digest, partial.position, partial.since) == (
        full.digest,
        full.position,
        full.since,
    )
    assert (partial.sources, partial.areas, partial.packages, partial.changes) == (
        full.sources,
        full.areas,
        full.packages,
        full.changes,
    )
    assert list(partial.items) == list(full.items)
    for item in full.items:  # made on demand, from the item's records read then
        assert partial.items[item] == full.items[item], item
    read = {record.position for record in partial.records.after(0)}
    assert read <= {record.position for record in full.records.after(0)}
    assert len(read) < len(full.records.after(0))  # the point: not every record


@pytest.mark.parametrize("known_at", [None, "2024-06-30T00:00:00Z"])
def test_one_period_from_the_checkpoint_equals_one_from_every_record(store, known_at):
    build_ledger(store)
    amend(store)
    full = load_snapshot(store)
    since = default_since(full, full.latest_recorded_at, "quarter")
    assert since is not None and since.start <= date(2022, 1, 1)
    names = [p.name for p in periods_between(since, parse_period("2024-Q2"))]
    changed = 0
    for name in names:
        whole = one_period(full, name, known_at)
        alone = one_period(load_period_snapshot(store), name, known_at)
        assert_same(alone, whole)
        changed += len(whole.periods[0].changes)
    assert changed > 5


def test_the_period_snapshot_reads_from_the_saved_checkpoint(store):
    build_ledger(store)
    load_period_snapshot(store)  # catches up and saves the folded log
    amend(store)  # folded on top of the checkpoint by the next load
    whole = one_period(load_snapshot(store), "2023-Q2", None)
    alone = one_period(load_period_snapshot(store), "2023-Q2", None)
    assert_same(alone, whole)
    assert any(change.how == "happened" for change in whole.periods[0].changes)
