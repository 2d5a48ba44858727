"""The folded log: every event, compacted to what the read side needs, grouped by item.

``fold_log(log, records)`` appends each record to its item's stream, O(1) an event, so the
same code rebuilds the log from nothing or catches it up from a checkpoint. Nothing here
decides what is visible at a date or a time: that is ``view``'s one job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import islice
from typing import Any, NamedTuple

import orjson

from events import date_bounds
from ledger.mapper import Record, stored_event

__all__ = [
    "CHUNK",
    "FoldedEvent",
    "FoldedLog",
    "Stream",
    "fold_bodies",
    "fold_log",
    "iso_bounds",
    "json_lines",
]

#: Payload keys the rules read; the rest stays in the store (``show`` reads it there), so
#: the checkpoint stays small and quick to load.
_KEEP = frozenset(
    {
        "actor",  # who made a promise: where tracking starts (the tracked government's)
        "title",
        "area",
        "package",
        "deadline",
        "target",
        "change",
        "metric",
        "value",
        "period",
        "qualifier",
        "unit",
        "to",
        "relation",
        "assessor",
        "verdict",
        "retracted",
        "grade",
        "implied",
        "attribute",
        "kind",
    }
)


class FoldedEvent(NamedTuple):
    """One event as the read side keeps it (a plain JSON array in the checkpoint)."""

    position: int
    id: str
    type: str
    effective: str
    #: The first and last day the effective date covers, as ISO text.
    start: str
    end: str
    recorded_at: str
    document: str | None
    data: dict[str, Any]


@lru_cache(maxsize=65536)
def iso_bounds(effective: str) -> tuple[str, str]:
    """The first and last day an effective date covers, as ISO text (they sort as dates)."""
    start, end = date_bounds(effective)
    return start.isoformat(), end.isoformat()


@dataclass(slots=True)
class Stream:
    """One item's events in the order they were appended."""

    kind: str
    events: list[FoldedEvent] = field(default_factory=list)


@dataclass(slots=True)
class FoldedLog:
    """Every item's stream, and each retracted event's first retraction time."""

    streams: dict[str, Stream] = field(default_factory=dict)
    #: retracted event id -> ``recorded_at`` of the first retraction of it
    retractions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """The retractions on one line, then the streams, ``CHUNK`` items a line.

        A line holds its items' events by column, not one JSON array each: the values
        that repeat along a ledger (types, effective dates, recorded times, documents) as
        a table of distinct values and an index per event, and no start or end (they
        follow from the effective date). Parsing then makes one string per distinct value
        instead of six per event, in half the bytes, and the events share them.
        """
        streams = list(self.streams.items())
        lines = [orjson.dumps(self.retractions)]
        for i in range(0, len(streams), CHUNK):
            part = streams[i : i + CHUNK]
            events = [event for _, stream in part for event in stream.events]
            columns = list(zip(*events, strict=True)) if events else [()] * len(FoldedEvent._fields)
            position, id_, type_, effective, _, _, recorded_at, document, data = columns
            lines.append(
                orjson.dumps(
                    [
                        [item for item, _ in part],
                        [stream.kind for _, stream in part],
                        [len(stream.events) for _, stream in part],
                        position,
                        id_,
                        *_table(type_),
                        *_table(effective),
                        *_table(recorded_at),
                        *_table(document),
                        data,
                    ]
                )
            )
        return b"\n".join(lines)

    @classmethod
    def from_json(cls, blob: bytes) -> FoldedLog:
        """The log ``to_json`` wrote, a line parsed at a time (so the parsed form of the
        whole log is never held beside the log)."""
        lines = json_lines(blob)
        retractions = orjson.loads(next(lines, b""))
        make = partial(tuple.__new__, FoldedEvent)  # ``_make`` without a Python call each
        streams: dict[str, Stream] = {}
        try:
            for line in lines:
                (
                    items,
                    kinds,
                    sizes,
                    position,
                    id_,
                    types,
                    type_,
                    effectives,
                    effective,
                    recorded,
                    recorded_at,
                    documents,
                    document,
                    data,
                ) = orjson.loads(line)
                bounds = list(map(iso_bounds, effectives))
                starts, ends = [b[0] for b in bounds], [b[1] for b in bounds]
                # every column mapped in C: no Python frame per event
                events = iter(
                    list(
                        map(
                            make,
                            zip(
                                position,
                                id_,
                                map(types.__getitem__, type_),
                                map(effectives.__getitem__, effective),
                                map(starts.__getitem__, effective),
                                map(ends.__getitem__, effective),
                                map(recorded.__getitem__, recorded_at),
                                map(documents.__getitem__, document),
                                data,
                                strict=True,
                            ),
                        )
                    )
                )
                if sum(sizes) != len(position):
                    raise ValueError("a checkpoint line's streams and events disagree")
                for item, kind, size in zip(items, kinds, sizes, strict=True):
                    streams[item] = Stream(kind, list(islice(events, size)))
        except (AttributeError, TypeError, IndexError, ValueError) as error:  # another shape
            raise ValueError(f"a checkpoint line is not a table of streams: {error}") from None
        if not isinstance(retractions, dict):
            raise ValueError("a checkpoint's retractions are not a mapping")
        return cls(streams, retractions)


def _table(values: tuple[Any, ...]) -> tuple[list[Any], list[int]]:
    """A column as its distinct values (in order of first use) and an index per value."""
    distinct = list(dict.fromkeys(values))
    index = {value: i for i, value in enumerate(distinct)}
    return distinct, list(map(index.__getitem__, values))


#: Items (or statuses) a line of a checkpoint holds: each line is parsed on its own.
CHUNK = 1000


def json_lines(blob: bytes) -> Iterator[memoryview]:
    """The lines of a checkpoint of JSON lines, without copying a large blob."""
    view, start, size = memoryview(blob), 0, len(blob)
    while start <= size:
        end = blob.find(b"\n", start)
        end = size if end < 0 else end
        yield view[start:end]
        start = end + 1


def fold_log(log: FoldedLog, records: Iterable[Record]) -> int:
    """Fold records into ``log`` in place; return how many were folded."""
    streams, retractions, keep = log.streams, log.retractions, _KEEP
    folded = 0
    for record in records:
        start, end = iso_bounds(record.effective)
        stream = streams.get(record.item)
        if stream is None:
            stream = streams[record.item] = Stream(record.type.partition(".")[0])
        stream.events.append(
            FoldedEvent(
                record.position,
                record.id,
                record.type,
                record.effective,
                start,
                end,
                record.recorded_at,
                record.source.get("document"),
                {k: v for k, v in record.data.items() if k in keep},
            )
        )
        if record.type == "event.retracted":
            retractions.setdefault(record.data["retracted"], record.recorded_at)
        folded += 1
    return folded


def fold_bodies(log: FoldedLog, bodies: Iterable[str | bytes]) -> tuple[int, int]:
    """Fold stored bodies (``Store.read_bodies``) into ``log`` in place, as ``fold_log``
    folds their records, without building a ``Record`` for each; return how many were
    folded and the position of the last (0 when none)."""
    streams, retractions, keep, bounds = log.streams, log.retractions, _KEEP, iso_bounds
    new, event_of = tuple.__new__, FoldedEvent
    folded = position = 0
    for body in bodies:
        stored = stored_event(body)
        item, type_, effective, data = (
            stored["item"],
            stored["type"],
            stored["effective"],
            stored["data"],
        )
        stream = streams.get(item)
        if stream is None:
            stream = streams[item] = Stream(type_.partition(".")[0])
        position = stored["position"]
        start, end = bounds(effective)
        stream.events.append(
            new(
                event_of,
                (
                    position,
                    stored["id"],
                    type_,
                    effective,
                    start,
                    end,
                    stored["recorded_at"],
                    stored["source"].get("document"),
                    {k: v for k, v in data.items() if k in keep},
                ),
            )
        )
        if type_ == "event.retracted":
            retractions.setdefault(data["retracted"], stored["recorded_at"])
        folded += 1
    return folded, position
