"""The bundled Kazakhstan 2019–2024 dataset: events cited verbatim from five documents.

``load_dataset`` appends it to a store as one batch. Each event's knowledge time
(``recorded_at``) is the day its source document became public (``sources.yaml``), and
the batch is ordered by that time so the chain's transaction time never runs backwards.
Loading twice adds nothing: every event carries a stable id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from events import InvalidInput, event_class, parse_event
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
#: Within one knowledge time, items are created before they are measured, assessed or linked.
_RANK = {"measurement.recorded": 1, "assessment.recorded": 1, "link.added": 2, "event.retracted": 3}


def dataset_dir(name: str = DATASET) -> Path:
    return Path(str(resources.files("ledger.datasets") / name))


@dataclass(frozen=True)
class Source:
    document: str
    title: str
    author: str
    published: str
    leaning: str
    dating: str = ""
    url: str | None = None


def read_sources(name: str = DATASET) -> dict[str, Source]:
    raw = yaml.safe_load((dataset_dir(name) / "sources.yaml").read_text(encoding="utf-8"))
    return {entry["document"]: Source(**{k: str(v) for k, v in entry.items()}) for entry in raw}


def read_dataset(
    name: str = DATASET, *, require_ids: bool = True
) -> tuple[list[dict[str, Any]], list[str]]:
    """Raw events with their knowledge time set, in append order, and their places."""
    sources = read_sources(name)
    rows: list[tuple[str, int, int, dict[str, Any], str]] = []
    for path in sorted((dataset_dir(name) / "events").glob("*.yaml")):
        for index, (place, raw) in enumerate(read_raw_events(path)):
            document = (raw.get("source") or {}).get("document")
            if document not in sources:
                raise InvalidInput(
                    f"source document {document!r} is not in sources.yaml", where=place
                )
            if "id" not in raw:
                if require_ids:
                    raise InvalidInput("dataset events need a stable id", where=place)
                raw = {**raw, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, place))}
            published = sources[document].published
            raw = {**raw, "recorded_at": published}
            event_class(raw.get("type", ""))
            rank = _RANK.get(raw["type"], 0)
            rows.append((published, rank, len(rows), raw, place))
            del index
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
    events = []
    for raw, place in zip(raws, places, strict=True):
        try:
            events.append(parse_event(raw))
        except InvalidInput as error:
            raise error.at(place) from None
    return store.append(events, locations=places, progress=progress)
