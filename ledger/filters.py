"""Which evaluated items a status listing keeps: by kind, status, area and package.

A filter value that cannot match is refused rather than answered with an empty list, so
a typo never reads as "no such promises". Kinds and statuses come from fixed
vocabularies (the event catalogue's item kinds, the status projection's words);
areas and packages from the items themselves, with the nearest names suggested.
``queries.status`` calls :func:`filter_items` on what the projection evaluated; this
module reads nothing from the store.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from events import InvalidInput
from ledger.projections import STATUSES, ItemStatus

__all__ = ["UnknownFilterValue", "filter_items", "item_kinds", "split_names"]

#: How many existing names an "unknown area" message lists when none is close.
_LISTED = 10


class UnknownFilterValue(InvalidInput):
    """Raised when a filter names a kind, status, area or package that cannot match.

    ``name`` is the filter (``kind``, ``status``, ``area``, ``package``) and ``value``
    what was asked, so a caller can name the option its user typed.
    """

    def __init__(self, name: str, value: str, reason: str) -> None:
        self.name, self.value = name, value
        super().__init__(reason, where=f"{name} {value!r}")


def item_kinds() -> tuple[str, ...]:
    """The kinds of tracked item the catalogue can create (promise, law, …), sorted; a
    source is a document events cite, not an item with a status. Read from the plain table
    of kinds, so a kind filter builds no event model."""
    from events import ITEM_KINDS, OPENERS

    return tuple(sorted({ITEM_KINDS[type_name] for type_name in OPENERS} - {"source"}))


def split_names(value: str) -> list[str]:
    """A comma-separated list of names, each stripped; empty parts are dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _vocabulary_names(name: str, value: str, vocabulary: Sequence[str]) -> set[str]:
    """The names asked for, each one of ``vocabulary`` (case and ``-``/``_`` forgiven)."""
    names = split_names(value)
    if not names:
        raise UnknownFilterValue(name, value, f"give one or more {name} names")
    known = set(vocabulary)
    chosen = set()
    for asked in names:
        normal = asked.lower().replace("-", "_")
        if normal not in known:
            raise UnknownFilterValue(
                name, asked, f"unknown {name} (use one of: {', '.join(vocabulary)})"
            )
        chosen.add(normal)
    return chosen


def _existing_name(
    name: str, value: str, present: set[str], everywhere: Callable[[], set[str]]
) -> None:
    """Refuse an area or package that no item has, suggesting the nearest names.

    ``present`` are the names of the evaluated items; ``everywhere`` gives those of every
    item the ledger knows, asked only when needed: a name that exists but not at the date
    asked about is a real, empty answer, not a typo.
    """
    if value in present:
        return
    known = everywhere() | present
    if value in known:
        return
    nearest = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
    if nearest:
        hint = f"did you mean {' or '.join(nearest)}?"
    elif known:
        names = sorted(known)
        more = f", … and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
        hint = f"{name}s are: {', '.join(names[:_LISTED])}{more}"
    else:
        hint = f"no item has any {name} yet"
    raise UnknownFilterValue(name, value, f"no item has this {name}; {hint}")


def filter_items(
    items: Iterable[ItemStatus],
    *,
    kind: str | None = None,
    status: str | None = None,
    area: str | None = None,
    package: str | None = None,
    every_item: Callable[[], Iterable[ItemStatus]] = tuple,
) -> list[ItemStatus]:
    """The items that pass every filter given; a value that cannot match is refused.

    ``kind`` and ``status`` take one name or a comma-separated list; ``area`` and
    ``package`` one exact name. ``every_item`` gives every item the ledger knows at
    any date, for telling a typo from a name not yet in use at the date asked about.
    """
    items = list(items)
    kinds = _vocabulary_names("kind", kind, item_kinds()) if kind is not None else None
    statuses = _vocabulary_names("status", status, STATUSES) if status is not None else None
    everywhere = cache(lambda: list(every_item()))
    if area is not None:
        present = {i.area for i in items if i.area}
        _existing_name("area", area, present, lambda: {i.area for i in everywhere() if i.area})
    if package is not None:
        present = {i.package for i in items if i.package}
        _existing_name(
            "package", package, present, lambda: {i.package for i in everywhere() if i.package}
        )
    return [
        i
        for i in items
        if (kinds is None or i.kind in kinds)
        and (statuses is None or i.status in statuses)
        and (area is None or i.area == area)
        and (package is None or i.package == package)
    ]
