"""The status vocabulary: one table from which the rules, the labels and the words derive.

Each status is defined once, in ``TERMS``: its name, how final it is, how far along it says
an item is, its plain words for readers, and the label other promise meters give it. The
rules in ``status``, ``status --labels``, the docs table and the reports' wording all read
from here, so adding or renaming a status is one edit (and a new method version).
"""

from __future__ import annotations

from typing import NamedTuple

from events import InvalidInput

__all__ = [
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
    "progress_range",
]

#: Changing any rule in ``status`` changes the method's version; every report prints it.
#: Older methods stay available, so a figure published under one can be regenerated.
METHODS = ("reform-ledger/1", "reform-ledger/2")
METHOD = METHODS[-1]


class StatusTerm(NamedTuple):
    """One status: its name, plain words, and what it says about an item's progress."""

    name: str
    word: str
    meaning: str
    #: How far along the status says the item is: 0 not yet, 1 partway, 2 done; a range
    #: when it says only "not done". None for failures, which are off the scale.
    progress: tuple[int, int] | None
    politifact: str
    polimeter: str
    ogp: str


#: Most final first: where several rules apply, the earliest here wins.
TERMS: tuple[StatusTerm, ...] = (
    StatusTerm(
        "broken", "Broken", "abandoned or renounced", None,
        "Promise Broken", "broken", "not started",
    ),
    StatusTerm(
        "reversed", "Reversed", "delivered, then repealed or undone", None,
        "Promise Broken", "broken", "worsened",
    ),
    StatusTerm(
        "delivered", "Delivered", "in force and implemented, or target met", (2, 2),
        "Promise Kept", "kept", "complete",
    ),
    StatusTerm(
        "partial", "Partly delivered", "delivered substantially less than promised", (1, 1),
        "Compromise", "kept in part or in the works", "substantial",
    ),
    StatusTerm(
        "unverifiable", "Cannot be checked", "no way to check it from the sources", (0, 0),
        "Not Yet Rated", "not yet rated", "not started",
    ),
    StatusTerm(
        "overdue", "Overdue", "deadline passed, not delivered", (0, 1),
        "Stalled", "broken", "limited",
    ),
    StatusTerm(
        "stalled", "Stalled", "a cited source says the work stopped or was shelved", (0, 1),
        "Stalled", "kept in part or in the works", "limited",
    ),
    StatusTerm(
        "adopted", "Adopted", "law signed or amendment adopted, not yet in force", (1, 1),
        "In the Works", "kept in part or in the works", "substantial",
    ),
    StatusTerm(
        "in_progress", "In progress", "a formal step taken (bill drafted, amendment proposed)",
        (1, 1), "In the Works", "kept in part or in the works", "limited",
    ),
    StatusTerm(
        "announced", "Announced", "promised; no official step yet", (0, 0),
        "Not Yet Rated", "not yet rated", "not started",
    ),
)  # fmt: skip

PRECEDENCE: tuple[str, ...] = tuple(term.name for term in TERMS)
STATUSES = PRECEDENCE
_BY_NAME = {term.name: term for term in TERMS}

#: The order readers meet the statuses in: from first step to final outcome, then the
#: exceptions. A presentation order over the same names (a test keeps them equal as sets).
READING_ORDER: tuple[str, ...] = (
    "announced",
    "in_progress",
    "adopted",
    "delivered",
    "partial",
    "stalled",
    "overdue",
    "broken",
    "reversed",
    "unverifiable",
)

LABELS: dict[str, dict[str, str]] = {
    scheme: {term.name: getattr(term, scheme) for term in TERMS}
    for scheme in ("politifact", "polimeter", "ogp")
}


def progress_range(status: str) -> tuple[int, int] | None:
    """How far along ``status`` says an item is; None for a failure (broken, reversed)."""
    return _BY_NAME[status].progress


#: Where an older method meant something else by a word.
_OLDER_MEANINGS = {"reform-ledger/1": {"stalled": "no progress for 12 months"}}


def meaning(status: str, method: str = METHOD) -> str:
    """What ``status`` means under ``method``, in plain words."""
    return _OLDER_MEANINGS.get(method, {}).get(status) or _BY_NAME[status].meaning


def check_method(method: str | None) -> str:
    """The method asked for (the newest when None); a clear error for an unknown one."""
    if method is None:
        return METHOD
    if method not in METHODS:
        raise InvalidInput(f"--method {method!r}: use one of {', '.join(METHODS)}")
    return method


def label(status: str, scheme: str | None) -> str:
    return status if not scheme else LABELS[scheme][status]
