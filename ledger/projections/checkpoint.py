"""The folded log's checkpoint: load it, fold what was appended since, save it.

``catch_up`` is how every reader gets the folded log: a status query after N new events
folds exactly N. ``rebuild_if_tampered`` is ``verify``'s check that the checkpoint (and
the status cache) still equal a replay, since both live outside the hash chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.memory import gc_paused
from ledger.projections.folded import FoldedLog, fold_bodies, fold_log
from ledger.projections.statuses import check_cached

if TYPE_CHECKING:
    from ledger.store import Store

__all__ = [
    "CHECKPOINT",
    "STATE_VERSION",
    "CatchUp",
    "catch_up",
    "keep_checkpoint",
    "rebuild_if_tampered",
]

#: Bumped whenever the folded log's shape changes, so older checkpoints are ignored. The
#: log is the same for every method: the rules apply when a cut is evaluated.
STATE_VERSION = 6
CHECKPOINT = f"folded-log:{STATE_VERSION}"
#: A checkpoint is saved again once it lags the log by more than this share of the log's
#: events. Saving rewrites the whole folded log (tens of megabytes at a million events)
#: while folding a short tail costs milliseconds: a reader then folds at most a
#: thousandth of the log, and one new event no longer costs a rewrite.
STALE_SHARE = 1000


def worth_saving(saved: int | None, position: int) -> bool:
    """Whether a log folded up to ``position`` should replace a checkpoint saved at
    ``saved`` (None: there is none): it is newer by more than 1/``STALE_SHARE`` of the
    log (on a small ledger, by any event)."""
    if position <= 0:
        return False
    if saved is None:
        return True
    return position - saved > position // STALE_SHARE


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
        stored = None if saved is None else position
        folded, last = fold_bodies(log, store.read_bodies(after=position))
        position = last or position
        if folded and save and worth_saving(stored, position):
            _save(store, position, log, first=stored is None)
        return CatchUp(log, position, folded)


def keep_checkpoint(store: Store, log: FoldedLog, position: int) -> bool:
    """Save ``log``, folded from every event up to ``position``, as the checkpoint when the
    stored one is older by more than ``STALE_SHARE`` allows; True when it was saved.

    A reader that folds the whole log anyway (the site's build) leaves the next
    ``status`` or one-period report at most a thousandth of the log to fold. A checkpoint
    saved meanwhile by another process is only replaced by a later one.
    """
    saved = store.checkpoint_position(CHECKPOINT)
    if not worth_saving(saved, position):
        return False
    _save(store, position, log, first=saved is None)
    return True


def _save(store: Store, position: int, log: FoldedLog, *, first: bool) -> None:
    """Save the checkpoint; the first of this format also drops those of older formats
    (a folded log of a million events is hundreds of megabytes no reader would use)."""
    store.save_checkpoint(CHECKPOINT, position, log.to_json())
    if first:
        prefix = CHECKPOINT.rpartition(":")[0] + ":"
        names = store.checkpoint_names()
        store.drop_checkpoints([n for n in names if n.startswith(prefix) and n != CHECKPOINT])


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
