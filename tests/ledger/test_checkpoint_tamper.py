"""A status checkpoint altered behind the ledger's back is found by verify and rebuilt."""

from __future__ import annotations

import pytest

from ledger import IntegrityError, catch_up, status, verify
from ledger.projections import CHECKPOINT, FoldedEvent, FoldedLog
from tests.conftest import link, make, promise


def test_verify_finds_and_repairs_an_altered_checkpoint(store):
    store.append([promise("p"), make("law.in_force", "l", "2022-02-01"), link("l", "p")])
    assert {s.item: s.status for s in status(store, as_of="2023-01-01").items}["p"] == "delivered"
    position, blob = store.load_checkpoint(CHECKPOINT)
    log = FoldedLog.from_json(blob)
    log.streams["p"].events.append(
        FoldedEvent(
            99,
            "forged",
            "promise.abandoned",
            "2022-06",
            "2022-06-01",
            "2022-06-30",
            "2022-06-01T00:00:00.000000Z",
            "x",
            {},
        )
    )
    store.save_checkpoint(CHECKPOINT, position, log.to_json())
    # the statuses cached at 2023-01-01 (and a later day's, where no date of theirs lies
    # between) do not read the log again; an earlier date does
    assert {s.item: s.status for s in status(store, as_of="2022-12-31").items}["p"] == "broken"

    with pytest.raises(IntegrityError, match="checkpoint did not match"):
        verify(store)
    assert verify(store).events == 4
    assert catch_up(store).folded == 0
    assert {s.item: s.status for s in status(store, as_of="2023-01-01").items}["p"] == "delivered"
