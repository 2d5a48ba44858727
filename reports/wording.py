"""Plain words for the status names, their colours and the order readers see them in.

The status names and their rules belong to ``ledger``; this module only says them in
plain language for the reports, so the Markdown and HTML agree word for word.
"""

from __future__ import annotations

__all__ = ["KIND_WORDS", "STATUS_COLOURS", "STATUS_ORDER", "STATUS_WORDS", "status_word"]

#: Reading order: from first step to final outcome, then the exceptions.
STATUS_ORDER = (
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

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "announced": ("Announced", "promised; no official step yet"),
    "in_progress": ("In progress", "a formal step taken (bill drafted, amendment proposed)"),
    "adopted": ("Adopted", "law signed or amendment adopted, not yet in force"),
    "delivered": ("Delivered", "in force and implemented, or target met"),
    "partial": ("Partly delivered", "delivered substantially less than promised"),
    "stalled": ("Stalled", "no progress for 12 months"),
    "overdue": ("Overdue", "deadline passed, not delivered"),
    "broken": ("Broken", "abandoned or renounced"),
    "reversed": ("Reversed", "delivered, then repealed or undone"),
    "unverifiable": ("Cannot be checked", "no way to check it from the sources"),
}

#: Distinguishable without colour vision in most cases; every chart also has a table.
STATUS_COLOURS = {
    "announced": "#c7c7c7",
    "in_progress": "#9ecae1",
    "adopted": "#4292c6",
    "delivered": "#238b45",
    "partial": "#a1d99b",
    "stalled": "#fdae6b",
    "overdue": "#e6550d",
    "broken": "#a50f15",
    "reversed": "#6a51a3",
    "unverifiable": "#f0e442",
}

KIND_WORDS = {
    "promise": "promise",
    "law": "law",
    "amendment": "amendment",
    "milestone": "milestone",
}


def status_word(status: str | None) -> str:
    return STATUS_WORDS[status][0] if status else "not yet tracked"
