"""The bundled Kazakhstan 2019–2024 dataset: events cited verbatim from five documents.

``load_dataset`` appends it to a store as one batch: the five ``source.registered`` events
of ``sources.yaml``, then the events of ``events/*.yaml``. A registration's ``recorded_at``
is the day its document became public, and every event citing the document gets the same
knowledge time; the batch is ordered by that time (a document's registration first), so
the chain's transaction time never runs backwards. Loading twice adds nothing: every
event carries a stable id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from events import InvalidInput, event_class, format_instant, parse_event, parse_instant
from ledger.importing import read_raw_events
from ledger.store import AppendResult, Store

__all__ = [
    "DATASET",
    "Source",
    "dataset_dir",
    "load_dataset",
    "read_dataset",
    "read_sources",
]

DATASET = "kazakhstan"
#: Within one knowledge time, sources are registered before they are cited, and items are
#: created before they are measured, assessed or linked.
_RANK = {
    "source.registered": -1,
    "measurement.recorded": 1,
    "assessment.recorded": 1,
    "link.added": 2,
    "event.retracted": 3,
}


def dataset_dir(name: str = DATASET) -> Path:
    return Path(str(resources.files("ledger.datasets") / name))


@dataclass(frozen=True)
class Source:
    """A bundled source as ``sources.yaml`` registers it, with its knowledge time."""

    document: str
    title: str
    published: str
    recorded_at: str


def _registrations(name: str) -> list[tuple[str, dict[str, Any]]]:
    """(place, raw registration) pairs of ``sources.yaml``, in file order."""
    rows = read_raw_events(dataset_dir(name) / "sources.yaml")
    for place, raw in rows:
        if not isinstance(raw, dict) or raw.get("type") != "source.registered":
            raise InvalidInput("sources.yaml holds source.registered events only", where=place)
        if "recorded_at" not in raw:
            raise InvalidInput(
                "a bundled source needs its knowledge time, recorded_at", where=place
            )
    return rows


def read_sources(name: str = DATASET) -> dict[str, Source]:
    """Source id → its title, publication date and knowledge time, in file order."""
    return {
        raw["item"]: Source(raw["item"], raw["title"], raw["published"], raw["recorded_at"])
        for _, raw in _registrations(name)
    }


def read_dataset(
    name: str = DATASET, *, require_ids: bool = True
) -> tuple[list[dict[str, Any]], list[str]]:
    """Raw registrations and events with their knowledge time set, in append order, and
    their places."""
    registrations = _registrations(name)
    known = {raw["item"]: raw["recorded_at"] for _, raw in registrations}
    rows: list[tuple[str, int, int, dict[str, Any], str]] = []
    for place, raw in registrations:
        rows.append((raw["recorded_at"], _RANK["source.registered"], len(rows), raw, place))
    for path in sorted((dataset_dir(name) / "events").glob("*.yaml")):
        for place, raw in read_raw_events(path):
            document = (raw.get("source") or {}).get("document")
            if document not in known:
                raise InvalidInput(
                    f"source document {document!r} is not registered in sources.yaml",
                    where=place,
                )
            if "id" not in raw:
                if require_ids:
                    raise InvalidInput("dataset events need a stable id", where=place)
                raw = {**raw, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, place))}
            raw = {**raw, "recorded_at": known[document]}
            event_class(raw.get("type", ""))
            rank = _RANK.get(raw["type"], 0)
            rows.append((known[document], rank, len(rows), raw, place))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows], [row[4] for row in rows]


def load_dataset(
    store: Store,
    name: str = DATASET,
    *,
    progress: Callable[[int], None] | None = None,
    require_ids: bool = True,
) -> AppendResult:
    raws, places = read_dataset(name, require_ids=require_ids)
    raws = _learned_now(store, raws)
    events = []
    for raw, place in zip(raws, places, strict=True):
        try:
            events.append(parse_event(raw))
        except InvalidInput as error:
            raise error.at(place) from None
    return store.append(events, locations=places, progress=progress)


def _learned_now(store: Store, raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The raws, with the registrations a ledger loaded before sources were registered
    lacks recorded now: their knowledge time is not after the ledger's latest, and once
    one is recorded now, the ones after it can only be too."""
    latest = store.head().recorded_at
    if latest is None:
        return raws
    learned, now = [], False
    for raw in raws:
        if (
            raw["type"] == "source.registered"
            and (now or format_instant(parse_instant(raw["recorded_at"])) <= latest)
            and store.find_event(raw["id"]) is None
        ):
            raw = {key: value for key, value in raw.items() if key != "recorded_at"}
            now = True
        learned.append(raw)
    return learned
