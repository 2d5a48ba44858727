"""Evidence grade and freshness of an item, in a reader's words.

Method ``reform-ledger/2`` gives each status the grade of its best evidence (``official``:
the act or record itself; ``reported``: an independent source; ``claimed``: the
government or an interested party) with the documents that give it, and the date of the
item's latest evidence. Under method 1, which gives neither, the site shows no grade and
takes the item's latest event as its latest evidence, so freshness is always shown and
never turned into a status.
"""

from __future__ import annotations

from ledger import ItemStatus

__all__ = ["evidence_of", "last_evidence_of"]


def _sources(count: int) -> str:
    return "1 source" if count == 1 else f"{count} sources"


def evidence_of(status: ItemStatus) -> str | None:
    """The grade in words: official record, reported by 2 sources, claimed only."""
    evidence = status.evidence or {}
    grade, count = evidence.get("grade"), len(evidence.get("sources") or ())
    if grade == "official":
        return "official record" if count <= 1 else f"official records ({_sources(count)})"
    if grade == "reported":
        return f"reported by {_sources(count)}"
    if grade == "claimed":
        return f"claimed by the government or an interested party only ({_sources(count)})"
    return None


def last_evidence_of(status: ItemStatus) -> str | None:
    """The (fuzzy) date of the item's latest evidence."""
    return status.last_evidence or status.last_effective
