"""Projections: the folded log, the read model over it, and the status rules.

``checkpoint.catch_up`` loads the last checkpoint of the folded log, folds only the events
appended since, and saves the new checkpoint, so a status query after N new events folds
exactly N. ``view`` decides what a cut (as of, known at) shows; ``status`` derives
statuses from it; ``statuses`` keeps the latest ones and re-derives only what new events
touch; ``series`` derives them at many dates in one walk; ``taxonomy`` names the statuses;
``sources`` folds the source registrations.

Each public name is imported from its module on first use (PEP 562), as in ``ledger``:
importing one submodule (``record`` needs only ``sources``) runs this file, and it should
not load the status rules with it. The function that keeps the latest statuses is
``ledger.projections.statuses.statuses``: a package attribute of that name would be the
module or the function depending on what was imported first, so it is not one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.lazy import lazy_exports

if TYPE_CHECKING:
    from ledger.memory import gc_paused
    from ledger.projections.checkpoint import (
        CHECKPOINT,
        STATE_VERSION,
        CatchUp,
        catch_up,
        keep_checkpoint,
        rebuild_if_tampered,
    )
    from ledger.projections.folded import FoldedEvent, FoldedLog, fold_bodies, fold_log
    from ledger.projections.series import evaluate_series, linked_groups
    from ledger.projections.status import Disagreement, ItemStatus, evaluate
    from ledger.projections.statuses import Evaluated, check_cached
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

__all__ = [
    "CHECKPOINT",
    "LABELS",
    "METHOD",
    "METHODS",
    "PRECEDENCE",
    "READING_ORDER",
    "STATE_VERSION",
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
    "check_cached",
    "check_method",
    "evaluate",
    "evaluate_series",
    "fold_bodies",
    "fold_log",
    "gc_paused",
    "keep_checkpoint",
    "label",
    "linked_groups",
    "meaning",
    "parse_as_of",
    "parse_known_at",
    "period_reads",
    "rebuild_if_tampered",
]

_MODULES = {
    "ledger.memory": ("gc_paused",),
    "ledger.projections.checkpoint": (
        "CHECKPOINT",
        "STATE_VERSION",
        "CatchUp",
        "catch_up",
        "keep_checkpoint",
        "rebuild_if_tampered",
    ),
    "ledger.projections.folded": ("FoldedEvent", "FoldedLog", "fold_bodies", "fold_log"),
    "ledger.projections.series": ("evaluate_series", "linked_groups"),
    "ledger.projections.status": ("Disagreement", "ItemStatus", "evaluate"),
    "ledger.projections.statuses": ("Evaluated", "check_cached"),
    "ledger.projections.taxonomy": (
        "LABELS",
        "METHOD",
        "METHODS",
        "PRECEDENCE",
        "READING_ORDER",
        "STATUSES",
        "TERMS",
        "StatusTerm",
        "check_method",
        "label",
        "meaning",
    ),
    "ledger.projections.view": (
        "Cut",
        "Knowledge",
        "PeriodReads",
        "RecordView",
        "View",
        "parse_as_of",
        "parse_known_at",
        "period_reads",
    ),
}
__getattr__, __dir__ = lazy_exports(globals(), _MODULES)
