"""Read-side answers the CLI and the reports ask for: status, one item, log, export, diff.

Each function catches the folded log up from its checkpoint first, then asks the read
model (``ledger.projections.view``) what the requested cut shows. Nothing here writes
events and nothing here decides visibility.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from events import InvalidInput, canonical_json, loads
from ledger.errors import UnknownItem
from ledger.filters import filter_items
from ledger.mapper import Record
from ledger.memory import gc_paused
from ledger.projections import (
    Cut,
    ItemStatus,
    Knowledge,
    RecordView,
    View,
    catch_up,
    check_method,
    evaluate,
)
from ledger.projections.statuses import statuses as evaluate_latest

if TYPE_CHECKING:
    from ledger.store import Store

__all__ = [
    "ItemView",
    "StatusView",
    "TimelineEntry",
    "Transition",
    "describe",
    "diff",
    "export_events",
    "show",
    "status",
]


@dataclass
class StatusView:
    cut: Cut
    position: int
    items: list[ItemStatus]
    method: str

    @property
    def as_of(self) -> date:
        return self.cut.as_of

    @property
    def known_at(self) -> str:
        return self.cut.known_at


def status(
    store: Store,
    *,
    as_of: str | date | None = None,
    known_at: str | date | None = None,
    area: str | None = None,
    kind: str | None = None,
    statuses: str | None = None,
    package: str | None = None,
    method: str | None = None,
) -> StatusView:
    """Every item's status at the cut (as of, known at), by ``method``'s rules (the
    newest when None); today and now where not given."""
    cut, rules = Cut.of(as_of, known_at), check_method(method)
    with gc_paused():  # one pause for both: the loaded log is what a collection would scan
        evaluated = evaluate_latest(store, cut, rules)

    # the names in use, asked only when a filter matches nothing at this cut (so the
    # view of everything is built only then: a listing pays for one view, not two)
    def every() -> list[ItemStatus]:
        with gc_paused():
            return evaluate(View.of(evaluated.log(), Cut.of(date.max)), rules)

    items = filter_items(
        evaluated.items, kind=kind, status=statuses, area=area, package=package, every_item=every
    )
    return StatusView(cut, evaluated.position, items, rules)


@dataclass
class TimelineEntry:
    record: Record
    retracted_by: str | None = None

    @property
    def summary(self) -> str:
        return describe(self.record)


@dataclass
class ItemView:
    cut: Cut
    status: ItemStatus
    timeline: list[TimelineEntry]
    links_out: list[dict[str, str]] = field(default_factory=list)
    links_in: list[dict[str, str]] = field(default_factory=list)
    #: whether the timeline is the whole stream rather than what the cut shows
    everything: bool = False


def describe(record: Record, *, day: Callable[[str], str] = str) -> str:
    """One plain line saying what an event records; ``day`` writes a date it names (the
    site writes "March 2022" where the terminal keeps "2022-03")."""
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
    if kind == "claim.recorded":
        value = data["value"]
        if not isinstance(value, str):
            qualifier = (data.get("qualifier") or "").replace("_", " ")
            value = f"{qualifier} {value:g} {data.get('unit') or ''}".strip()
        return f"claim on {data['attribute'].replace('_', ' ')}: {value}"
    if kind == "promise.deadline_stated":
        how = "implies" if data.get("implied") else "states"
        summary = f": {data['summary']}" if data.get("summary") else ""
        return f"{how} a deadline of {day(data['deadline'])}{summary}"
    if kind == "milestone.reached":
        value = ""
        if data.get("value") is not None:
            value = f" ({data['value']:g} {data.get('unit') or ''}".rstrip() + ")"
        return f"milestone: {data['what']}{value}"
    stage = kind.partition(".")[2].replace("_", " ")
    detail = data.get("summary") or data.get("title") or ""
    return f"{kind.partition('.')[0]} {stage}" + (f": {detail}" if detail else "")


def show(
    store: Store,
    item: str,
    *,
    as_of: str | date | None = None,
    known_at: str | date | None = None,
    everything: bool = False,
    method: str | None = None,
) -> ItemView:
    """One item at the cut: its status, its timeline (only what the cut shows unless
    ``everything``) with corrections noted, and the links visible at the cut."""
    cut, rules = Cut.of(as_of, known_at), check_method(method)
    with gc_paused():
        view = View.of(catch_up(store).log, cut)
        found = next((s for s in evaluate(view, rules) if s.item == item), None)
    records = list(store.read(item=item))
    if found is None:
        where = " as of that date and time" if records else ""
        raise UnknownItem(f"no item {item!r}{where}")
    seen = RecordView(records, cut, everything=everything)
    timeline = [
        TimelineEntry(r, retraction.id if (retraction := seen.retraction_of(r)) else None)
        for r in seen.per_item.get(item, [])
    ]
    links = view.links()
    links_out = [
        {"to": link.target, "relation": link.relation, "event": link.event.id}
        for link in links
        if link.source == item
    ]
    links_in = [
        {"from": link.source, "relation": link.relation, "event": link.event.id}
        for link in links
        if link.target == item
    ]
    return ItemView(cut, found, timeline, links_out, links_in, everything)


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


def export_events(store: Store, fmt: str = "jsonl", *, after: int = 0) -> Iterator[str]:
    """Every event in position order: canonical JSON lines, or CSV rows; JSON lines may
    start ``after`` a position (to extend an export made earlier)."""
    if fmt == "jsonl":
        # the stored body as hashed (old schemas stay as stored), plus the chain fields,
        # so anyone can recompute every hash from the export alone
        for row in store.read_raw(after=after):
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
    store: Store,
    first: str | date,
    second: str | date,
    *,
    known_at: str | date | None = None,
    method: str | None = None,
) -> list[Transition]:
    """Status changes between two dates or periods (each meaning its last day)."""
    first_cut, rules = Cut.of(first, known_at), check_method(method)
    with gc_paused():
        knowledge = Knowledge(catch_up(store).log, first_cut.known_at)
        before = {s.item: s for s in evaluate(knowledge.at(first_cut.as_of), rules)}
        after = {s.item: s for s in evaluate(knowledge.at(Cut.of(second).as_of), rules)}
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
