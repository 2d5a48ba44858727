"""Read-side answers the CLI and the reports ask for: status, one item, log, export, diff.

Each function catches the status projection up from its checkpoint first, then
evaluates it at the requested (as_of, known_at). Nothing here writes events.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from events import InvalidInput, canonical_json, format_instant, loads, parse_instant, period_bounds
from ledger.errors import UnknownItem
from ledger.filters import filter_items
from ledger.mapper import Record
from ledger.memory import gc_paused
from ledger.projections import ItemStatus, catch_up, evaluate
from ledger.store import Store

__all__ = [
    "ItemView",
    "StatusView",
    "TimelineEntry",
    "Transition",
    "describe",
    "diff",
    "export_events",
    "parse_as_of",
    "parse_known_at",
    "show",
    "status",
]


def parse_as_of(value: str | date | None) -> date:
    """An as-of date: a date, or a period meaning its last day; default today."""
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, date):
        return value
    try:
        return period_bounds(value)[1]
    except ValueError as error:
        raise InvalidInput(f"--as-of {value!r}: {error}") from None


def parse_known_at(value: str | date | datetime | None) -> str:
    """A known-at time as stored text; a bare date means the end of that day."""
    if value is None:
        return format_instant(datetime.now(UTC))
    try:
        if isinstance(value, str) and len(value.strip()) < 10:
            value = period_bounds(value)[1]
        return format_instant(parse_instant(value, end_of_date=True))
    except ValueError as error:
        raise InvalidInput(f"--known-at {value!r}: {error}") from None


@dataclass
class StatusView:
    as_of: date
    known_at: str
    position: int
    items: list[ItemStatus]


def status(
    store: Store,
    *,
    as_of: str | date | None = None,
    known_at: str | date | None = None,
    area: str | None = None,
    kind: str | None = None,
    statuses: str | None = None,
    package: str | None = None,
) -> StatusView:
    as_of_date, known_at_text = parse_as_of(as_of), parse_known_at(known_at)
    with gc_paused():  # one pause for both: the loaded state is what a collection would scan
        caught = catch_up(store)
        items = evaluate(caught.state, as_of_date, known_at_text)
    every = partial(evaluate, caught.state, date.max, parse_known_at(None))  # names in use
    items = filter_items(
        items, kind=kind, status=statuses, area=area, package=package, every_item=every
    )
    return StatusView(as_of_date, known_at_text, caught.position, items)


@dataclass
class TimelineEntry:
    record: Record
    retracted_by: str | None = None

    @property
    def summary(self) -> str:
        return describe(self.record)


@dataclass
class ItemView:
    status: ItemStatus
    timeline: list[TimelineEntry]
    links_out: list[dict[str, str]] = field(default_factory=list)
    links_in: list[dict[str, str]] = field(default_factory=list)


def describe(record: Record) -> str:
    """One plain line saying what an event records."""
    data = record.data
    kind = record.type
    if kind == "promise.made":
        return f"promised: {data['title']}"
    if kind == "promise.revised":
        return f"revised ({data['change'].replace('_', ' ')}): {data['summary']}"
    if kind in {"promise.abandoned", "promise.marked_unverifiable"}:
        return f"{kind.partition('.')[2].replace('_', ' ')}: {data['reason']}"
    if kind == "measurement.recorded":
        qualifier = (data.get("qualifier") or "").replace("_", " ")
        amount = f"{qualifier} {data['value']:g}".strip()
        return f"{data['metric']} ({data['period']}): {amount} {data['unit']}"
    if kind == "link.added":
        return f"{data['relation'].replace('_', ' ')} {data['to']}"
    if kind == "assessment.recorded":
        return f"{data['assessor']} assesses it as {data['verdict']}: {data['rationale']}"
    if kind == "event.retracted":
        return f"retracts event {data['retracted']}: {data['reason']}"
    if kind == "milestone.reached":
        value = ""
        if data.get("value") is not None:
            value = f" ({data['value']:g} {data.get('unit') or ''}".rstrip() + ")"
        return f"milestone: {data['what']}{value}"
    stage = kind.partition(".")[2].replace("_", " ")
    detail = data.get("summary") or data.get("title") or ""
    return f"{kind.partition('.')[0]} {stage}" + (f": {detail}" if detail else "")


def show(
    store: Store, item: str, *, as_of: str | date | None = None, known_at: str | date | None = None
) -> ItemView:
    view = status(store, as_of=as_of, known_at=known_at)
    found = next((s for s in view.items if s.item == item), None)
    if found is None:
        exists = any(True for _ in store.read(item=item))
        raise UnknownItem(f"no item {item!r}" + (" as of that date and time" if exists else ""))
    records = list(store.read(item=item))
    retractions = {
        r.data["retracted"]: r.id
        for r in records
        if r.type == "event.retracted" and r.recorded_at <= view.known_at
    }
    timeline = [
        TimelineEntry(r, retractions.get(r.id)) for r in records if r.recorded_at <= view.known_at
    ]
    timeline.sort(key=lambda entry: (entry.record.effective, entry.record.position))
    links_out = [
        {"to": r.data["to"], "relation": r.data["relation"], "event": r.id}
        for r in records
        if r.type == "link.added" and r.id not in retractions and r.recorded_at <= view.known_at
    ]
    caught = catch_up(store, save=False)
    links_in = []
    for other, stream in sorted(caught.state["items"].items()):
        for event in stream["events"]:
            if (
                event[2] == "link.added"
                and event[8]["to"] == item
                and event[6] <= view.known_at
                and event[1] not in caught.state["retracted"]
            ):
                links_in.append(
                    {"from": other, "relation": event[8]["relation"], "event": event[1]}
                )
    return ItemView(found, timeline, links_out, links_in)


EXPORT_COLUMNS = (
    "position",
    "id",
    "type",
    "schema",
    "item",
    "version",
    "effective",
    "recorded_at",
    "document",
    "locator",
    "quote",
    "data",
    "prev_hash",
    "hash",
)


def export_events(store: Store, fmt: str = "jsonl") -> Iterator[str]:
    """Every event in position order: canonical JSON lines, or CSV rows."""
    if fmt == "jsonl":
        # the stored body as hashed (old schemas stay as stored), plus the chain fields,
        # so anyone can recompute every hash from the export alone
        for row in store.read_raw():
            stored = loads(row[8])
            stored["prev_hash"], stored["hash"] = row[9], row[10]
            yield canonical_json(stored) + "\n"
        return
    if fmt != "csv":
        raise InvalidInput(f"unknown export format {fmt!r} (use jsonl or csv)")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in store.read():
        source = record.source
        writer.writerow(
            [
                record.position,
                record.id,
                record.type,
                record.schema,
                record.item,
                record.version,
                record.effective,
                record.recorded_at,
                source.get("document"),
                source.get("locator"),
                source.get("quote"),
                canonical_json(record.data),
                record.prev_hash,
                record.hash,
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


@dataclass
class Transition:
    item: str
    title: str
    before: str | None
    after: str | None
    cause: Record | None

    def to_dict(self) -> dict[str, Any]:
        cause = self.cause
        return {
            "item": self.item,
            "title": self.title,
            "before": self.before,
            "after": self.after,
            "cause_event": cause.id if cause else None,
            "cause_type": cause.type if cause else None,
            "cause_effective": cause.effective if cause else None,
            "source": cause.source if cause else None,
        }


def diff(
    store: Store, first: str | date, second: str | date, *, known_at: str | date | None = None
) -> list[Transition]:
    """Status changes between two dates or periods (each meaning its last day)."""
    a = status(store, as_of=first, known_at=known_at)
    b = status(store, as_of=second, known_at=known_at)
    before = {s.item: s for s in a.items}
    after = {s.item: s for s in b.items}
    transitions = []
    for item in sorted(set(before) | set(after)):
        old, new = before.get(item), after.get(item)
        if old and new and old.status == new.status:
            continue
        cause_id = new.cause_event if new else None
        cause = store.find_event(cause_id) if cause_id else None
        title = (new or old).title  # type: ignore[union-attr]
        transitions.append(
            Transition(item, title, old.status if old else None, new.status if new else None, cause)
        )
    return transitions
