"""The status words, their order of finality, and their mapping to other meters' labels.

The rules that derive a status live in ``status``; this module only names things, so
the docs table, ``status --labels`` and the reports all read from one place.
"""

from __future__ import annotations

__all__ = ["GROUPS", "LABELS", "METHOD", "PRECEDENCE", "STATUSES", "group_of", "label"]

#: Changing any rule in ``status`` changes this version; every report prints it.
METHOD = "reform-ledger/1"

#: Most final first: where several rules apply, the earliest here wins.
PRECEDENCE = (
    "broken",
    "reversed",
    "delivered",
    "partial",
    "unverifiable",
    "overdue",
    "stalled",
    "adopted",
    "in_progress",
    "announced",
)
STATUSES = PRECEDENCE

LABELS: dict[str, dict[str, str]] = {
    "politifact": {
        "announced": "Not Yet Rated",
        "in_progress": "In the Works",
        "adopted": "In the Works",
        "delivered": "Promise Kept",
        "partial": "Compromise",
        "stalled": "Stalled",
        "overdue": "Stalled",
        "broken": "Promise Broken",
        "reversed": "Promise Broken",
        "unverifiable": "Not Yet Rated",
    },
    "polimeter": {
        "announced": "not yet rated",
        "in_progress": "kept in part or in the works",
        "adopted": "kept in part or in the works",
        "delivered": "kept",
        "partial": "kept in part or in the works",
        "stalled": "kept in part or in the works",
        "overdue": "broken",
        "broken": "broken",
        "reversed": "broken",
        "unverifiable": "not yet rated",
    },
    "ogp": {
        "announced": "not started",
        "in_progress": "limited",
        "adopted": "substantial",
        "delivered": "complete",
        "partial": "substantial",
        "stalled": "limited",
        "overdue": "limited",
        "broken": "not started",
        "reversed": "worsened",
        "unverifiable": "not started",
    },
}

#: Coarse groups used to decide whether two verdicts disagree.
GROUPS = {
    "delivered": "done",
    "partial": "partway",
    "adopted": "partway",
    "in_progress": "partway",
    "stalled": "partway",
    "overdue": "partway",
    "broken": "failed",
    "reversed": "failed",
    "announced": "not yet",
    "unverifiable": "not yet",
}


def group_of(status: str) -> str:
    return GROUPS[status]


def label(status: str, scheme: str | None) -> str:
    return status if not scheme else LABELS[scheme][status]
