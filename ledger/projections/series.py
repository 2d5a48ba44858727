"""The status projection evaluated at many as-of dates in one walk (for report series).

``evaluate_series(state, dates, known_at)`` gives, for every date, what
``status.evaluate(state, date, known_at)`` gives, without re-deriving every item at every
date. It calls the rules of ``status`` (the reference) unchanged and adds only
bookkeeping about when their inputs can differ:

- items are grouped into components joined by ``link.added`` events: an item's status
  depends only on the events of its own component;
- the rules see the as-of date only through (1) which events are visible (their
  effective end on or before it; the set only grows), (2) the stall test, which compares
  event dates with the as-of date minus 12 months, (3) the deadline test, which compares
  deadlines with the as-of date, and (4) a target's on-track verdict. So a component is
  re-derived at a date only when a new event became visible, when the 12-month window
  or a deadline crossed one of its event dates or deadlines since its last derivation,
  or, at the dates in ``exact``, when it has a target with a deadline (on-track moves
  with every day) or was last derived for counting only.

At dates in ``exact`` (every date when None) the results equal ``evaluate``'s. At the
other dates every field is exact except ``contested``/``contested_reasons`` (left
empty) and a target's ``on_track`` (possibly of an earlier date): enough for counting
items by status. Results are shared between dates: treat them as frozen. This module
never reads the store; callers fold the log first (``catch_up`` or ``fold_status``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from events import date_bounds
from ledger.projections.status import (
    STALL_AFTER,
    CompactEvent,
    ItemStatus,
    _disagreements,
    _promise_status,
    _stage_status,
    _Visible,
    link_streams,
)
from ledger.projections.taxonomy import PRECEDENCE

__all__ = ["evaluate_series"]

#: Statuses that rank above "stalled" (resp. above the deadline tests): the rules decide
#: them before looking at the 12-month window (resp. the deadline), so that window (resp.
#: a deadline) passing cannot change them while no new event arrives.
_ABOVE_STALL = frozenset(PRECEDENCE[: PRECEDENCE.index("stalled")])
_ABOVE_DEADLINE = frozenset(PRECEDENCE[: PRECEDENCE.index("unverifiable")])


class _Component:
    """Items joined by links: their known events, and what was last derived from them."""

    __slots__ = (
        "items",
        "ends",
        "deadlines",
        "count",
        "as_of",
        "stall_before",
        "streams",
        "folded",
        "inbound",
        "results",
        "full",
        "timed",
        "waits_stall",
        "waits_deadline",
    )

    def __init__(self, items: list[tuple[str, str, list[CompactEvent]]]) -> None:
        # each item's events, and their indexes in order of effective end: the first n of
        # those are the events visible while n ends have passed
        self.items = [(item, kind, events, *_by_end(events)) for item, kind, events in items]
        events = [e for _, _, item_events in items for e in item_events]
        self.ends = sorted(e[5] for e in events)
        self.deadlines = sorted(
            {date_bounds(e[8]["deadline"])[1].isoformat() for e in events if "deadline" in e[8]}
        )
        self.count = 0
        self.as_of = self.stall_before = ""
        self.streams: dict[str, _Visible] = {}
        #: item -> (its fold so far, how many events it holds, the greatest index among them)
        self.folded: dict[str, tuple[_Visible, int, int]] = {}
        self.inbound: dict[str, list[tuple[str, str, CompactEvent]]] = {}
        self.results: list[ItemStatus] = []
        self.full = self.timed = self.waits_stall = self.waits_deadline = False

    def stale(self, count: int, as_of: str, stall_before: str, precise: bool) -> bool:
        """Whether the rules could answer differently than at the last derivation."""
        if count != self.count:
            self.refresh(as_of)
            self.count = count
            return True
        if self.waits_stall and _crossed(self.ends, self.stall_before, stall_before):
            return True
        if self.waits_deadline and _crossed(self.deadlines, self.as_of, as_of):
            return True
        return precise and (self.timed or not self.full)

    def refresh(self, as_of: str) -> None:
        """The visible streams and links at ``as_of``, as ``evaluate`` builds them.

        Dates only move forward, so an item's fold is extended with its newly visible
        events when they all sort after those it holds, and redone otherwise (an event
        with a long span becomes visible after shorter ones dated inside it).
        """
        streams: dict[str, _Visible] = {}
        for item, kind, events, ends, order in self.items:
            seen = bisect_right(ends, as_of)
            if seen == 0:
                continue
            folded = self.folded.get(item)
            if folded is None or folded[1] != seen:
                fresh = order[folded[1] if folded else 0 : seen]
                if folded is not None and min(fresh) > folded[2]:
                    fresh.sort()
                    folded[0].extend([events[i] for i in fresh])
                    folded = (folded[0], seen, fresh[-1])
                else:
                    indexes = sorted(order[:seen])
                    stream = _Visible(item, kind, [events[i] for i in indexes])
                    folded = (stream, seen, indexes[-1])
                self.folded[item] = folded
            stream = folded[0]
            if stream.exists:
                streams[item] = stream
        self.streams, self.inbound = streams, link_streams(streams)

    def derive(self, as_of: str, stall_before: str, full: bool) -> None:
        results = []
        timed = False
        for item, stream in self.streams.items():
            if stream.kind == "promise":
                status = _promise_status(
                    stream, self.streams, self.inbound.get(item, []), as_of, stall_before
                )
                timed |= bool(status.target and status.deadline)
            else:
                status = _stage_status(stream, stall_before)
            if full:
                status.contested_reasons = _disagreements(stream, status.status, status.since)
                status.contested = bool(status.contested_reasons)
            results.append(status)
        self.results, self.timed, self.full = results, timed, full
        self.waits_stall = any(r.status not in _ABOVE_STALL for r in results)
        self.waits_deadline = any(r.status not in _ABOVE_DEADLINE for r in results)
        self.as_of, self.stall_before = as_of, stall_before


def _by_end(events: list[CompactEvent]) -> tuple[list[str], list[int]]:
    order = sorted(range(len(events)), key=lambda i: events[i][5])
    return [events[i][5] for i in order], order


def _crossed(values: list[str], old: str, new: str) -> bool:
    """Whether some value v has old <= v < new (a ``v < x`` test flipped between them)."""
    return bool(values) and bisect_left(values, old) != bisect_left(values, new)


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
    """Every item's status at each date, sorted by item id, as ``evaluate`` gives it.

    ``exact``: the dates that need contested flags and current on-track verdicts (all
    dates when None); the others are exact in every status.
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
            if component.stale(count, as_of, stall_before, precise):
                component.derive(as_of, stall_before, precise)
            results.extend(component.results)
        results.sort(key=lambda status: status.item)
        series[day] = results
    return series
