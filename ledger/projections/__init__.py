"""Projections: the folded log, the read model over it, and the status rules.

``catch_up`` loads the last checkpoint of the folded log, folds only the events appended
since, and saves the new checkpoint, so a status query after N new events folds exactly
N. ``view`` decides what a cut (as of, known at) shows; ``status`` derives statuses from
it; ``statuses`` keeps the latest ones and re-derives only what new events touch;
``series`` derives them at many dates in one walk; ``taxonomy`` names the statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.memory import gc_paused
from ledger.projections.folded import FoldedEvent, FoldedLog, fold_bodies, fold_log
from ledger.projections.series import evaluate_series, linked_groups
from ledger.projections.status import Disagreement, ItemStatus, evaluate
from ledger.projections.statuses import Evaluated, check_cached, statuses
from ledger.projections.taxonomy import (
    LABELS,
    METHOD,
    METHODS,
    PRECEDENCE,
    READING_ORDER,
    STATUSES,
    TERMS,
    StatusTerm,
    check_method,
    label,
    meaning,
)
from ledger.projections.view import (
    Cut,
    Knowledge,
    PeriodReads,
    RecordView,
    View,
    parse_as_of,
    parse_known_at,
    period_reads,
)

if TYPE_CHECKING:
    from ledger.store import Store

__all__ = [
    "LABELS",
    "METHOD",
    "METHODS",
    "PRECEDENCE",
    "READING_ORDER",
    "STATUSES",
    "TERMS",
    "CatchUp",
    "Cut",
    "Disagreement",
    "Evaluated",
    "FoldedEvent",
    "FoldedLog",
    "ItemStatus",
    "Knowledge",
    "PeriodReads",
    "RecordView",
    "StatusTerm",
    "View",
    "catch_up",
    "check_method",
    "evaluate",
    "evaluate_series",
    "fold_log",
    "gc_paused",
    "label",
    "linked_groups",
    "meaning",
    "parse_as_of",
    "parse_known_at",
    "period_reads",
    "rebuild_if_tampered",
    "statuses",
]

#: Bumped whenever the folded log's shape changes, so older checkpoints are ignored. The
#: log is the same for every method: the rules apply when a cut is evaluated.
STATE_VERSION = 4
CHECKPOINT = f"folded-log:{STATE_VERSION}"


@dataclass
class CatchUp:
    log: FoldedLog
    position: int
    folded: int


def catch_up(store: Store, *, save: bool = True) -> CatchUp:
    """The folded log, up to date with the store."""
    with gc_paused():
        saved = store.load_checkpoint(CHECKPOINT)
        if saved is None:
            position, log = 0, FoldedLog()
        else:
            position, log = saved[0], FoldedLog.from_json(saved[1])
        folded, last = fold_bodies(log, store.read_bodies(after=position))
        position = last or position
        if folded and save:
            store.save_checkpoint(CHECKPOINT, position, log.to_json())
        return CatchUp(log, position, folded)


def rebuild_if_tampered(store: Store) -> bool:
    """Compare the stored checkpoint with a fresh replay up to its position, and the
    cached statuses with a fresh evaluation.

    Both are caches outside the hash chain, so someone with write access to the database
    could alter them without breaking the chain. Returns True when one was wrong and has
    been rebuilt (or dropped) from the (verified) log.
    """
    saved = store.load_checkpoint(CHECKPOINT)
    with gc_paused():
        replayed = FoldedLog()
        position = 0 if saved is None else saved[0]
        fold_log(replayed, (r for r in store.read() if r.position <= position))
        intact = True
        if saved is not None:
            try:
                intact = FoldedLog.from_json(saved[1]) == replayed
            except (ValueError, KeyError, TypeError):
                intact = False
        fold_log(replayed, store.read(after=position))
        last = store.head().position
        if not intact:
            store.save_checkpoint(CHECKPOINT, last, replayed.to_json())
        return not check_cached(store, replayed, last) or not intact
