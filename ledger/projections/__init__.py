"""Projections: pure folds over the log, caught up incrementally from a stored checkpoint.

``catch_up`` loads the last checkpoint, folds only the events appended since, and saves
the new checkpoint, so a status query after N new events folds exactly N.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from events import loads
from ledger.memory import gc_paused
from ledger.projections.sources import REGISTRATION, tracked
from ledger.projections.status import ItemStatus, empty_state, evaluate, fold_status
from ledger.projections.taxonomy import LABELS, METHOD, PRECEDENCE, STATUSES, label
from ledger.store import Store

__all__ = [
    "LABELS",
    "METHOD",
    "PRECEDENCE",
    "STATUSES",
    "CatchUp",
    "ItemStatus",
    "catch_up",
    "rebuild_if_tampered",
    "gc_paused",
    "empty_state",
    "evaluate",
    "fold_status",
    "label",
]

#: Bumped whenever the folded state's shape changes, so older checkpoints are ignored.
STATE_VERSION = 2
CHECKPOINT = f"status:{METHOD}:{STATE_VERSION}"


@dataclass
class CatchUp:
    state: dict[str, Any]
    position: int
    folded: int


def catch_up(store: Store, *, save: bool = True) -> CatchUp:
    """The status projection's state, up to date with the log."""
    with gc_paused():
        return _catch_up(store, save=save)


def _catch_up(store: Store, *, save: bool) -> CatchUp:
    saved = store.load_checkpoint(CHECKPOINT)
    if saved is None:
        position, state = 0, empty_state()
    else:
        position, state = saved[0], loads(saved[1])
    folded = 0
    for record in store.read(after=position):
        if record.type != REGISTRATION:  # sources are not tracked items
            folded += fold_status(state, (record,))
        position = record.position
    if folded and save:
        store.save_checkpoint(CHECKPOINT, position, orjson.dumps(state))
    return CatchUp(state, position, folded)


def rebuild_if_tampered(store: Store) -> bool:
    """Compare the stored checkpoint with a fresh replay up to its position.

    The checkpoint is a cache outside the hash chain, so someone with write access to the
    database could alter it without breaking the chain. Returns True when it was wrong and
    has been rebuilt from the (verified) log.
    """
    saved = store.load_checkpoint(CHECKPOINT)
    if saved is None:
        return False
    position, blob = saved
    with gc_paused():
        replayed = empty_state()
        fold_status(replayed, tracked(r for r in store.read() if r.position <= position))
        try:
            intact = loads(blob) == replayed
        except ValueError:
            intact = False
        if intact:
            return False
        fold_status(replayed, tracked(store.read(after=position)))
        last = store.head().position
        store.save_checkpoint(CHECKPOINT, last, orjson.dumps(replayed))
    return True
