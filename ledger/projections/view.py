"""The read model: the ledger seen through one cut, (as of a date, as known at a time).

This module alone decides what a reader sees; status, show, diff, the series walk, the
reports and the scheduler all ask it, and tests/test_architecture.py fails when another
module compares transaction times or effective spans to decide visibility. The rule:

- an event is **known** at the cut once it was recorded (``recorded_at <= known_at``);
- it has **happened** by the cut once its whole effective span has passed
  (``2020-09`` counts from 30 September 2020: a month-precision source only tells us it
  happened *by* the end of that month);
- a retraction hides the event it retracts from the retraction's own recorded time on,
  so a question asked "as known at" an earlier time is answered as it was then.

Two steps, so a series of dates shares the first: ``Knowledge`` applies the transaction
time (what was known, retractions applied); ``View`` adds the valid time. ``RecordView``
applies the same rule to full records (quotes and all) for timelines and reports.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

from events import InvalidInput, format_instant, parse_instant, period_bounds
from ledger.mapper import Record
from ledger.projections.folded import FoldedEvent, FoldedLog, iso_bounds

__all__ = [
    "Cut",
    "Knowledge",
    "KnownStream",
    "Link",
    "PeriodReads",
    "RecordView",
    "View",
    "group_of",
    "known_by",
    "link_neighbours",
    "parse_as_of",
    "parse_known_at",
    "timeline_order",
    "period_reads",
]


#: The order of a known stream: by the first day of the effective span, then as appended.
#: A stream is in position order (as appended) and the sort is stable, so sorting by the
#: start alone gives it, without a (start, position) pair built for every event.
_START = attrgetter("start")
_END = attrgetter("end")
_ID = attrgetter("id")
_POSITION = attrgetter("position")


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


def known_by(recorded_at: str, known_at: str | None) -> bool:
    """Whether an event recorded at ``recorded_at`` is known at ``known_at`` (None: now)."""
    return known_at is None or recorded_at <= known_at


@dataclass(frozen=True, slots=True)
class Cut:
    """A point of view: valid time ``as_of`` (a day) and transaction time ``known_at``."""

    as_of: date
    #: canonical instant text, as stored in ``recorded_at`` (so the two compare as text)
    known_at: str

    @classmethod
    def of(cls, as_of: str | date | None = None, known_at: str | date | None = None) -> Cut:
        """The cut a user asked for; today and now where not given."""
        return cls(parse_as_of(as_of), parse_known_at(known_at))

    @property
    def day(self) -> str:
        return self.as_of.isoformat()

    def on(self, as_of: date) -> Cut:
        """The same knowledge, at another date."""
        return replace(self, as_of=as_of)

    def knows(self, recorded_at: str) -> bool:
        return known_by(recorded_at, self.known_at)

    def has_happened(self, effective: str) -> bool:
        return iso_bounds(effective)[1] <= self.day

    def happened_since(self, effective: str, first_day: date) -> bool:
        """Whether the event's span ended within [first_day, as_of]: it happened then."""
        end = iso_bounds(effective)[1]
        return first_day.isoformat() <= end <= self.day

    def began_since(self, effective: str, first_day: date) -> bool:
        """Whether the event's whole span lies within [first_day, as_of]: it is known to
        have happened then, not merely first reported then (a range that started earlier
        only says it happened somewhere within the range)."""
        start, end = iso_bounds(effective)
        return first_day.isoformat() <= start and end <= self.day

    def months_since(self, effective: str) -> int:
        """Whole months from the end of the event's span to the as-of day (0 if later):
        how long the ledger has heard nothing newer, for freshness."""
        end = date.fromisoformat(iso_bounds(effective)[1])
        months = (self.as_of.year - end.year) * 12 + self.as_of.month - end.month
        if self.as_of.day < end.day:
            months -= 1
        return max(months, 0)


class Link(NamedTuple):
    """A visible link between two visible items."""

    source: str
    relation: str
    target: str
    event: FoldedEvent


class KnownStream:
    """One item's known events, sorted by (start, position), with their ends in order."""

    __slots__ = ("item", "kind", "events", "_ends", "_order")

    def __init__(self, item: str, kind: str, events: list[FoldedEvent]) -> None:
        self.item, self.kind, self.events = item, kind, events
        ends = list(map(_END, events))
        self._order = sorted(range(len(events)), key=ends.__getitem__)  # stable, as before
        self._ends = list(map(ends.__getitem__, self._order))

    def happened_count(self, day: str) -> int:
        """How many of the events have happened by ``day`` (ISO text)."""
        return bisect_right(self._ends, day)

    def first_happened(self, count: int) -> list[int]:
        """Indexes (into ``events``) of the first ``count`` events to happen."""
        return self._order[:count]

    def happened(self, day: str) -> list[FoldedEvent]:
        """The events that have happened by ``day``, in (start, position) order."""
        count = self.happened_count(day)
        if count == len(self.events):
            return self.events
        return [self.events[i] for i in sorted(self._order[:count])]

    @property
    def first_end(self) -> str:
        return self._ends[0]

    @property
    def ends(self) -> list[str]:
        """Every event's end, in order (shared: not to be changed)."""
        return self._ends

    def first_end_from(self, day: str, *, after: bool = False) -> str | None:
        """The earliest end on or after ``day`` (strictly after it with ``after``), if any."""
        index = (bisect_right if after else bisect_left)(self._ends, day)
        return self._ends[index] if index < len(self._ends) else None


class Knowledge:
    """What the ledger knew at ``known_at``: each item's known events, retractions applied.

    Retraction events themselves are not part of any stream; the events they retract (as
    known then) are left out. ``items`` keeps only those items' streams (sources are always
    kept: every item's evidence grades read them); with a set closed under links
    (``group_of(link_neighbours(…), items)``), the rules give those items what they give
    over everything.
    """

    __slots__ = ("known_at", "streams", "retracted", "source_kinds")

    def __init__(self, log: FoldedLog, known_at: str, items: Collection[str] | None = None) -> None:
        self.known_at = known_at
        self.retracted = {i for i, when in log.retractions.items() if when <= known_at}
        retracted = self.retracted
        # no retraction in the log: a stream is known whole when its newest event is
        # (transaction time never runs backwards along a stream)
        plain = not log.retractions
        self.streams: dict[str, KnownStream] = {}
        #: each registered source's kind (a source is a document, not a tracked item)
        self.source_kinds: dict[str, str] = {}
        for item, stream in log.streams.items():
            if items is not None and item not in items and stream.kind != "source":
                continue
            if plain and stream.events and stream.events[-1].recorded_at <= known_at:
                events = list(stream.events)
            else:
                events = [
                    e
                    for e in stream.events
                    if e.recorded_at <= known_at
                    and e.id not in retracted
                    and e.type != "event.retracted"
                ]
            if not events:
                continue
            events.sort(key=_START)
            if stream.kind == "source":
                self.source_kinds[item] = next(
                    (e.data["kind"] for e in reversed(events) if "kind" in e.data), "other"
                )
            else:
                self.streams[item] = KnownStream(item, stream.kind, events)

    def at(self, as_of: date) -> View:
        return View(self, Cut(as_of, self.known_at))

    def first_day(self, items: Collection[str] | None = None) -> date | None:
        """The earliest day by which some known event (of ``items``, if given) had
        happened."""
        streams = (
            self.streams.values()
            if items is None
            else (self.streams[item] for item in items if item in self.streams)
        )
        ends = [stream.first_end for stream in streams]
        return date.fromisoformat(min(ends)) if ends else None


def link_neighbours(log: FoldedLog, known_at: str) -> dict[str, list[str]]:
    """Each item's neighbours along the links known (and not retracted) at ``known_at``,
    in either direction."""
    retracted = {i for i, when in log.retractions.items() if when <= known_at}
    neighbours: dict[str, list[str]] = defaultdict(list)
    for item, stream in log.streams.items():
        for event in stream.events:
            if (
                event.type == "link.added"
                and event.recorded_at <= known_at
                and event.id not in retracted
            ):
                neighbours[item].append(event.data["to"])
                neighbours[event.data["to"]].append(item)
    return dict(neighbours)


def group_of(neighbours: dict[str, list[str]], items: Iterable[str]) -> set[str]:
    """``items`` and every item reachable from them through ``neighbours``."""
    group = set(items)
    todo = list(group)
    while todo:
        for other in neighbours.get(todo.pop(), ()):
            if other not in group:
                group.add(other)
                todo.append(other)
    return group


class View:
    """The folded log through one cut: each item's happened, known, unretracted events."""

    __slots__ = ("cut", "kinds", "streams", "source_kinds")

    def __init__(self, knowledge: Knowledge, cut: Cut) -> None:
        self.cut = cut
        self.source_kinds = knowledge.source_kinds
        day = cut.day
        self.kinds: dict[str, str] = {}
        self.streams: dict[str, list[FoldedEvent]] = {}
        for item, stream in knowledge.streams.items():
            events = stream.happened(day)
            if events:
                self.streams[item] = events
                self.kinds[item] = stream.kind

    @classmethod
    def of(cls, log: FoldedLog, cut: Cut) -> View:
        return cls(Knowledge(log, cut.known_at), cut)

    def links(self) -> list[Link]:
        """Every visible link whose both ends are visible items, in item order."""
        found = []
        for item in sorted(self.streams):
            for event in self.streams[item]:
                if event.type == "link.added" and event.data["to"] in self.streams:
                    found.append(Link(item, event.data["relation"], event.data["to"], event))
        return found


def timeline_order(record: Record) -> tuple[str, int]:
    """The order of a timeline: by the first day of the effective span, then as appended."""
    return iso_bounds(record.effective)[0], record.position


class RecordView:
    """Full records through one cut, for timelines and reports.

    ``per_item`` holds each item's happened, known events (retracted ones included, so a
    timeline can show the correction), in (start, position) order; ``retractions`` maps a
    retracted event id to the retraction known at the cut; ``head`` is the newest event the
    cut includes (a retraction counts when it retracts an included event).
    """

    __slots__ = ("cut", "per_item", "retractions", "head")

    def __init__(self, records: Iterable[Record], cut: Cut, *, everything: bool = False) -> None:
        self.cut = cut
        self.per_item: dict[str, list[Record]] = defaultdict(list)
        self.retractions: dict[str, Record] = {}
        self.head: Record | None = None
        included: set[str] = set()
        # the rule of ``Cut.knows`` and ``Cut.has_happened``, written out: two calls fewer
        # for each of hundreds of thousands of records
        known_at, day, bounds = cut.known_at, cut.day, iso_bounds
        for record in records:  # position order: transaction time never runs backwards
            if not everything and known_at is not None and record.recorded_at > known_at:
                break
            if record.type == "event.retracted":
                self.retractions[record.data["retracted"]] = record
                if record.data["retracted"] in included:
                    self.head = record
            elif everything or bounds(record.effective)[1] <= day:
                self.per_item[record.item].append(record)
                included.add(record.id)
                self.head = record
        for item_records in self.per_item.values():
            item_records.sort(key=timeline_order)

    def retraction_of(self, record: Record) -> Record | None:
        return self.retractions.get(record.id)

    def happened_since(self, first_day: date, items: Iterable[str]) -> list[Record]:
        """The unretracted events of ``items`` that happened between ``first_day`` and the
        cut, in (start, position) order."""
        found = [
            r
            for item in items
            for r in self.per_item.get(item, ())
            if r.id not in self.retractions and self.cut.happened_since(r.effective, first_day)
        ]
        found.sort(key=timeline_order)
        return found

    def happened_within(self, spans: list[tuple[date, date]]) -> list[list[Record]]:
        """For each (first day, last day) span, oldest first and not overlapping, the
        unretracted events whose effective span ended within it (they happened, or were
        first reported, then), in (start, position) order. One pass over the records."""
        lasts = [last.isoformat() for _, last in spans]
        firsts = [first.isoformat() for first, _ in spans]
        found: list[list[Record]] = [[] for _ in spans]
        for records in self.per_item.values():
            for record in records:
                if record.id in self.retractions:
                    continue
                end = iso_bounds(record.effective)[1]
                index = bisect_left(lasts, end)
                if index < len(spans) and firsts[index] <= end:
                    found[index].append(record)
        for records in found:
            records.sort(key=timeline_order)
        return found

    def newest_within(self, first: date, last: date) -> Record | None:
        """The unretracted event with the greatest position among those whose effective
        span ended within [first, last] (what ``happened_within`` would list for that one
        span), without listing or sorting them."""
        first_day, last_day, bounds = first.isoformat(), last.isoformat(), iso_bounds
        newest: Record | None = None
        for records in self.per_item.values():
            for record in records:
                if newest is not None and record.position < newest.position:
                    continue
                if record.id in self.retractions:
                    continue
                if first_day <= bounds(record.effective)[1] <= last_day:
                    newest = record
        return newest


class PeriodReads(NamedTuple):
    """Which records one period's report reads, and the citations it counts (see
    ``period_reads``)."""

    #: positions of the records a ``RecordView`` over them needs
    positions: set[int]
    #: per cited document, how many of the items' records seen through the cut cite it
    counts: Counter[str]
    #: per cited document, the position of the first of them (items in the order given,
    #: each item's records in (start, position) order, as ``RecordView.per_item`` holds)
    firsts: dict[str, int]


def period_reads(
    log: FoldedLog,
    cut: Cut,
    span: tuple[date, date],
    since: date,
    items: Iterable[str],
    causes: Collection[str],
) -> PeriodReads:
    """What a ``RecordView(records, cut)`` of the records at ``positions`` answers as one
    over every record does, for one period's report, from one walk over the folded log:
    the events that ended within ``span`` (``happened_within``), the newest that ended
    between ``since`` and the span's end (``newest_within``), the newest the cut includes
    (``head``), every known retraction and the events they retract, and the events in
    ``causes`` (by id); with the documents the records of ``items`` cite, counted."""
    day, known_at = cut.day, cut.known_at
    first_day, last_day, since_day = span[0].isoformat(), span[1].isoformat(), since.isoformat()
    retracted = {i for i, when in log.retractions.items() if when <= known_at}
    order = list(items)
    shown = set(order)
    positions: set[int] = set()
    head = newest = 0
    counts: Counter[str] = Counter()
    cited: dict[str, dict[str, tuple[str, int]]] = {}  # item -> document -> (start, position)
    for item, stream in log.streams.items():
        events = stream.events
        cites = cited.setdefault(item, {}) if item in shown else None
        if causes:  # the events named, known or not: found by mapped C calls, no frame each
            named = map(causes.__contains__, map(_ID, events))
            positions.update(compress(map(_POSITION, events), named))
        # fields unpacked, not read by name: a walk over every event of the ledger
        for position, id_, type_, _, start, end, recorded_at, document, _ in events:
            if recorded_at > known_at:
                continue
            if type_ == "event.retracted":
                positions.add(position)
                continue
            if end > day:
                continue
            if position > head:
                head = position
            if cites is not None:
                document = document or ""
                counts[document] += 1
                first = cites.get(document)
                # a stream is in position order: an earlier start alone makes one first
                if first is None or start < first[0]:
                    cites[document] = (start, position)
            if id_ in retracted:
                positions.add(position)  # a retraction of it may be the head
                continue
            if first_day <= end <= last_day:
                positions.add(position)
                if position > newest:
                    newest = position
            elif since_day <= end <= last_day and position > newest:
                newest = position
    firsts: dict[str, int] = {}
    for item in order:
        for document, (_, position) in cited.get(item, {}).items():
            firsts.setdefault(document, position)
    positions.update(firsts.values())
    positions.update(position for position in (head, newest) if position)
    return PeriodReads(positions, counts, firsts)
