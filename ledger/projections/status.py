"""The status projection: promised vs delivered, at any as-of date and known-at time.

Two steps, kept apart so a projection can be rebuilt from nothing or caught up from its
checkpoint by the same code:

- ``fold_status(state, records)`` appends each event, compacted, to its item's stream
  (pure; O(1) per event).
- ``evaluate(state, as_of, known_at)`` derives every item's status at valid time
  ``as_of`` (effective dates; a fuzzy date counts once its whole span has passed) and
  transaction time ``known_at`` (recorded_at; a retraction counts from its own recorded
  time on). The rules are those of docs/status-rules.md, versioned as ``METHOD``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from events import date_bounds
from ledger.mapper import Record
from ledger.projections.taxonomy import PRECEDENCE

__all__ = ["CompactEvent", "ItemStatus", "empty_state", "evaluate", "fold_status"]

#: Payload keys the rules read; the rest stays in the store (``show`` reads it there), so
#: the checkpoint stays small and quick to load.
_KEEP = frozenset(
    {
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
    }
)
_NAMING = frozenset({"promise.made"}) | frozenset(
    f"{kind}.{stage}"
    for kind, stages in (
        ("law", ("drafted", "passed", "signed", "in_force", "amended", "repealed")),
        ("amendment", ("proposed", "adopted", "in_force")),
        ("milestone", ("reached",)),
    )
    for stage in stages
)

#: How far each stage event moves its item: 1 in progress, 2 adopted, 3 delivered.
LEVELS = {
    "law.drafted": 1,
    "law.passed": 1,
    "law.signed": 2,
    "law.in_force": 3,
    "amendment.proposed": 1,
    "amendment.adopted": 2,
    "amendment.in_force": 3,
    "milestone.reached": 3,
}
_LEVEL_STATUS = {0: "announced", 1: "in_progress", 2: "adopted", 3: "delivered"}
#: Events that happen once in an item's life: two dates for one of them is a disagreement.
_ONCE = frozenset(
    {
        "promise.made",
        "law.passed",
        "law.signed",
        "law.in_force",
        "amendment.proposed",
        "amendment.adopted",
        "amendment.in_force",
        "milestone.reached",
    }
)
_PROGRESS = frozenset(LEVELS) | {
    "promise.made",
    "promise.revised",
    "measurement.recorded",
    "law.amended",
    "law.repealed",
}
_IMPLEMENTS = ("implements", "partially_implements")
STALL_AFTER = relativedelta(months=12)


# -- folding ------------------------------------------------------------------------------
# A compact event is a list, so the state is plain JSON:
# [position, id, type, effective, eff_start, eff_end, recorded_at, document, data]
CompactEvent = list


def empty_state() -> dict[str, Any]:
    return {"items": {}, "retracted": {}}


@lru_cache(maxsize=65536)
def _iso_bounds(effective: str) -> tuple[str, str]:
    start, end = date_bounds(effective)
    return start.isoformat(), end.isoformat()


def fold_status(state: dict[str, Any], records: Iterable[Record]) -> int:
    """Fold records into ``state`` in place; return how many were folded."""
    items = state["items"]
    retracted = state["retracted"]
    folded = 0
    keep = _KEEP
    for record in records:
        start, end = _iso_bounds(record.effective)
        data = {k: v for k, v in record.data.items() if k in keep}
        stream = items.get(record.item)
        if stream is None:
            stream = items[record.item] = {"kind": record.type.partition(".")[0], "events": []}
        stream["events"].append(
            [
                record.position,
                record.id,
                record.type,
                record.effective,
                start,
                end,
                record.recorded_at,
                record.source.get("document"),
                data,
            ]
        )
        if record.type == "event.retracted":
            retracted.setdefault(record.data["retracted"], record.recorded_at)
        folded += 1
    return folded


# -- evaluating ---------------------------------------------------------------------------
@dataclass
class ItemStatus:
    """One item's derived state at (as_of, known_at); ``--json`` prints these fields."""

    item: str
    kind: str
    title: str
    area: str | None
    package: str | None
    status: str
    late: bool = False
    contested: bool = False
    contested_reasons: list[str] = field(default_factory=list)
    deadline: str | None = None
    stage: str | None = None
    since: str | None = None
    cause_event: str | None = None
    implemented_by: list[str] = field(default_factory=list)
    assessments: list[dict[str, str]] = field(default_factory=list)
    target: dict[str, Any] | None = None
    events: int = 0
    last_effective: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Visible:
    """One item's events as visible at (as_of, known_at), with what the rules need.

    A left fold over the events in their order, so ``extend`` with events that sort after
    the last one gives what a fresh fold of them all would (``evaluate_series`` relies on
    it). ``undone_event`` starts as the item's own repeal; ``link_streams`` adds reversals.
    """

    __slots__ = (
        "item",
        "kind",
        "events",
        "title",
        "area",
        "package",
        "level",
        "level_event",
        "max_level",
        "own_undone",
        "undone_event",
        "last_progress",
        "made",
        "revisions",
        "abandoned",
        "unverifiable",
        "latest_measurements",
        "assessments",
        "links",
    )

    def __init__(self, item: str, kind: str, events: list[CompactEvent]) -> None:
        self.item, self.kind = item, kind
        self.events: list[CompactEvent] = []
        self.title = self.area = self.package = None
        self.level, self.level_event, self.max_level = 0, None, 0
        self.own_undone: CompactEvent | None = None
        self.undone_event: CompactEvent | None = None
        self.last_progress = ""
        self.made: CompactEvent | None = None
        self.abandoned: CompactEvent | None = None
        self.unverifiable: CompactEvent | None = None
        self.revisions: list[CompactEvent] = []
        #: metric -> its measurement of the latest period (ties: the later recorded event)
        self.latest_measurements: dict[str, tuple[tuple[str, int], CompactEvent]] = {}
        self.assessments: dict[str, CompactEvent] = {}  # each assessor's latest
        self.links: list[CompactEvent] = []
        self.extend(events)

    def extend(self, events: list[CompactEvent]) -> None:
        self.events.extend(events)
        for event in events:
            type_ = event[2]
            if type_ in _NAMING:
                data = event[8]
                self.title = data.get("title") or self.title
                self.area = data.get("area") or self.area
                self.package = data.get("package") or self.package
            if type_ in _PROGRESS and event[5] > self.last_progress:
                self.last_progress = event[5]
            level = LEVELS.get(type_)
            if level is not None and level >= self.level:
                self.level, self.level_event = level, event
                self.max_level = max(self.max_level, level)
            elif type_ == "law.repealed":
                self.own_undone = event
            elif type_ == "measurement.recorded":
                key = (_iso_bounds(event[8]["period"])[1], event[0])
                latest = self.latest_measurements.get(event[8]["metric"])
                if latest is None or key > latest[0]:
                    self.latest_measurements[event[8]["metric"]] = (key, event)
            elif type_ == "assessment.recorded":
                self.assessments[event[8]["assessor"]] = event
            elif type_ == "link.added":
                self.links.append(event)
            elif type_ == "promise.made" and self.made is None:
                self.made = event
            elif type_ == "promise.revised":
                self.revisions.append(event)
            elif type_ == "promise.abandoned":
                self.abandoned = event
            elif type_ == "promise.marked_unverifiable":
                self.unverifiable = event
        self.undone_event = self.own_undone

    @property
    def exists(self) -> bool:
        """Whether the item exists given these events: a promise once it was made, even if
        an earlier-dated event (a baseline measurement, say) sorts before it."""
        return self.kind != "promise" or self.made is not None


def _visible_streams(state: dict[str, Any], as_of: str, known_at: str) -> dict[str, _Visible]:
    retracted = {event_id for event_id, when in state["retracted"].items() if when <= known_at}
    streams: dict[str, _Visible] = {}
    for item, stream in state["items"].items():
        events = [
            e
            for e in stream["events"]
            if e[6] <= known_at
            and e[5] <= as_of
            and e[1] not in retracted
            and e[2] != "event.retracted"
        ]
        if events:
            events.sort(key=lambda e: (e[4], e[0]))
            visible = _Visible(item, stream["kind"], events)
            if visible.exists:
                streams[item] = visible
    return streams


Inbound = dict[str, list[tuple[str, str, CompactEvent]]]


def link_streams(streams: dict[str, _Visible]) -> Inbound:
    """Index the visible links by target item, and mark items undone by a ``reverses``
    link from an adopted or enacted item."""
    inbound: Inbound = defaultdict(list)
    for stream in streams.values():
        stream.undone_event = stream.own_undone  # reversals come from the links below only
        for event in stream.links:
            if event[8]["to"] in streams:
                inbound[event[8]["to"]].append((stream.item, event[8]["relation"], event))
    for target, links in inbound.items():
        for source_item, relation, _ in links:
            if relation == "reverses" and streams[source_item].level >= 2:
                victim = streams[target]
                if victim.undone_event is None:
                    victim.undone_event = streams[source_item].level_event
    return inbound


def evaluate(state: dict[str, Any], as_of: date, known_at: str) -> list[ItemStatus]:
    """Every item visible at (as_of, known_at), sorted by item id."""
    as_of_text = as_of.isoformat()
    stall_before = (as_of - STALL_AFTER).isoformat()
    streams = _visible_streams(state, as_of_text, known_at)
    inbound = link_streams(streams)
    results = []
    for item in sorted(streams):
        stream = streams[item]
        if stream.kind == "promise":
            status = _promise_status(stream, streams, inbound[item], as_of_text, stall_before)
        else:
            status = _stage_status(stream, stall_before)
        status.contested_reasons = _disagreements(stream, status.status, status.since)
        status.contested = bool(status.contested_reasons)
        results.append(status)
    return results


def _base(stream: _Visible, status: str, cause: CompactEvent | None) -> ItemStatus:
    assessments = stream.assessments
    return ItemStatus(
        item=stream.item,
        kind=stream.kind,
        title=stream.title or stream.item,
        area=stream.area,
        package=stream.package,
        status=status,
        stage=stream.level_event[2] if stream.level_event else stream.events[0][2],
        since=cause[3] if cause else None,
        cause_event=cause[1] if cause else None,
        assessments=[
            {"assessor": a, "verdict": e[8]["verdict"], "document": e[7]}
            for a, e in sorted(assessments.items())
        ],
        events=len(stream.events),
        last_effective=stream.events[-1][3],
    )


def _stage_status(stream: _Visible, stall_before: str) -> ItemStatus:
    if stream.undone_event is not None and stream.max_level >= 2:
        return _base(stream, "reversed", stream.undone_event)
    if stream.level < 3 and stream.last_progress < stall_before:
        last = stream.last_progress or stream.events[0][5]
        return _without_cause(_base(stream, "stalled", None), _stalled_since(last))
    return _base(stream, _LEVEL_STATUS[stream.level], stream.level_event or stream.events[0])


def _stalled_since(last_progress: str) -> str:
    """The first day with no progress in the 12 months before it."""
    return (date.fromisoformat(last_progress) + STALL_AFTER + timedelta(days=1)).isoformat()


def _without_cause(status: ItemStatus, since: str) -> ItemStatus:
    """Overdue and stalled are caused by time passing, not by an event."""
    status.since, status.cause_event = since, None
    return status


def _promise_status(
    stream: _Visible,
    streams: dict[str, _Visible],
    links: list[tuple[str, str, CompactEvent]],
    as_of: str,
    stall_before: str,
) -> ItemStatus:
    made = stream.made
    deadline = made[8].get("deadline")
    target = made[8].get("target")
    scope_cut = None
    for event in stream.revisions:
        deadline = event[8].get("deadline", deadline)
        target = event[8].get("target", target)
        if event[8]["change"] == "scope_cut":
            scope_cut = event
    abandoned, unverifiable = stream.abandoned, stream.unverifiable

    level, cause, partial, last_progress = 0, made, False, stream.last_progress
    implemented_by, reversed_by = [], None
    for source_item, relation, link in links:
        other = streams[source_item]
        if relation == "reverses" and other.level >= 2:
            reversed_by = other.level_event
        if relation not in _IMPLEMENTS:
            continue
        implemented_by.append(source_item)
        last_progress = max(last_progress, other.last_progress, link[5])
        if other.undone_event is not None and other.max_level >= 3:
            reversed_by = other.undone_event
        if other.level > level or (
            other.level == level and level and relation == "implements" and partial
        ):
            level, cause = other.level, other.level_event
            partial = relation == "partially_implements"
    if stream.undone_event is not None:
        reversed_by = stream.undone_event

    target_view = _target_view(target, stream, deadline, as_of) if target else None
    if target_view and target_view["progress"] is not None:
        if target_view["progress"] >= 1 and level < 3:
            level, cause, partial = 3, target_view["event"], False
        elif target_view["progress"] > 0 and level < 1:
            level, cause = 1, target_view["event"]
    deadline_end = date_bounds(deadline)[1].isoformat() if deadline else None
    deadline_passed = deadline_end is not None and deadline_end < as_of

    late = False
    if abandoned:
        status, cause = "broken", abandoned
    elif (
        reversed_by is not None
        and level >= 3
        or (reversed_by is not None and _ever_delivered(links, streams))
    ):
        status, cause = "reversed", reversed_by
    elif level >= 3:
        status = "partial" if partial or scope_cut else "delivered"
        late = bool(deadline_end and cause[4] > deadline_end)
    elif target_view and deadline_passed and 0 < (target_view["progress"] or 0) < 1:
        status, cause = "partial", target_view["event"]
    elif unverifiable:
        status, cause = "unverifiable", unverifiable
    elif deadline_passed:
        status = "overdue"
    elif last_progress < stall_before:
        status = "stalled"
    else:
        status = _LEVEL_STATUS[level]
    result = _base(stream, status, cause)
    if status == "overdue":
        _without_cause(result, (date_bounds(deadline)[1] + timedelta(days=1)).isoformat())
    elif status == "stalled":
        _without_cause(result, _stalled_since(last_progress))
    result.late, result.deadline = late, deadline
    result.implemented_by = sorted(set(implemented_by))
    if target_view:
        result.target = {k: v for k, v in target_view.items() if k != "event"}
    return result


def _ever_delivered(
    links: list[tuple[str, str, CompactEvent]], streams: dict[str, _Visible]
) -> bool:
    return any(rel in _IMPLEMENTS and streams[src].max_level >= 3 for src, rel, _ in links)


def _target_view(
    target: dict[str, Any], stream: _Visible, deadline: str | None, as_of: str
) -> dict[str, Any]:
    """Progress = (latest − baseline) / (goal − baseline), the latest being the measurement
    of the target's metric for the latest period; on track when progress ≥ the share of
    time elapsed from the baseline date to the deadline."""
    measured = stream.latest_measurements.get(target["metric"])
    view: dict[str, Any] = {
        **target,
        "latest": None,
        "latest_period": None,
        "progress": None,
        "on_track": None,
        "event": None,
    }
    if measured is None:
        return view
    latest = measured[1]
    span = target["goal"] - target["baseline"]
    progress = (latest[8]["value"] - target["baseline"]) / span
    view.update(
        latest=latest[8]["value"],
        latest_period=latest[8]["period"],
        progress=round(progress, 4),
        event=latest,
    )
    if deadline:
        start = date_bounds(target["baseline_date"])[0]
        end = date_bounds(deadline)[1]
        total = (end - start).days
        elapsed = (date.fromisoformat(as_of) - start).days
        share = 1.0 if total <= 0 else min(max(elapsed / total, 0.0), 1.0)
        view["on_track"] = progress >= share
    return view


#: How far along a status says an item is: not yet (0), partway (1), done (2). Stalled and
#: overdue say only "not done", so they span both; failure is outside the scale.
_PROGRESS_RANGE = {
    "announced": (0, 0),
    "unverifiable": (0, 0),
    "in_progress": (1, 1),
    "adopted": (1, 1),
    "partial": (1, 1),
    "stalled": (0, 1),
    "overdue": (0, 1),
    "delivered": (2, 2),
}


def _failed(status: str) -> bool:
    return status not in _PROGRESS_RANGE


def _behind(earlier: str, later: str) -> bool:
    """Whether a verdict given later says less progress than one given earlier, or one says
    failure and the other not: a real disagreement, not progress over time."""
    if _failed(earlier) or _failed(later):
        return _failed(earlier) != _failed(later)
    return _PROGRESS_RANGE[later][1] < _PROGRESS_RANGE[earlier][0]


def _differ(one: str, other: str) -> bool:
    """Whether two verdicts given at the same time cannot both be right."""
    if _failed(one) or _failed(other):
        return _failed(one) != _failed(other)
    (low, high), (other_low, other_high) = _PROGRESS_RANGE[one], _PROGRESS_RANGE[other]
    return high < other_low or other_high < low


def _disagreements(stream: _Visible, derived: str, since: str | None) -> list[str]:
    reasons = []
    assessments = sorted(stream.assessments.items(), key=lambda kv: (kv[1][5], kv[0]))
    verdicts = [
        (assessor, event[8]["verdict"], event[5], event[3]) for assessor, event in assessments
    ]
    if any(
        _behind(first, second) if first_day < second_day else _differ(first, second)
        for i, (_, first, first_day, _) in enumerate(verdicts)
        for _, second, second_day, _ in verdicts[i + 1 :]
    ):
        said = "; ".join(f"{a} ({shown}): {v}" for a, v, _, shown in verdicts)
        reasons.append(f"sources' verdicts disagree ({said})")
    reached = _iso_bounds(since)[1] if since else ""
    for assessor, verdict, day, shown in verdicts:
        failure = _failed(verdict) != _failed(derived)
        ahead = behind_after = False
        if not (_failed(verdict) or _failed(derived)):
            ahead = _PROGRESS_RANGE[verdict][0] > _PROGRESS_RANGE[derived][1]
            behind_after = (
                day > reached and _PROGRESS_RANGE[verdict][1] < _PROGRESS_RANGE[derived][0]
            )
        if ahead or behind_after or failure:
            reasons.append(
                f"{assessor}'s verdict ({verdict}, {shown}) differs from the derived status "
                f"({derived} since {since})"
            )
    if len({event[7] for event in stream.events}) < 2:
        return reasons  # one source cannot disagree with itself
    claims: dict[tuple[str, str], dict[tuple[Any, ...], set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for event in stream.events:
        type_, data, document = event[2], event[8], event[7]
        if type_ == "measurement.recorded":
            key = ("measurement", f"{data['metric']} ({data['period']})")
            claim = (data.get("qualifier") or "", data["value"], data.get("unit") or "")
            claims[key][claim].add(document)
        elif type_ in _ONCE:
            claims[("date", type_)][(event[3],)].add(document)
    for (what, name), values in sorted(claims.items()):
        documents = set().union(*values.values())
        if len(values) < 2 or len(documents) < 2:
            continue
        if what == "measurement" and _consistent(list(values)):
            continue
        if what == "date" and _overlapping([text for (text,) in values]):
            continue
        shown = "; ".join(
            f"{_show_claim(value)} per {', '.join(sorted(docs))}"
            for value, docs in sorted(values.items(), key=lambda kv: str(kv[0]))
        )
        noun = "the value of" if what == "measurement" else "the date of"
        reasons.append(f"sources disagree on {noun} {name}: {shown}")
    return reasons


def _overlapping(dates: list[str]) -> bool:
    """Whether dates of different precision can all be true at once ("2019" and "2019-03";
    "2022-01" and "2022-01-02/2022-01-11"): their spans share at least one day."""
    bounds = [_iso_bounds(text) for text in dates]
    return max(start for start, _ in bounds) <= min(end for _, end in bounds)


def _decimals(number: float) -> int:
    text = repr(float(number))
    return 0 if text.endswith(".0") or "e" in text else len(text.partition(".")[2])


def _rounds_to(precise: float, rough: float) -> bool:
    return round(precise, _decimals(rough)) == rough


def _consistent(claims: list[tuple[Any, ...]]) -> bool:
    """Whether claims differ only by rounding ("about 68" and 68.05 agree; 225 and "more
    than 230" do not): same unit, no bound qualifiers, each rounds to the roughest."""
    if len({unit for _, _, unit in claims}) > 1:
        return False
    if any(qualifier not in ("", "about") for qualifier, _, _ in claims):
        return False
    roughest = min((number for _, number, _ in claims), key=_decimals)
    return all(_rounds_to(number, roughest) for _, number, _ in claims)


def _show_claim(value: tuple[Any, ...]) -> str:
    if len(value) == 1:
        return str(value[0])
    qualifier, number, unit = value
    number = f"{number:g}" if isinstance(number, float) else str(number)
    return f"{qualifier.replace('_', ' ')} {number} {unit}".strip()


def status_order(status: str) -> int:
    return PRECEDENCE.index(status)
