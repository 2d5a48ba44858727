"""Evidence grade and freshness of an item, as the status rules give them.

Method ``reform-ledger/2`` adds to each item's status an evidence grade ("reported by 2
sources", "claimed by the government only") and the date of its latest evidence. Under
a method that gives neither, the site shows no grade and takes the date of the item's
latest event as its latest evidence, so freshness is always shown and never turned into
a status.
"""

from __future__ import annotations

from ledger import ItemStatus

__all__ = ["evidence_of", "last_evidence_of"]


def evidence_of(status: ItemStatus) -> str | None:
    """The evidence grade in words, when the method gives one."""
    grade = getattr(status, "evidence", None)
    return str(grade) if grade else None


def last_evidence_of(status: ItemStatus) -> str | None:
    """The (fuzzy) date of the item's latest evidence."""
    return getattr(status, "last_evidence", None) or status.last_effective
