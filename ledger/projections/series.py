"""The status projection evaluated at many as-of dates in one walk (for report series).

``evaluate_series(knowledge, dates)`` gives, for every date, what
``status.evaluate(knowledge.at(date))`` gives, without re-deriving every item at every
date. It calls the rules of ``status`` (the reference) unchanged and adds only
bookkeeping about when their inputs can differ:

- items are grouped into components joined by ``link.added`` events: an item's status
  depends only on the events of its own component;
- the rules see the as-of date only through (1) which events are visible (their
  effective end on or before it; the set only grows), (2) the stall test, which compares
  event dates with the as-of date minus 12 months, (3) the deadline test, which compares
  deadlines with the as-of date, and (4) freshness and a target's on-track verdict. So a
  component is re-derived at a date only when a new event became visible, when a
  deadline its statuses wait on passed, when the 12-month window crossed one of its
  event dates since its last derivation (by method 1, or at a date not in ``exact``),
  or, at the dates in ``exact``, when it was last derived for counting only. At the
  dates in ``exact``, when only the window crossed (method 2) or it has a target with a
  deadline (on-track moves with every day), its last results are restated
  (``status.restate``: the rules decide the same, freshness and on-track are read again
  at the new date).

At dates in ``exact`` (every date when None) the results equal ``evaluate``'s. At the
other dates every field is exact except ``contested``/``contested_reasons`` (left
empty) and a target's ``on_track`` (possibly of an earlier date): enough for counting
items by status. Results are shared between dates: treat them as frozen. This module
never reads the store, and asks ``view`` which events have happened by each date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from ledger.projections.folded import FoldedEvent, iso_bounds
from ledger.projections.status import (
    STALL_AFTER,
    Inbound,
    ItemFold,
    ItemStatus,
    Rules,
    derive,
    elapsed_share,
    inbound_links,
    restate,
)
from ledger.projections.taxonomy import METHOD, PRECEDENCE
from ledger.projections.view import Knowledge, KnownStream, group_of

__all__ = ["NextChange", "changed_since", "evaluate_series", "linked_groups", "next_changes"]

#: Statuses that rank above the deadline tests: the rules decide them before looking at
#: the deadline, so a deadline passing cannot change them while no new event arrives.
_ABOVE_DEADLINE = frozenset(PRECEDENCE[: PRECEDENCE.index("unverifiable")])
_TYPE = attrgetter("type")
_ITEM = attrgetter("item")
#: What a linked group's last results need at a later date (``_Component.stale``)
_DERIVE, _RESTATE = "derive", "restate"


class _Component:
    """Items joined by links: their known events, and what was last derived from them."""

    __slots__ = (
        "streams",
        "ends",
        "deadlines",
        "count",
        "as_of",
        "stall_before",
        "visible",
        "folded",
        "inbound",
        "results",
        "full",
        "timed",
        "waits_deadline",
    )

    def __init__(self, streams: list[KnownStream]) -> None:
        self.streams = streams
        # each stream's ends are in order already: one item's are kept as they are
        self.ends = (
            streams[0].ends if len(streams) == 1 else sorted(chain(*(s.ends for s in streams)))
        )
        #: the ends of the deadlines its events state, in order, once a status waits on one
        self.deadlines: list[str] | None = None
        self.count = 0
        self.as_of = self.stall_before = ""
        self.visible: dict[str, ItemFold] = {}
        #: item -> (its fold so far, how many events it holds, the greatest index among them)
        self.folded: dict[str, tuple[ItemFold, int, int]] = {}
        self.inbound: Inbound = {}
        self.results: list[ItemStatus] = []
        self.full = self.timed = self.waits_deadline = False

    def happened_count(self, as_of: str) -> int:
        # every stream's ends in one sorted list: one search, not one a stream
        return bisect_right(self.ends, as_of)

    def stale(self, count: int, rules: Rules, precise: bool) -> str | None:
        """Whether the rules could answer differently than at the last derivation:
        ``_DERIVE`` when they must be asked again, ``_RESTATE`` when only what reads the
        as-of date itself can differ (``status.restate``), None when nothing can."""
        if count != self.count:
            self.refresh(rules.as_of)
            self.count = count
            return _DERIVE
        if self.waits_deadline and _crossed(self.deadline_ends(), self.as_of, rules.as_of):
            return _DERIVE
        if precise and not self.full:
            return _DERIVE  # the contested flags were left out
        # the 12-month window passing an event's date changes freshness and, by method 1,
        # stalls; at a date not in ``exact`` the rules answer without contested flags, as
        # the results at such dates always had them
        if _crossed(self.ends, self.stall_before, rules.twelve_months_before):
            return _RESTATE if precise and not rules.by_silence else _DERIVE
        return _RESTATE if precise and self.timed else None

    def deadline_ends(self) -> list[str]:
        if self.deadlines is None:
            self.deadlines = sorted(
                {
                    iso_bounds(e.data["deadline"])[1]
                    for stream in self.streams
                    for e in stream.events
                    if "deadline" in e.data
                }
            )
        return self.deadlines

    def refresh(self, as_of: str) -> None:
        """The existing items' folds and links at ``as_of``, as ``evaluate`` builds them.

        Dates only move forward, so an item's fold is extended with its newly happened
        events when they all sort after those it holds, and redone otherwise (an event
        with a long span happens after shorter ones dated inside it).
        """
        visible: dict[str, ItemFold] = {}
        for stream in self.streams:
            seen = stream.happened_count(as_of)
            if seen == 0:
                continue
            events: list[FoldedEvent] = stream.events
            folded = self.folded.get(stream.item)
            if folded is None or folded[1] != seen:
                fresh = stream.first_happened(seen)[folded[1] if folded else 0 :]
                if folded is not None and min(fresh) > folded[2]:
                    fresh.sort()
                    folded[0].extend([events[i] for i in fresh])
                    folded = (folded[0], seen, fresh[-1])
                elif seen == len(events):  # all of them: ``events`` is in their order already
                    folded = (ItemFold(stream.item, stream.kind, events), seen, seen - 1)
                else:
                    indexes = sorted(stream.first_happened(seen))
                    fold = ItemFold(stream.item, stream.kind, [events[i] for i in indexes])
                    folded = (fold, seen, indexes[-1])
                self.folded[stream.item] = folded
            if folded[0].exists:
                visible[stream.item] = folded[0]
        self.visible, self.inbound = visible, inbound_links(visible)

    def restate(self, rules: Rules) -> None:
        """The last results moved to a later as-of date that only time separates from
        theirs (``stale``)."""
        self.results = [restate(result, rules) for result in self.results]
        self.as_of, self.stall_before = rules.as_of, rules.twelve_months_before

    def derive(self, rules: Rules, full: bool) -> None:
        results = [
            derive(fold, self.visible, self.inbound.get(item, []), rules, full=full)
            for item, fold in self.visible.items()
        ]
        self.timed = any(r.kind == "promise" and r.target and r.deadline for r in results)
        self.results, self.full = results, full
        self.waits_deadline = any(r.status not in _ABOVE_DEADLINE for r in results)
        self.as_of, self.stall_before = rules.as_of, rules.twelve_months_before


def _crossed(values: list[str], old: str, new: str) -> bool:
    """Whether some value v has old <= v < new (a ``v < x`` test flipped between them)."""
    return bool(values) and bisect_left(values, old) != bisect_left(values, new)


class NextChange(NamedTuple):
    """The first dates after a derivation at which a linked group's statuses could differ
    (None: never, while no new event arrives), by the walk's own tests (``stale``)."""

    #: the first end after the as-of day: a known event happens then
    happens: str | None
    #: the first end on or after the 12-month window's start: the window passes it later
    window: str | None
    #: the first deadline on or after the as-of day, where a status still waits on one
    deadline: str | None


def next_changes(
    knowledge: Knowledge,
    as_of: date,
    results: Iterable[ItemStatus],
    neighbours: dict[str, list[str]],
) -> dict[str, NextChange]:
    """For every known item, when the statuses of its group derived at ``as_of``
    (``results``, as ``evaluate`` gives them there) could first differ at a later date;
    ``neighbours``: each item's neighbours along the known links (``link_neighbours``).

    ``changed_since`` reads them: an answer kept for one day is reused for a later one
    for every group none of whose dates lies between the two.
    """
    day, window_start = as_of.isoformat(), (as_of - STALL_AFTER).isoformat()
    waiting = {r.item for r in results if r.status not in _ABOVE_DEADLINE}
    streams = knowledge.streams
    changes: dict[str, NextChange] = {}
    for item in streams:
        if item in changes:
            continue
        group = [i for i in group_of(neighbours, (item,)) if i in streams]
        happens = window = deadline = None
        for member in group:
            stream = streams[member]
            end = stream.first_end_from(day, after=True)
            if end is not None and (happens is None or end < happens):
                happens = end
            end = stream.first_end_from(window_start)
            if end is not None and (window is None or end < window):
                window = end
        if any(member in waiting for member in group):
            for member in group:
                for event in streams[member].events:
                    if "deadline" in event.data:
                        end = iso_bounds(event.data["deadline"])[1]
                        if end >= day and (deadline is None or end < deadline):
                            deadline = end
        change = NextChange(happens, window, deadline)
        for member in group:
            changes[member] = change
    return changes


def changed_since(
    changes: dict[str, Sequence[str | None]], results: Iterable[ItemStatus], as_of: date
) -> set[str]:
    """The items whose statuses, derived at an earlier day with these ``changes``
    (``next_changes``), could differ at ``as_of``: an event happened since, the 12-month
    window or a deadline crossed a date, or a target's share of elapsed time moved (its
    on-track verdict reads it). An item of ``results`` without changes counts as changed."""
    day, window_start = as_of.isoformat(), (as_of - STALL_AFTER).isoformat()
    changed = {
        item
        for item, (happens, window, deadline) in changes.items()
        if (happens is not None and happens <= day)
        or (window is not None and window < window_start)
        or (deadline is not None and deadline < day)
    }
    for result in results:
        target = result.target
        moved = target is not None and target.get("elapsed") != elapsed_share(
            target, result.deadline, day
        )
        if moved or result.item not in changes:
            changed.add(result.item)
    return changed


def linked_groups(knowledge: Knowledge) -> list[list[str]]:
    """The known items joined by links, each group in the log's order: an item's status
    depends only on the events of its own group (a caller may keep results per group)."""
    return [list(group) for group in _groups(knowledge).values()]


def _groups(knowledge: Knowledge) -> dict[str, list[str]]:
    streams = knowledge.streams
    parent = {item: item for item in streams}

    def root(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for item, stream in streams.items():
        if "link.added" not in map(_TYPE, stream.events):  # most items link nothing
            continue
        for event in stream.events:
            if event.type == "link.added" and event.data["to"] in parent:
                a, b = root(item), root(event.data["to"])
                if a != b:
                    parent[b] = a
    groups: dict[str, list[str]] = defaultdict(list)
    for item in streams:  # the log's order, as ``evaluate`` walks it
        groups[root(item)].append(item)
    return groups


def _components(
    knowledge: Knowledge, items: Collection[str] | None, groups: Iterable[list[str]] | None
) -> list[_Component]:
    streams = knowledge.streams
    return [
        _Component([streams[item] for item in group])
        for group in (_groups(knowledge).values() if groups is None else groups)
        if items is None or any(item in items for item in group)
    ]


def evaluate_series(
    knowledge: Knowledge,
    dates: Iterable[date],
    *,
    exact: Collection[date] | None = None,
    method: str = METHOD,
    items: Collection[str] | None = None,
    groups: Iterable[list[str]] | None = None,
) -> dict[date, list[ItemStatus]]:
    """Every item's status at each date, sorted by item id, as ``evaluate`` gives it.

    ``exact``: the dates that need contested flags and current on-track verdicts (all
    dates when None); the others are exact in every status. ``items``: only the groups
    (``linked_groups``) holding one of these items, each as the whole walk gives it.
    ``groups``: what ``linked_groups(knowledge)`` gives, when the caller has it already.
    """
    components = _components(knowledge, items, groups)
    sources = knowledge.source_kinds
    series: dict[date, list[ItemStatus]] = {}
    for day in sorted(set(dates)):
        as_of = day.isoformat()
        rules = Rules(as_of, (day - STALL_AFTER).isoformat(), method, sources)
        precise = exact is None or day in exact
        results: list[ItemStatus] = []
        for component in components:
            count = component.happened_count(as_of)
            if count == 0:
                continue
            stale = component.stale(count, rules, precise)
            if stale is _DERIVE:
                component.derive(rules, precise)
            elif stale is _RESTATE:
                component.restate(rules)
            results.extend(component.results)
        results.sort(key=_ITEM)
        series[day] = results
    return series
