"""The status projection evaluated at many as-of dates in one walk (for report series).

``evaluate_series(state, dates, known_at)`` gives, for every date, exactly what
``status.evaluate(state, date, known_at)`` gives, without re-deriving every item at
every date. It reuses the rules of ``status`` (the reference) unchanged and adds only
bookkeeping:

- items are grouped into components joined by ``link.added`` events; an item's status
  depends only on events of its own component;
- within a component the visible events only grow with the as-of date, so when no new
  event became visible since the previous date the visible streams are reused;
- an item whose status can no longer change by the mere passing of time (delivered,
  partial, broken, reversed, unverifiable for a promise; delivered or reversed for a
  law, amendment or milestone) and whose component saw no new event keeps its result.
  A promise with a target and a deadline is re-derived all the same at the dates in
  ``exact`` (its on-track verdict moves with time); elsewhere its ``target.on_track``
  may be the one of an earlier date, which does not change any status.

Results are shared between dates: treat the returned ``ItemStatus`` objects as frozen.
It never reads the store; callers fold the log first (``catch_up`` or ``fold_status``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from ledger.projections.status import (
    STALL_AFTER,
    CompactEvent,
    ItemStatus,
    _disagreements,
    _promise_status,
    _stage_status,
    _Visible,
)

__all__ = ["evaluate_series"]

_SETTLED_PROMISE = frozenset({"delivered", "partial", "broken", "reversed", "unverifiable"})
_SETTLED_STAGE = frozenset({"delivered", "reversed"})


class _Component:
    """Items joined by links, with the sorted effective ends of their known events."""

    __slots__ = ("items", "ends", "count", "streams", "inbound", "results", "settled", "timed")

    def __init__(self, items: list[tuple[str, str, list[CompactEvent]]]) -> None:
        self.items = items
        self.ends = sorted(e[5] for _, _, events in items for e in events)
        self.count = -1
        self.streams: dict[str, _Visible] = {}
        self.inbound: dict[str, list[tuple[str, str, CompactEvent]]] = {}
        self.results: list[ItemStatus] = []
        self.settled = False
        self.timed = False

    def refresh(self, as_of: str) -> None:
        """Rebuild the visible streams and links at ``as_of`` (as ``evaluate`` does)."""
        streams: dict[str, _Visible] = {}
        for item, kind, events in self.items:
            visible = [e for e in events if e[5] <= as_of]
            if visible and (visible[0][2] == "promise.made" or kind != "promise"):
                streams[item] = _Visible(item, kind, visible)
        inbound: dict[str, list[tuple[str, str, CompactEvent]]] = defaultdict(list)
        for stream in streams.values():
            for event in stream.events:
                if event[2] == "link.added" and event[8]["to"] in streams:
                    inbound[event[8]["to"]].append((stream.item, event[8]["relation"], event))
        for target, links in inbound.items():
            for source_item, relation, _ in links:
                if relation == "reverses" and streams[source_item].level >= 2:
                    victim = streams[target]
                    if victim.undone_event is None:
                        victim.undone_event = streams[source_item].level_event
        self.streams, self.inbound = streams, inbound

    def derive(self, as_of: str, stall_before: str) -> None:
        results = []
        settled = True
        timed = False
        for item in self.streams:
            stream = self.streams[item]
            if stream.kind == "promise":
                status = _promise_status(
                    stream, self.streams, self.inbound.get(item, []), as_of, stall_before
                )
                settled &= status.status in _SETTLED_PROMISE
                timed |= bool(status.target and status.deadline)
            else:
                status = _stage_status(stream, stall_before)
                settled &= status.status in _SETTLED_STAGE
            status.contested_reasons = _disagreements(stream, status.status)
            status.contested = bool(status.contested_reasons)
            results.append(status)
        self.results, self.settled, self.timed = results, settled, timed


def _components(state: dict[str, Any], known_at: str) -> list[_Component]:
    retracted = {event_id for event_id, when in state["retracted"].items() if when <= known_at}
    known: dict[str, tuple[str, list[CompactEvent]]] = {}
    for item, stream in state["items"].items():
        events = [
            e
            for e in stream["events"]
            if e[6] <= known_at and e[1] not in retracted and e[2] != "event.retracted"
        ]
        if events:
            events.sort(key=lambda e: (e[4], e[0]))
            known[item] = (stream["kind"], events)
    parent = {item: item for item in known}

    def root(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for item, (_, events) in known.items():
        for event in events:
            if event[2] == "link.added" and event[8]["to"] in parent:
                a, b = root(item), root(event[8]["to"])
                if a != b:
                    parent[b] = a
    groups: dict[str, list[tuple[str, str, list[CompactEvent]]]] = defaultdict(list)
    for item, (kind, events) in known.items():  # the state's order, as ``evaluate`` walks it
        groups[root(item)].append((item, kind, events))
    return [_Component(items) for items in groups.values()]


def evaluate_series(
    state: dict[str, Any],
    dates: Iterable[date],
    known_at: str,
    *,
    exact: Collection[date] | None = None,
) -> dict[date, list[ItemStatus]]:
    """Every item's status at each date (as ``evaluate``), sorted by item id per date.

    ``exact``: the dates whose targets' on-track verdicts must be current (all when None).
    """
    components = _components(state, known_at)
    series: dict[date, list[ItemStatus]] = {}
    for day in sorted(set(dates)):
        as_of = day.isoformat()
        stall_before = (day - STALL_AFTER).isoformat()
        precise = exact is None or day in exact
        results: list[ItemStatus] = []
        for component in components:
            count = bisect_right(component.ends, as_of)
            if count == 0:
                continue
            if count != component.count:
                component.refresh(as_of)
                component.count = count
                component.derive(as_of, stall_before)
            elif not component.settled or (precise and component.timed):
                component.derive(as_of, stall_before)
            results.extend(component.results)
        results.sort(key=lambda status: status.item)
        series[day] = results
    return series
