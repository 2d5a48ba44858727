"""Plain words for the status names, their colours and the order readers see them in.

The status names, words and meanings belong to ``ledger`` (its one vocabulary table);
this module adds only colours and the kinds' words, so the Markdown and HTML agree word
for word with ``status`` and the docs.
"""

from __future__ import annotations

from ledger import READING_ORDER, TERMS

__all__ = [
    "KIND_WORDS",
    "SOURCE_KIND_WORDS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "STATUS_WORDS",
    "status_word",
    "target_verdict",
]

#: Reading order: from first step to final outcome, then the exceptions.
STATUS_ORDER = READING_ORDER

#: Each status's word and meaning, as the ledger's vocabulary defines them.
STATUS_WORDS: dict[str, tuple[str, str]] = {term.name: (term.word, term.meaning) for term in TERMS}

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

#: How a source's kind reads in a report.
SOURCE_KIND_WORDS = {
    "official": "official record",
    "government": "government statement",
    "academic": "academic",
    "think_tank": "think tank",
    "news": "news",
    "other": "other",
}

KIND_WORDS = {
    "promise": "promise",
    "law": "law",
    "amendment": "amendment",
    "milestone": "milestone",
}


def target_verdict(progress: float | None, on_track: bool | None) -> str:
    """Where a target stands, in words."""
    if progress is None:
        return "no measurement yet"
    if on_track is None:
        return "no deadline to judge by"
    return "on track" if on_track else "behind"


def status_word(status: str | None) -> str:
    return STATUS_WORDS[status][0] if status else "not yet tracked"
