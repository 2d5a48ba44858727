"""The source registry: what the ledger knows about each document its events cite.

``fold_sources`` folds ``source.registered`` events (and retractions) into a small state;
``registry_at`` reads it as known at a transaction time: each source's latest registration
not retracted by then. Source registrations describe documents, not tracked items, so
the read model keeps them apart from the items' streams (``view.Knowledge``).
This module reads records only; the store enforces that events cite registered sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from events import InvalidInput
from ledger.mapper import Record
from ledger.projections.view import known_by

if TYPE_CHECKING:
    from events import Event
    from ledger.store import Store

__all__ = [
    "REGISTRATION",
    "SourceInfo",
    "SourceRegistry",
    "empty_sources",
    "fold_sources",
    "registry_at",
    "source_registry",
    "with_registration",
]

REGISTRATION = "source.registered"


@dataclass(frozen=True)
class SourceInfo:
    """One registered source as currently registered (its latest registration)."""

    id: str
    title: str
    kind: str
    language: str
    published: str
    short_title: str | None = None
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    note: str | None = None
    #: The registration event in force, and when the ledger learned it.
    event: str = ""
    recorded_at: str = ""

    @property
    def label(self) -> str:
        """How readers see it cited: the short title, or else the title."""
        return self.short_title or self.title

    @property
    def byline(self) -> str:
        """Author and publisher as one line ("" when the document names neither)."""
        return "; ".join(part for part in (self.author, self.publisher) if part)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SourceRegistry(dict[str, SourceInfo]):
    """Source id → what is registered about it; a document not in it is unregistered."""

    def cite(self, document: str | None) -> dict[str, str | None]:
        """The reader-facing name and link of a cited document (None when unregistered)."""
        info = self.get(document or "")
        return {
            "source_title": info.label if info else None,
            "source_url": info.url if info else None,
        }

    def label(self, document: str, *, link: bool = False) -> str:
        """The short title (with ``link``, and its URL), or the id marked not registered."""
        info = self.get(document)
        if info is None:
            return f"{document} (not registered)"
        return f"{info.label} <{info.url}>" if link and info.url else info.label


def empty_sources() -> dict[str, Any]:
    return {"registrations": {}, "retracted": {}}


def fold_sources(state: dict[str, Any], records: Iterable[Record]) -> int:
    """Fold source registrations and retractions into ``state`` in place; return how many."""
    folded = 0
    for record in records:
        if record.type == REGISTRATION:
            state["registrations"].setdefault(record.item, []).append(
                (record.id, record.recorded_at, record.data)
            )
        elif record.type == "event.retracted":
            state["retracted"].setdefault(record.data["retracted"], record.recorded_at)
        else:
            continue
        folded += 1
    return folded


def registry_at(state: dict[str, Any], known_at: str | None = None) -> SourceRegistry:
    """Each source's latest registration recorded by ``known_at`` and not retracted by
    then (a retraction counts from its own recorded time); ``None`` means everything."""
    retracted = {e for e, when in state["retracted"].items() if known_by(when, known_at)}
    registry = SourceRegistry()
    for source_id, registrations in sorted(state["registrations"].items()):
        current = None
        for event_id, recorded_at, data in registrations:  # in log order
            if known_by(recorded_at, known_at) and event_id not in retracted:
                current = (event_id, recorded_at, data)
        if current is not None:
            event_id, recorded_at, data = current
            fields = {k: v for k, v in data.items() if k in _FIELDS}
            registry[source_id] = SourceInfo(
                id=source_id, event=event_id, recorded_at=recorded_at, **fields
            )
    return registry


_FIELDS = frozenset(SourceInfo.__dataclass_fields__) - {"id", "event", "recorded_at"}


def source_registry(store: Store, *, known_at: str | None = None) -> SourceRegistry:
    """The registry as known at ``known_at`` (stored time text; ``None``: everything)."""
    state = empty_sources()
    fold_sources(state, store.read(types=[REGISTRATION, "event.retracted"]))
    return registry_at(state, known_at)


def with_registration(store: Store, registration: Event, events: Sequence[Event]) -> list[Event]:
    """``events`` with the registration of the source they cite in front, unless the
    source is registered already with the same details; a different registration is
    refused (a correction is recorded as a ``source.registered`` event of its own)."""
    current = source_registry(store).get(registration.item)
    if current is None:
        return [registration, *events]
    given = registration.payload()
    if all(getattr(current, name) == given.get(name) for name in _FIELDS):
        return list(events)
    raise InvalidInput(
        f"source {registration.item!r} is already registered as {current.title!r} with "
        "other details; record a source.registered event to correct it"
    )
