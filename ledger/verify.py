"""Tamper evidence: re-walk the hash chain, and check that it still extends a digest.

``verify`` recomputes every hash from the stored canonical body and checks that the
indexed columns agree with the body, so a single changed byte anywhere in a row is
found and its position named. A digest ``position:hash`` published earlier lets anyone
check later that the ledger was only ever appended to.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ledger.errors import IntegrityError
from ledger.mapper import GENESIS_HASH, chain_hash

if TYPE_CHECKING:
    from ledger.store import Store

__all__ = ["VerifyReport", "check_digest", "digest", "parse_digest", "verify"]


@dataclass(frozen=True)
class VerifyReport:
    events: int
    head: str
    #: Documents cited but never registered as sources (from older ledgers), with the
    #: number of events citing each: a warning, not a broken chain.
    unregistered: dict[str, int] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return f"{self.events}:{self.head}"


def digest(store: Store) -> str:
    head = store.head()
    return f"{head.position}:{head.hash}"


def parse_digest(text: str) -> tuple[int, str]:
    position_text, _, hash_ = text.strip().partition(":")
    if (
        not position_text.isdigit()
        or len(hash_) != 64
        or any(c not in "0123456789abcdef" for c in hash_)
    ):
        from events import InvalidInput

        raise InvalidInput(f"digest {text!r} is not of the form POSITION:SHA256HEX")
    return int(position_text), hash_


_COLUMNS = ("event_id", "item", "version", "type", "schema_version", "effective", "recorded_at")
_BODY_KEYS = ("id", "item", "version", "type", "schema", "effective", "recorded_at")


def verify(store: Store, *, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Raise ``IntegrityError`` naming the first bad position; else report the head."""
    expected_position, prev_hash, last_recorded = 1, GENESIS_HASH, ""
    cited: Counter[str] = Counter()
    registered: set[str] = set()
    for row in store.read_raw():
        position, *columns, body, stored_prev, stored_hash = row
        where = f"position {position}"
        if position != expected_position:
            raise IntegrityError(
                f"chain broken at position {expected_position}: event missing "
                f"(next stored position is {position})",
                expected_position,
            )
        if stored_prev != prev_hash:
            raise IntegrityError(
                f"chain broken at {where}: prev_hash does not match the previous event's hash",
                position,
            )
        if chain_hash(prev_hash, body) != stored_hash:
            raise IntegrityError(
                f"chain broken at {where}: the stored event does not match "
                "its hash (it was altered)",
                position,
            )
        try:
            stored = json.loads(body)
        except ValueError:
            raise IntegrityError(f"chain broken at {where}: body is not JSON", position) from None
        if stored.get("position") != position or [stored.get(k) for k in _BODY_KEYS] != columns:
            raise IntegrityError(
                f"chain broken at {where}: indexed columns disagree with the hashed event", position
            )
        if stored["recorded_at"] < last_recorded:
            raise IntegrityError(f"chain broken at {where}: recorded_at runs backwards", position)
        last_recorded = stored["recorded_at"]
        if stored["type"] == "source.registered":
            registered.add(stored["item"])
        else:
            cited[stored["source"]["document"]] += 1
        prev_hash = stored_hash
        expected_position += 1
        if progress is not None:
            progress(1)
    unregistered = {d: n for d, n in sorted(cited.items()) if d not in registered}
    report = VerifyReport(expected_position - 1, prev_hash, unregistered)
    from ledger.projections import rebuild_if_tampered

    if rebuild_if_tampered(store):
        raise IntegrityError(
            "the hash chain is intact, but the stored status checkpoint did not match a "
            "replay of it (it was altered); it has been rebuilt from the chain"
        )
    return report


def check_digest(store: Store, published: str) -> VerifyReport:
    """Verify the chain and that it still passes through a digest published earlier."""
    position, hash_ = parse_digest(published)
    report = verify(store)
    if report.events < position:
        raise IntegrityError(
            f"the ledger has {report.events} events but the digest names position {position}: "
            "events were removed (truncated) or this is another ledger",
            report.events + 1,
        )
    if store.hash_at(position) != hash_:
        raise IntegrityError(
            f"the ledger does not extend digest {position}:{hash_[:12]}…: history up to "
            f"position {position} was rewritten",
            position,
        )
    return report
