"""The reports' plain words cover exactly the statuses the ledger's rules can give."""

from __future__ import annotations

from ledger import STATUSES as PRECEDENCE
from reports.wording import STATUS_COLOURS, STATUS_ORDER, STATUS_WORDS


def test_every_status_has_a_place_a_word_and_a_colour() -> None:
    assert sorted(STATUS_ORDER) == sorted(PRECEDENCE)
    assert len(STATUS_ORDER) == len(set(STATUS_ORDER))
    assert set(STATUS_WORDS) == set(PRECEDENCE)
    assert set(STATUS_COLOURS) == set(PRECEDENCE)
