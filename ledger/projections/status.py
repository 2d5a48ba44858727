"""The status rules: promised vs delivered, derived from what one cut shows.

``evaluate(view)`` derives every visible item's status from the events ``view`` shows
(see ``ledger.projections.view`` for what is visible). The rules are those of
docs/status-rules.md, versioned as ``METHOD``; the words come from ``taxonomy``. This
module never reads the store and never decides visibility: it only compares the dates
of events it was given with each other, with deadlines and with the as-of date.
"""

from __future__ import annotations

from collections import defaultdict
from copy import copy
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import partial
from itertools import repeat
from operator import attrgetter, ne
from typing import Any

from dateutil.relativedelta import relativedelta

from events import date_bounds
from ledger.projections.folded import FoldedEvent, iso_bounds
from ledger.projections.taxonomy import METHOD, progress_range
from ledger.projections.view import Link, View

__all__ = [
    "GRADE_OF_SOURCE_KIND",
    "LEVELS",
    "STALL_AFTER",
    "Disagreement",
    "ItemFold",
    "ItemStatus",
    "derive",
    "disagreements",
    "elapsed_share",
    "evaluate",
    "fold_items",
    "inbound_links",
    "restate",
]

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
_MEASURED = "measurement.recorded"
#: The key of stated deadlines among sources' claims (method 2 compares them)
_DEADLINE_CLAIM = ("date", "deadline")
#: (what, name) -> claimed value -> the documents that claim it
Claims = dict[tuple[str, str], dict[tuple[Any, ...], set[str]]]
_claimed_values = partial(defaultdict, set)
#: an assessor's latest verdict: assessor, verdict, its end and its effective date
Verdict = tuple[str, str, str, str]
#: one disagreement among claims: what, name, and each value with its documents
Finding = tuple[str, str, list[tuple[str, tuple[str, ...]]]]
_DOCUMENT = attrgetter("document")


_PROGRESS = frozenset(LEVELS) | {
    "promise.made",
    "promise.revised",
    "measurement.recorded",
    "law.amended",
    "law.repealed",
}
_IMPLEMENTS = ("implements", "partially_implements")
#: Method 1 turned 12 months without progress into "stalled"; method 2 shows the same span
#: without evidence as a gap in the ledger's coverage, never as a finding.
STALL_AFTER = relativedelta(months=12)
_STALLS = frozenset({"promise.stalled", "law.stalled", "amendment.stalled"})
#: Event types method 1 did not know; it ignores them, so its figures stay as published.
_SINCE_METHOD_2 = _STALLS | {"promise.deadline_stated", "claim.recorded"}
#: The grade an event gets from its registered source's kind when it states none.
GRADE_OF_SOURCE_KIND = {
    "official": "official",
    "government": "claimed",
    "academic": "reported",
    "think_tank": "reported",
    "news": "reported",
    "other": "reported",
}
_GRADE_ORDER = ("official", "reported", "claimed")


@dataclass
class Disagreement:
    """Why an item is contested: what the sources (or a source and the rules) differ on.

    ``text()`` says it in one sentence; ``name_of`` turns a source document into the name
    a reader should see (the JSON output keeps the document ids).
    """

    #: "verdicts", "verdict_vs_status", "value", "date" or "claim"
    kind: str
    subject: str
    #: (what is claimed, who claims it) pairs, in a stable order
    claims: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    detail: str = ""

    def text(self, name_of: Any = None) -> str:
        def names(documents: tuple[str, ...]) -> str:
            return ", ".join(name_of(d) if name_of else d for d in documents)

        if self.kind == "verdicts":
            said = "; ".join(f"{who} ({when}): {what}" for what, (who, when) in self.claims)
            return f"sources' verdicts disagree ({said})"
        if self.kind == "verdict_vs_status":
            return self.detail
        noun = {"value": "the value of ", "date": "the date of ", "claim": ""}[self.kind]
        shown = "; ".join(f"{what} per {names(documents)}" for what, documents in self.claims)
        return f"sources disagree on {noun}{self.subject}: {shown}"

    @property
    def documents(self) -> tuple[str, ...]:
        if self.kind in ("verdicts", "verdict_vs_status"):
            return ()
        return tuple(sorted({d for _, documents in self.claims for d in documents}))


@dataclass
class ItemStatus:
    """One item's derived state at a cut; ``--json`` prints these fields."""

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
    #: How strong the evidence behind the status is: its best grade and the documents
    #: that give it (None where the status has no event behind it).
    evidence: dict[str, Any] | None = None
    #: Freshness: the date of the latest event about the item (or its implementing items)
    last_evidence: str | None = None
    #: No evidence in the 12 months before the as-of date: a gap in the ledger's coverage.
    evidence_gap: bool = False
    deadline_implied: bool = False

    def __post_init__(self) -> None:
        self.disagreements: list[Disagreement] = []

    def set_disagreements(self, found: list[Disagreement]) -> None:
        self.disagreements = found
        self.contested_reasons = [d.text() for d in found]
        self.contested = bool(found)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ItemFold:
    """One item's visible events, folded into what the rules read.

    A left fold over the events in their (start, position) order, so ``extend`` with
    events that sort after the last one gives what a fresh fold of them all would (the
    series walk relies on it). ``undone_event`` starts as the item's own repeal;
    ``inbound_links`` adds reversals by other items.
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
        "undone_owner",
        "last_progress",
        "made",
        "revisions",
        "abandoned",
        "unverifiable",
        "latest_measurements",
        "assessments",
        "links",
        "stall",
        "last_evidence",
        "deadlines",
        "claims",
        "of_type",
        "several_documents",
        "documents_checked",
        "sources_claims",
        "claims_read",
        "claim_findings",
        "verdicts_found",
    )

    def __init__(self, item: str, kind: str, events: list[FoldedEvent]) -> None:
        self.item, self.kind = item, kind
        self.events: list[FoldedEvent] = []
        self.title: str | None = None
        self.area: str | None = None
        self.package: str | None = None
        self.level, self.max_level = 0, 0
        self.level_event: FoldedEvent | None = None
        self.own_undone: FoldedEvent | None = None
        self.undone_event: FoldedEvent | None = None
        self.undone_owner: ItemFold = self  # the item whose event undid this one
        self.last_progress = ""
        self.made: FoldedEvent | None = None
        self.abandoned: FoldedEvent | None = None
        self.unverifiable: FoldedEvent | None = None
        self.revisions: list[FoldedEvent] = []
        #: metric -> (its measurement of the latest period and that one's key, how many
        #: measurements were read for it), once asked (``latest_measurement``)
        self.latest_measurements: dict[str, tuple[FoldedEvent | None, tuple[str, int], int]] = {}
        self.assessments: dict[str, FoldedEvent] = {}  # each assessor's latest
        self.links: list[FoldedEvent] = []
        self.stall: FoldedEvent | None = None  # the latest statement that work stopped
        self.last_evidence: FoldedEvent | None = None
        self.deadlines: list[FoldedEvent] = []  # events that state a deadline, in order
        self.claims: list[FoldedEvent] = []
        #: each event type's events, in order (the evidence for a cause is among its type's)
        self.of_type: dict[str, list[FoldedEvent]] = {}
        #: whether the first ``documents_checked`` events cite two documents or more (one
        #: source cannot disagree with itself), once asked (``cites_several``)
        self.several_documents = False
        self.documents_checked = 0
        #: what the first ``claims_read`` events claim (``claimed``), once asked
        self.sources_claims: Claims | None = None
        self.claims_read = 0
        #: the disagreements among those claims, per method family (``_claim_findings``),
        #: with how many events they were found over
        self.claim_findings: dict[bool, tuple[int, list[Finding]]] = {}
        #: ``verdicts()`` as found over how many events
        self.verdicts_found: tuple[int, list[Verdict], bool] | None = None
        self.extend(events)

    def extend(self, events: list[FoldedEvent]) -> None:
        # the running values are kept in locals and written back once: this loop runs
        # for every event of every item a status evaluates
        self.events.extend(events)
        last_evidence, last_progress, stall = self.last_evidence, self.last_progress, self.stall
        # "" sorts before every date, so the first event is the latest evidence so far
        evidence_end = last_evidence.end if last_evidence is not None else ""
        level, max_level, level_event = self.level, self.max_level, self.level_event
        deadlines, levels, of_type = self.deadlines, LEVELS, self.of_type
        measured = of_type.setdefault(_MEASURED, [])
        for event in events:
            # one unpacking instead of an attribute look-up per field
            _, _, type_, _, _, end, _, _, data = event
            if end >= evidence_end:
                last_evidence, evidence_end = event, end
            if "deadline" in data:
                deadlines.append(event)
            if type_ == _MEASURED:  # most events of a ledger: their path first and short
                measured.append(event)
                if end > last_progress:
                    last_progress = end
                continue
            same = of_type.get(type_)
            if same is None:
                of_type[type_] = [event]
            else:
                same.append(event)
            if type_ in _NAMING:
                self.title = data.get("title") or self.title
                self.area = data.get("area") or self.area
                self.package = data.get("package") or self.package
            if type_ in _PROGRESS and end > last_progress:
                last_progress = end
            reached = levels.get(type_)
            if reached is not None and reached >= level:
                level, level_event = reached, event
                if reached > max_level:
                    max_level = reached
            elif type_ == "law.repealed":
                self.own_undone = event
            elif type_ == "assessment.recorded":
                self.assessments[data["assessor"]] = event
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
            elif type_ in _STALLS:
                if stall is None or end >= stall.end:
                    stall = event
            elif type_ == "claim.recorded":
                self.claims.append(event)
        self.last_evidence, self.last_progress, self.stall = last_evidence, last_progress, stall
        self.level, self.max_level, self.level_event = level, max_level, level_event
        self.undone_event, self.undone_owner = self.own_undone, self

    def latest_measurement(self, metric: str) -> FoldedEvent | None:
        """The measurement of ``metric`` for the latest period (ties: the later recorded
        event). Only a promise's target reads it, so it is worked out when asked, from the
        measurements added since the last time (the series walk asks at every date)."""
        measured = self.of_type[_MEASURED]
        # ("", -1) sorts before every (period end, position)
        latest, latest_key, read = self.latest_measurements.get(metric, (None, ("", -1), 0))
        if read < len(measured):
            for event in measured[read:]:
                if event.data["metric"] == metric:
                    key = (iso_bounds(event.data["period"])[1], event.position)
                    if key > latest_key:
                        latest, latest_key = event, key
            self.latest_measurements[metric] = (latest, latest_key, len(measured))
        return latest

    def cites_several(self) -> bool:
        """Whether the events cite two documents or more, read when asked from the events
        added since the last time (the series walk asks at every date)."""
        events = self.events
        if not self.several_documents and self.documents_checked < len(events):
            first = events[0].document  # the events checked so far all cite this one
            # ``ne`` mapped over the documents: the comparisons run without a Python frame
            documents = map(_DOCUMENT, events[self.documents_checked :])
            self.several_documents = any(map(ne, repeat(first), documents))
            self.documents_checked = len(events)
        return self.several_documents

    def claimed(self) -> Claims:
        """What the sources claim about the item: (what, name) -> claimed value -> the
        documents that claim it, every method's keys together (``_claim_findings`` leaves
        out those method 1 does not know). Read when asked from the events added since the
        last time, in their order, so it equals what one pass over all of them gives."""
        claims, events = self.sources_claims, self.events
        if claims is None:
            claims = self.sources_claims = defaultdict(_claimed_values)
        for event in events[self.claims_read :]:
            type_, data, document = event.type, event.data, event.document
            if type_ == _MEASURED:
                key = ("value", f"{data['metric']} ({data['period']})")
                claim = (data.get("qualifier") or "", data["value"], data.get("unit") or "")
                claims[key][claim].add(document)
            elif type_ in _ONCE:
                claims[("date", type_)][(event.effective,)].add(document)
            elif type_ == "claim.recorded":
                key = ("claim", data["attribute"].replace("_", " "))
                value = data["value"]
                if isinstance(value, str):
                    claims[key][(" ".join(value.casefold().split()),)].add(document)
                else:
                    claims[key][(data.get("qualifier") or "", value, data.get("unit") or "")].add(
                        document
                    )
            if "deadline" in data and type_.startswith("promise."):
                claims[_DEADLINE_CLAIM][(data["deadline"],)].add(document)
        self.claims_read = len(events)
        return claims

    def verdicts(self) -> tuple[list[Verdict], bool]:
        """Each assessor's latest verdict as (assessor, verdict, end, effective date), by
        end then assessor, and whether two of them cannot both be right. They depend on
        the events alone: found again only when there are new ones."""
        found = self.verdicts_found
        if found is not None and found[0] == len(self.events):
            return found[1], found[2]
        assessments = sorted(self.assessments.items(), key=lambda kv: (kv[1].end, kv[0]))
        verdicts = [(a, e.data["verdict"], e.end, e.effective) for a, e in assessments]
        differ = len(verdicts) > 1 and any(
            _behind(first, second) if first_day < second_day else _differ(first, second)
            for i, (_, first, first_day, _) in enumerate(verdicts)
            for _, second, second_day, _ in verdicts[i + 1 :]
        )
        self.verdicts_found = (len(self.events), verdicts, differ)
        return verdicts, differ

    @property
    def exists(self) -> bool:
        """Whether the item exists given these events: a promise once it was made, even if
        an earlier-dated event (a baseline measurement, say) sorts before it."""
        return self.kind != "promise" or self.made is not None


def fold_items(view: View) -> dict[str, ItemFold]:
    """Every item that exists at the view's cut, folded."""
    folds = {}
    for item, events in view.streams.items():
        fold = ItemFold(item, view.kinds[item], events)
        if fold.exists:
            folds[item] = fold
    return folds


Inbound = dict[str, list[Link]]


def inbound_links(folds: dict[str, ItemFold]) -> Inbound:
    """Index the links between existing items by target, and mark items undone by a
    ``reverses`` link from an adopted or enacted item."""
    inbound: Inbound = defaultdict(list)
    for fold in folds.values():
        # reversals come from the links below only
        fold.undone_event, fold.undone_owner = fold.own_undone, fold
        for event in fold.links:
            if event.data["to"] in folds:
                link = Link(fold.item, event.data["relation"], event.data["to"], event)
                inbound[link.target].append(link)
    for target, links in inbound.items():
        for link in links:
            if link.relation == "reverses" and folds[link.source].level >= 2:
                victim = folds[target]
                if victim.undone_event is None:
                    victim.undone_event = folds[link.source].level_event
                    victim.undone_owner = folds[link.source]
    return inbound


def evaluate(view: View, method: str = METHOD) -> list[ItemStatus]:
    """Every item that exists at the view's cut, sorted by item id, by ``method``'s rules."""
    rules = Rules(
        view.cut.day, (view.cut.as_of - STALL_AFTER).isoformat(), method, view.source_kinds
    )
    folds = fold_items(view)
    inbound = inbound_links(folds)
    return [
        derive(folds[item], folds, inbound.get(item, []), rules, full=True)
        for item in sorted(folds)
    ]


@dataclass(frozen=True, slots=True)
class Rules:
    """What the rules need besides the events: the as-of date (and the day 12 months
    before it), the method, and each registered source's kind (for evidence grades)."""

    as_of: str
    twelve_months_before: str
    method: str = METHOD
    source_kinds: dict[str, str] = field(default_factory=dict)

    @property
    def by_silence(self) -> bool:
        """Whether 12 months without progress make an item stalled (method 1 only)."""
        return self.method == "reform-ledger/1"

    def grade(self, event: FoldedEvent) -> str | None:
        given = event.data.get("grade")
        if given:
            return given
        return GRADE_OF_SOURCE_KIND.get(self.source_kinds.get(event.document or "", ""))


def derive(
    fold: ItemFold,
    folds: dict[str, ItemFold],
    links: list[Link],
    rules: Rules,
    *,
    full: bool,
) -> ItemStatus:
    """One item's status; ``full`` adds the contested flags (the series walk skips them
    at dates that only count statuses)."""
    if fold.kind == "promise":
        status, cause, owner, evidence_from = _promise_status(fold, folds, links, rules)
        latest = fold.last_evidence
        if len(evidence_from) > 1:  # and its implementing items'
            latest = max(
                (f.last_evidence for f in evidence_from if f.last_evidence is not None),
                key=lambda e: e.end,
            )
    else:
        status, cause, owner = _stage_status(fold, rules)
        latest = fold.last_evidence  # a visible item has an event
        assert latest is not None
    status.evidence = _evidence(cause, owner, rules) if cause is not None else None
    status.last_evidence = latest.effective
    status.evidence_gap = latest.end < rules.twelve_months_before
    if full:
        status.set_disagreements(disagreements(fold, status.status, status.since, rules))
    return status


def restate(status: ItemStatus, rules: Rules) -> ItemStatus:
    """What ``derive`` gives at ``rules``' as-of date, from ``status`` as it gave it (with
    the same ``full``) at an earlier one, when only time passed between them: no new event,
    no deadline passed that the status waits on, and by method 1 (whose stall test reads
    the date) the 12-month window crossed no event date.

    Then the rules decide the same; what still reads the as-of date is freshness (the
    window may have passed the latest evidence) and a target's share of elapsed time and
    on-track verdict. ``status`` itself when neither moved; else a copy that shares the
    rest of its values (results are treated as frozen).
    """
    assert status.last_evidence is not None  # every derived status has evidence
    gap = iso_bounds(status.last_evidence)[1] < rules.twelve_months_before
    target = status.target
    if target is not None and status.kind == "promise":
        elapsed = elapsed_share(target, status.deadline, rules.as_of)
        on_track = None
        if target["latest"] is not None and elapsed is not None:
            progress = (target["latest"] - target["baseline"]) / (
                target["goal"] - target["baseline"]
            )
            on_track = progress >= elapsed
        if elapsed != target["elapsed"] or on_track != target["on_track"]:
            target = {**target, "elapsed": elapsed, "on_track": on_track}
    if gap == status.evidence_gap and target is status.target:
        return status
    moved = copy(status)  # keeps its disagreements
    moved.evidence_gap, moved.target = gap, target
    return moved


def _evidence(cause: FoldedEvent, owner: ItemFold, rules: Rules) -> dict[str, Any]:
    """Every event of the owner that says the same as the cause, by its best grade."""
    if cause.type == _MEASURED:
        metric, period = cause.data["metric"], cause.data["period"]
        same = [
            e
            for e in owner.of_type[_MEASURED]
            if e.data["metric"] == metric and e.data["period"] == period
        ]
    elif "deadline" in cause.data and cause.type.startswith("promise."):
        same = [e for e in owner.deadlines if e.data["deadline"] == cause.data["deadline"]]
    else:
        same = owner.of_type.get(cause.type, [])
    graded: dict[str, set[str]] = {}
    for event in same:
        grade, document = rules.grade(event) or "", event.document or ""
        if grade in graded:
            graded[grade].add(document)
        else:
            graded[grade] = {document}
    for best in _GRADE_ORDER:
        if best in graded:
            return {"grade": best, "sources": sorted(graded[best])}
    return {"grade": None, "sources": sorted(graded.get("", ()))}


def _base(fold: ItemFold, status: str, cause: FoldedEvent | None) -> ItemStatus:
    return ItemStatus(
        item=fold.item,
        kind=fold.kind,
        title=fold.title or fold.item,
        area=fold.area,
        package=fold.package,
        status=status,
        stage=fold.level_event.type if fold.level_event else fold.events[0].type,
        since=cause.effective if cause else None,
        cause_event=cause.id if cause else None,
        assessments=[
            {"assessor": a, "verdict": e.data["verdict"], "document": e.document}
            for a, e in sorted(fold.assessments.items())
        ],
        events=len(fold.events),
        last_effective=fold.events[-1].effective,
    )


def _stage_status(fold: ItemFold, rules: Rules) -> tuple[ItemStatus, FoldedEvent | None, ItemFold]:
    """The stage item's status, its cause (None when time passing caused it) and the fold
    the cause belongs to."""
    if fold.undone_event is not None and fold.max_level >= 2:
        return _base(fold, "reversed", fold.undone_event), fold.undone_event, fold.undone_owner
    if fold.level < 3 and rules.by_silence and fold.last_progress < rules.twelve_months_before:
        last = fold.last_progress or fold.events[0].end
        return _without_cause(_base(fold, "stalled", None), _stalled_since(last)), None, fold
    if fold.level < 3 and not rules.by_silence and _stopped(fold.stall, fold.last_progress):
        return _base(fold, "stalled", fold.stall), fold.stall, fold
    cause = fold.level_event or fold.events[0]
    return _base(fold, _LEVEL_STATUS[fold.level], cause), cause, fold


def _stopped(stall: FoldedEvent | None, last_progress: str) -> bool:
    """Whether a source said the work stopped after its latest step (method 2)."""
    return stall is not None and stall.end > last_progress


def _stalled_since(last_progress: str) -> str:
    """The first day with no progress in the 12 months before it."""
    return (date.fromisoformat(last_progress) + STALL_AFTER + timedelta(days=1)).isoformat()


def _without_cause(status: ItemStatus, since: str) -> ItemStatus:
    """Under method 1, overdue and stalled are caused by time passing, not by an event."""
    status.since, status.cause_event = since, None
    return status


def _deadline(fold: ItemFold, rules: Rules) -> tuple[str | None, FoldedEvent | None, Any]:
    """The promise's deadline, the event that states it, and its target.

    Method 1 reads the promise and its revisions; method 2 also deadlines that a source
    states or implies later (``promise.deadline_stated``). The latest statement wins.
    """
    made = fold.made
    assert made is not None  # only existing promises are derived
    deadline, stated_by, target = made.data.get("deadline"), made, made.data.get("target")
    for event in fold.revisions:
        target = event.data.get("target", target)
    for event in fold.deadlines:
        if event.type == "promise.deadline_stated" and rules.by_silence:
            continue
        deadline, stated_by = event.data["deadline"], event
    return deadline, (stated_by if deadline else None), target


def _promise_status(
    fold: ItemFold, folds: dict[str, ItemFold], links: list[Link], rules: Rules
) -> tuple[ItemStatus, FoldedEvent | None, ItemFold, list[ItemFold]]:
    """The promise's status, its cause (None when time passing caused it), the fold the
    cause belongs to, and the folds whose events are evidence about it (its own and its
    implementing items')."""
    as_of = rules.as_of
    made = fold.made
    assert made is not None
    deadline, deadline_event, target = _deadline(fold, rules)
    scope_cut = (
        next((e for e in fold.revisions if e.data["change"] == "scope_cut"), None)
        if fold.revisions
        else None
    )
    abandoned, unverifiable = fold.abandoned, fold.unverifiable

    level, cause, owner, partial = 0, made, fold, False
    last_progress, stall, stall_owner = fold.last_progress, fold.stall, fold
    implemented_by, reversed_by, reversed_owner = [], None, fold
    evidence_from = [fold]
    for link in links:
        other = folds[link.source]
        if link.relation == "reverses" and other.level >= 2:
            reversed_by, reversed_owner = other.level_event, other
        if link.relation not in _IMPLEMENTS:
            continue
        implemented_by.append(link.source)
        evidence_from.append(other)
        last_progress = max(last_progress, other.last_progress, link.event.end)
        if other.stall is not None and (stall is None or other.stall.end >= stall.end):
            stall, stall_owner = other.stall, other
        if other.undone_event is not None and other.max_level >= 3:
            reversed_by, reversed_owner = other.undone_event, other.undone_owner
        if other.level > level or (
            other.level == level and level and link.relation == "implements" and partial
        ):
            level, cause, owner = other.level, other.level_event, other
            partial = link.relation == "partially_implements"
    if fold.undone_event is not None:
        reversed_by, reversed_owner = fold.undone_event, fold.undone_owner

    target_view = _target_view(target, fold, deadline, as_of) if target else None
    if target_view and target_view["progress"] is not None:
        if target_view["progress"] >= 1 and level < 3:
            level, cause, owner, partial = 3, target_view["event"], fold, False
        elif target_view["progress"] > 0 and level < 1:
            level, cause, owner = 1, target_view["event"], fold
    deadline_end = iso_bounds(deadline)[1] if deadline else None
    deadline_passed = deadline_end is not None and deadline_end < as_of

    late = False
    if abandoned:
        status, cause, owner = "broken", abandoned, fold
    elif (
        reversed_by is not None
        and level >= 3
        or (reversed_by is not None and _ever_delivered(links, folds))
    ):
        status, cause, owner = "reversed", reversed_by, reversed_owner
    elif level >= 3:
        status = "partial" if partial or scope_cut else "delivered"
        late = bool(deadline_end and cause.start > deadline_end)
    elif target_view and deadline_passed and 0 < (target_view["progress"] or 0) < 1:
        status, cause, owner = "partial", target_view["event"], fold
    elif unverifiable:
        status, cause, owner = "unverifiable", unverifiable, fold
    elif deadline_passed:
        status, cause, owner = "overdue", deadline_event, fold
    elif rules.by_silence and last_progress < rules.twelve_months_before:
        status = "stalled"
    elif not rules.by_silence and _stopped(stall, last_progress):
        status, cause, owner = "stalled", stall, stall_owner
    else:
        status = _LEVEL_STATUS[level]
    result = _base(fold, status, cause)
    if status == "overdue":
        day_after = (date_bounds(deadline)[1] + timedelta(days=1)).isoformat()
        if rules.by_silence:
            _without_cause(result, day_after)
        else:  # the finding names the event that set the deadline; it dates from the day after
            result.since = day_after
    elif status == "stalled" and rules.by_silence:
        _without_cause(result, _stalled_since(last_progress))
    result.late, result.deadline = late, deadline
    result.deadline_implied = bool(deadline_event and deadline_event.data.get("implied"))
    result.implemented_by = sorted(set(implemented_by))
    if target_view:
        result.target = {k: v for k, v in target_view.items() if k != "event"}
    return result, (cause if result.cause_event is not None else None), owner, evidence_from


def _ever_delivered(links: list[Link], folds: dict[str, ItemFold]) -> bool:
    return any(link.relation in _IMPLEMENTS and folds[link.source].max_level >= 3 for link in links)


def elapsed_share(target: dict[str, Any], deadline: str | None, as_of: str) -> float | None:
    """The share of time gone from the target's baseline date to the deadline's end."""
    if not deadline:
        return None
    start = date_bounds(target["baseline_date"])[0]
    total = (date_bounds(deadline)[1] - start).days
    if total <= 0:
        return 1.0
    return min(max((date.fromisoformat(as_of) - start).days / total, 0.0), 1.0)


def _target_view(
    target: dict[str, Any], fold: ItemFold, deadline: str | None, as_of: str
) -> dict[str, Any]:
    """Progress = (latest − baseline) / (goal − baseline), the latest being the measurement
    of the target's metric for the latest period; on track when progress ≥ the share of
    time elapsed from the baseline date to the deadline."""
    latest = fold.latest_measurement(target["metric"])
    view: dict[str, Any] = {
        **target,
        "latest": None,
        "latest_period": None,
        "progress": None,
        "on_track": None,
        "elapsed": elapsed_share(target, deadline, as_of),
        "event": None,
    }
    if latest is None:
        return view
    span = target["goal"] - target["baseline"]
    progress = (latest.data["value"] - target["baseline"]) / span
    view.update(
        latest=latest.data["value"],
        latest_period=latest.data["period"],
        progress=round(progress, 4),
        event=latest,
    )
    if view["elapsed"] is not None:
        view["on_track"] = progress >= view["elapsed"]
    return view


# -- disagreements ------------------------------------------------------------------------
def _behind(earlier: str, later: str) -> bool:
    """Whether a verdict given later says less progress than one given earlier, or one says
    failure and the other not: a real disagreement, not progress over time."""
    first, second = progress_range(earlier), progress_range(later)
    if first is None or second is None:
        return (first is None) != (second is None)
    return second[1] < first[0]


def _differ(one: str, other: str) -> bool:
    """Whether two verdicts given at the same time cannot both be right."""
    first, second = progress_range(one), progress_range(other)
    if first is None or second is None:
        return (first is None) != (second is None)
    return first[1] < second[0] or second[1] < first[0]


def disagreements(
    fold: ItemFold, derived: str, since: str | None, rules: Rules | None = None
) -> list[Disagreement]:
    """Why the item is contested at this cut; empty when it is not.

    Method 2 adds sources' claims (``claim.recorded``) and stated deadlines: two claims on
    one attribute that cannot both be true are a disagreement like two numbers or dates.
    """
    found = []
    verdicts, differ = fold.verdicts()
    if differ:
        claims = [(verdict, (assessor, shown)) for assessor, verdict, _, shown in verdicts]
        found.append(Disagreement("verdicts", "verdict", claims))
    reached = iso_bounds(since)[1] if since else ""
    derived_range = progress_range(derived)
    for assessor, verdict, day, shown in verdicts:
        said = progress_range(verdict)
        failure = (said is None) != (derived_range is None)
        ahead = behind_after = False
        if said is not None and derived_range is not None:
            ahead = said[0] > derived_range[1]
            behind_after = day > reached and said[1] < derived_range[0]
        if ahead or behind_after or failure:
            detail = (
                f"{assessor}'s verdict ({verdict}, {shown}) differs from the derived status "
                f"({derived} since {since})"
            )
            found.append(Disagreement("verdict_vs_status", assessor, detail=detail))
    if not fold.cites_several():
        return found  # one source cannot disagree with itself
    found.extend(
        Disagreement(what, name, list(shown)) for what, name, shown in _claim_findings(fold, rules)
    )
    return found


def _claim_findings(fold: ItemFold, rules: Rules | None = None) -> list[Finding]:
    """The claims of the fold's events that cannot all be true, as (what, name, each value
    shown with the documents that claim it), by (what, name). Method 2 compares sources'
    claims (``claim.recorded``) and stated deadlines too.

    They depend on the events alone, so they are found again only when the fold has new
    events (the series walk asks at every date it re-derives the item).
    """
    compare_claims = rules is not None and not rules.by_silence
    count = len(fold.events)
    kept = fold.claim_findings.get(compare_claims)
    if kept is not None and kept[0] == count:
        return kept[1]
    found: list[Finding] = []
    for (what, name), values in sorted(fold.claimed().items()):
        if not compare_claims and (what == "claim" or (what, name) == _DEADLINE_CLAIM):
            continue  # method 1 did not know them
        documents = set().union(*values.values())
        if len(values) < 2 or len(documents) < 2:
            continue
        if _compatible(what, name, list(values)):
            continue
        shown = [
            (_show_claim(value), tuple(sorted(docs)))
            for value, docs in sorted(values.items(), key=lambda kv: str(kv[0]))
        ]
        found.append((what, name, shown))
    fold.claim_findings[compare_claims] = (count, found)
    return found


def _compatible(what: str, name: str, values: list[tuple[Any, ...]]) -> bool:
    """Whether different claims can all be true: numbers that differ only by rounding,
    dates whose spans overlap; texts only when equal (they were normalised already)."""
    if all(len(value) == 3 for value in values):
        return _consistent(values)
    if what == "date" or name.endswith("date"):
        texts = [value[0] for value in values if len(value) == 1]
        try:
            return len(texts) == len(values) and _overlapping(texts)
        except ValueError:
            return False
    return False


def _overlapping(dates: list[str]) -> bool:
    """Whether dates of different precision can all be true at once ("2019" and "2019-03";
    "2022-01" and "2022-01-02/2022-01-11"): their spans share at least one day."""
    bounds = [iso_bounds(text) for text in dates]
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
