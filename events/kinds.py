"""Which kind of item each event type goes on, and which types may open an item: a plain
table, so an append learns a stored item's kind from its first event's type without
building that type's model.

The models declare the same as their ``item_kind`` and ``creates_item`` class attributes,
and ``register`` refuses a model that disagrees with this table. Imports nothing.
"""

from __future__ import annotations

__all__ = ["ITEM_KINDS", "OPENERS"]

#: Type → the kind of item its events go on; a type not listed goes on any item.
ITEM_KINDS: dict[str, str] = {
    "amendment.adopted": "amendment",
    "amendment.in_force": "amendment",
    "amendment.proposed": "amendment",
    "amendment.stalled": "amendment",
    "law.amended": "law",
    "law.drafted": "law",
    "law.in_force": "law",
    "law.passed": "law",
    "law.repealed": "law",
    "law.signed": "law",
    "law.stalled": "law",
    "milestone.reached": "milestone",
    "promise.abandoned": "promise",
    "promise.deadline_stated": "promise",
    "promise.made": "promise",
    "promise.marked_unverifiable": "promise",
    "promise.revised": "promise",
    "promise.stalled": "promise",
    "source.registered": "source",
}

#: The types whose event may be an item's first, and so create the item.
OPENERS: frozenset[str] = frozenset(
    {
        "amendment.adopted",
        "amendment.in_force",
        "amendment.proposed",
        "law.amended",
        "law.drafted",
        "law.in_force",
        "law.passed",
        "law.repealed",
        "law.signed",
        "milestone.reached",
        "promise.made",
        "source.registered",
    }
)
