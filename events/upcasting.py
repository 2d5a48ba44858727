"""The upcasters: for each event type, the plain functions that bring a stored payload of
an older schema version up to the current one, and ``upcast``, which applies them.

Reading a stored event needs only this table, so ``status`` and ``show`` never build the
pydantic event models. The models declare the same functions as their
``upcast_vN_vN+1`` static methods, and ``register`` refuses a model whose
``event_version`` or upcasters disagree with this table. Imports nothing but errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from events.errors import InvalidInput

__all__ = ["UPCASTERS", "current_schema", "upcast"]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def link_added_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """``link.added`` schema 2 renamed ``target`` to ``to`` and ``kind`` to ``relation``."""
    if "target" in data:
        data["to"] = data.pop("target")
    if "kind" in data:
        data["relation"] = data.pop("kind")
    return data


#: Type → its upcasters in order (v1→v2, v2→v3, …); a type's current schema is one more
#: than the number of its upcasters, and a type not listed is at schema 1.
UPCASTERS: dict[str, tuple[Upcaster, ...]] = {
    "link.added": (link_added_v1_v2,),
}


def current_schema(type_name: str) -> int:
    """The schema version this program writes for ``type_name``."""
    return len(UPCASTERS.get(type_name, ())) + 1


def upcast(type_name: str, schema: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored payload of an older schema version up to the current one.

    The input is never modified; a current payload is returned as it is.
    """
    steps = UPCASTERS.get(type_name, ())
    current = len(steps) + 1
    if schema == current:
        return data
    if schema > current or schema < 1:
        from events.registry import event_class  # the error path names unknown types

        event_class(type_name)
        if schema < 1:
            raise InvalidInput(
                f"field 'schema': {type_name} schema versions start at 1, not {schema}"
            )
        raise InvalidInput(
            f"{type_name} schema {schema} is newer than this program knows "
            f"({current}); upgrade reform-ledger"
        )
    data = dict(data)
    for step in steps[schema - 1 :]:
        data = step(data)
    return data
