"""The report context: everything a period's report says, computed from the projections.

``build_context`` turns a ledger snapshot and the status projection evaluated at the
needed dates into plain data (strings, numbers, lists of small records). Both the
Markdown and the HTML template receive this one context, so the two formats never
disagree, and neither template queries anything. Every list is sorted here; nothing
depends on dict order, locale or the clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ledger import Cut, ItemStatus, Record, RecordView, describe, meaning
from ledger.mapper import GENESIS_HASH
from reports.charts import ProgressBar, StackedChart, progress_bar, stacked_bars
from reports.periods import Period
from reports.snapshot import Snapshot
from reports.wording import (
    KIND_WORDS,
    SOURCE_KIND_WORDS,
    STATUS_COLOURS,
    STATUS_ORDER,
    STATUS_WORDS,
    status_word,
    target_verdict,
)

__all__ = ["ReportContext", "TargetRow", "build_context", "target_row"]

_OTHER_KINDS = ("law", "amendment", "milestone")


@dataclass(frozen=True)
class Source:
    """A cited source as readers see it: named by its registered titles, never its id."""

    ref: str
    anchor: str
    title: str
    label: str
    byline: str
    kind: str
    published: str
    url: str | None
    registered: bool
    cited: int


@dataclass(frozen=True)
class Citation:
    ref: str
    anchor: str
    locator: str
    quote: str
    label: str = ""
    url: str | None = None


@dataclass(frozen=True)
class ScoreRow:
    key: str
    word: str
    meaning: str
    colour: str
    promises: int
    promises_change: str
    others: int
    others_change: str


@dataclass(frozen=True)
class Transition:
    item: str
    title: str
    before: str
    after: str
    after_key: str
    cause: str
    cause_date: str
    citation: Citation | None


@dataclass(frozen=True)
class NewEvent:
    date: str
    item: str
    title: str
    what: str
    citation: Citation


@dataclass(frozen=True)
class ItemRow:
    item: str
    title: str
    kind: str
    status: str
    status_key: str
    since: str
    deadline: str
    latest: str


@dataclass(frozen=True)
class TargetRow:
    item: str
    title: str
    metric: str
    baseline: str
    latest: str
    goal: str
    deadline: str
    progress: str
    elapsed: str
    verdict: str
    bar: ProgressBar


@dataclass(frozen=True)
class Verdict:
    assessor: str
    verdict: str
    date: str
    rationale: str
    citation: Citation


@dataclass(frozen=True)
class Contested:
    item: str
    title: str
    status: str
    reasons: list[str]
    verdicts: list[Verdict]


@dataclass(frozen=True)
class Group:
    name: str
    anchor: str
    summary: str
    rows: list[ItemRow]


@dataclass(frozen=True)
class TimelineEntry:
    date: str
    what: str
    citation: Citation
    note: str


@dataclass(frozen=True)
class Timeline:
    item: str
    anchor: str
    title: str
    kind: str
    status: str
    entries: list[TimelineEntry]


@dataclass(frozen=True)
class HistoryRow:
    period: str
    counts: list[int]
    total: int


@dataclass
class ReportContext:
    """What one period's report says; the templates only lay it out."""

    period: str
    period_label: str
    period_end: str
    kind: str
    previous: str
    previous_as_of: str
    as_of: str
    known_at: str
    known_at_note: str
    known_at_given: bool
    digest: str
    method: str
    promises: int
    delivered_line: str
    score: list[ScoreRow]
    score_total: ScoreRow
    history_columns: list[str]
    history: list[HistoryRow]
    chart: StackedChart
    transitions: list[Transition]
    new_events: list[NewEvent]
    overdue: list[ItemRow]
    targets: list[TargetRow]
    contested: list[Contested]
    areas: list[Group]
    packages: list[Group]
    timelines: list[Timeline]
    sources: list[Source]
    legend: list[tuple[str, str]] = field(default_factory=list)


# -- helpers ----------------------------------------------------------------------------
def _change(now: int, before: int) -> str:
    delta = now - before
    return f"+{delta}" if delta > 0 else str(delta) if delta < 0 else "0"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"
    return f"{text} {unit}".strip()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


class _Sources:
    """Numbers the documents a report cites, in order of first citation in the ledger, and
    names each by what the ledger registered about it as known at ``known_at``."""

    def __init__(self, snapshot: Snapshot, cited: list[Record], known_at: str) -> None:
        first: dict[str, Record] = {}
        counts: Counter[str] = Counter()
        for record in cited:
            document = record.source.get("document", "")
            counts[document] += 1
            if document not in first or record.position < first[document].position:
                first[document] = record
        ordered = sorted(first, key=lambda d: (first[d].position, d))
        self.refs = {document: f"S{index}" for index, document in enumerate(ordered, start=1)}
        registry = self.registry = snapshot.registry(known_at)
        self.sources = []
        self.by_document: dict[str, Source] = {}
        for document in ordered:
            info = registry.get(document)
            ref = self.refs[document]
            if info is not None:
                kind = SOURCE_KIND_WORDS.get(info.kind, info.kind)
                named = (info.title, info.label, info.byline, kind, info.published, info.url)
            else:  # an older ledger's event citing a document never registered
                missing = f"{document} (not registered)"
                published = first[document].source.get("published") or "not given"
                named = (missing, missing, "", "", published, None)
            source = Source(
                ref, ref.lower(), *named, registered=info is not None, cited=counts[document]
            )
            self.sources.append(source)
            self.by_document[document] = source

    def name_of(self, document: str) -> str:
        """How a reader should see a document named: its short title, not its file name."""
        return self.registry.label(document)

    def cite(self, record: Record) -> Citation:
        source = self.by_document[record.source.get("document", "")]
        return Citation(
            source.ref,
            source.anchor,
            record.source.get("locator", ""),
            record.source["quote"],
            source.label,
            source.url,
        )


def _item_row(status: ItemStatus) -> ItemRow:
    late = " (late)" if status.late else ""
    return ItemRow(
        item=status.item,
        title=status.title,
        kind=KIND_WORDS.get(status.kind, status.kind),
        status=status_word(status.status) + late,
        status_key=status.status,
        since=_since(status),
        deadline=status.deadline or "—",
        latest=status.last_effective or "—",
    )


def _since(status: ItemStatus) -> str:
    """When the item reached its status; time, not an event, makes a status overdue."""
    if status.status == "overdue":
        return f"after {status.deadline}"
    if status.status == "stalled" and status.cause_event is None:
        return "—"  # method 1: a clock, not an event
    return status.since or "—"


def _counts(statuses: list[ItemStatus], promises: bool) -> Counter[str]:
    return Counter(s.status for s in statuses if (s.kind == "promise") == promises)


# -- the builder ------------------------------------------------------------------------
def build_context(
    snapshot: Snapshot,
    period: Period,
    *,
    as_of: date,
    known_at: str | None,
    evaluated_known_at: str,
    series: dict[date, list[ItemStatus]],
    chart_periods: list[Period],
    method: str,
) -> ReportContext:
    """The context of ``period``'s report; ``series`` holds the status at ``as_of``, at
    the previous period's end and at the end of every period in ``chart_periods``."""
    as_of_text = as_of.isoformat()
    previous = period.previous()
    now = series[as_of]
    before = series[previous.end]
    seen = snapshot.records_at(Cut(as_of, evaluated_known_at))
    head = seen.head
    digest = f"{head.position}:{head.hash}" if head else f"0:{GENESIS_HASH}"
    if known_at is not None:
        stated_known_at, note = known_at, "as requested"
    elif head is not None:
        stated_known_at, note = head.recorded_at, "when the newest event included was recorded"
    else:
        stated_known_at, note = "—", "the ledger held no event for this period"

    shown = {s.item for s in now}
    cited = [r for item in sorted(shown) for r in seen.per_item.get(item, [])]
    sources = _Sources(snapshot, cited, evaluated_known_at)

    promises_now, others_now = _counts(now, True), _counts(now, False)
    promises_before, others_before = _counts(before, True), _counts(before, False)
    score = [
        ScoreRow(
            key,
            STATUS_WORDS[key][0],
            meaning(key, method),
            STATUS_COLOURS[key],
            promises_now[key],
            _change(promises_now[key], promises_before[key]),
            others_now[key],
            _change(others_now[key], others_before[key]),
        )
        for key in STATUS_ORDER
    ]
    total_p, total_o = sum(promises_now.values()), sum(others_now.values())
    before_p, before_o = sum(promises_before.values()), sum(others_before.values())
    score_total = ScoreRow(
        "total",
        "All items",
        "",
        "",
        total_p,
        _change(total_p, before_p),
        total_o,
        _change(total_o, before_o),
    )
    delivered, delivered_before = promises_now["delivered"], promises_before["delivered"]
    late = sum(1 for s in now if s.kind == "promise" and s.status == "delivered" and s.late)
    delivered_line = (
        f"{delivered} of {total_p} promises delivered ({_percent(delivered, total_p)})"
        + (f", {late} of them late" if late else "")
        + f"; at the end of {previous.name}: {delivered_before} of {before_p}"
        + f" ({_percent(delivered_before, before_p)})"
    )

    history_counts = [_counts(series[p.end], True) for p in chart_periods]
    present = list(STATUS_ORDER)  # every column always, so the table diffs row by row
    history = [
        HistoryRow(p.name, [c[k] for k in present], sum(c.values()))
        for p, c in zip(chart_periods, history_counts, strict=True)
    ]
    chart = stacked_bars(
        [p.name for p in chart_periods],
        [dict(c) for c in history_counts],
        STATUS_ORDER,
        {k: v[0] for k, v in STATUS_WORDS.items()},
        STATUS_COLOURS,
    )

    by_item_before = {s.item: s for s in before}
    transitions = []
    for status in now:
        old = by_item_before.get(status.item)
        if old is not None and old.status == status.status:
            continue
        transitions.append(_transition(status, old, snapshot, sources))

    titles = {s.item: s.title for s in now}
    new_events = [
        NewEvent(r.effective, r.item, titles.get(r.item, r.item), describe(r), sources.cite(r))
        for r in seen.happened_since(period.start, sorted(shown))
    ]

    overdue = [
        _item_row(s)
        for s in sorted(now, key=lambda s: (STATUS_ORDER.index(s.status), s.item))
        if s.status in ("overdue", "stalled")
    ]
    targets = [target_row(s) for s in now if s.kind == "promise" and s.target]
    contested = [_contested(s, seen, sources) for s in now if s.contested]
    return ReportContext(
        period=period.name,
        period_label=period.label,
        period_end=period.end.isoformat(),
        kind=period.kind,
        previous=previous.name,
        previous_as_of=previous.end.isoformat(),
        as_of=as_of_text,
        known_at=stated_known_at,
        known_at_note=note,
        known_at_given=known_at is not None,
        digest=digest,
        method=method,
        promises=total_p,
        delivered_line=delivered_line,
        score=score,
        score_total=score_total,
        history_columns=[STATUS_WORDS[k][0] for k in present],
        history=history,
        chart=chart,
        transitions=transitions,
        new_events=new_events,
        overdue=overdue,
        targets=targets,
        contested=contested,
        areas=_groups(now, "area", "No area given"),
        packages=_groups(now, "package", "Not part of a named reform package"),
        timelines=[_timeline(s, seen, sources) for s in now],
        sources=sources.sources,
        legend=[
            (STATUS_WORDS[k][0], STATUS_COLOURS[k])
            for k in STATUS_ORDER
            if any(c[k] for c in history_counts)
        ],
    )


def _transition(
    status: ItemStatus, old: ItemStatus | None, snapshot: Snapshot, sources: _Sources
) -> Transition:
    after = status_word(status.status) + (" (late)" if status.late else "")
    before = status_word(old.status) if old else "not yet tracked"
    citation = None
    cause_date = ""
    record = snapshot.by_id.get(status.cause_event or "")
    if status.status == "overdue":
        cause = f"the deadline ({status.deadline}) passed without delivery"
    elif status.status == "stalled" and record is None:  # method 1's clock
        cause = f"no progress for 12 months (latest event {status.last_effective})"
    elif record is None:
        cause = "—"
    else:
        cause, cause_date = describe(record), record.effective
    if record is not None and record.source.get("document") in sources.refs:
        citation = sources.cite(record)
    return Transition(
        status.item, status.title, before, after, status.status, cause, cause_date, citation
    )


def target_row(status: ItemStatus, *, day: Callable[[str], str] = str) -> TargetRow:
    """A promise's target in words; ``day`` writes its dates (the site writes them as
    people do)."""
    target = status.target or {}
    unit = target.get("unit", "")
    progress = target.get("progress")
    elapsed, on_track = target.get("elapsed"), target.get("on_track")
    latest = _number(target.get("latest"), unit)
    if target.get("latest_period"):
        latest += f" ({day(target['latest_period'])})"
    return TargetRow(
        item=status.item,
        title=status.title,
        metric=target.get("metric", ""),
        baseline=f"{_number(target.get('baseline'), unit)} ({day(target['baseline_date'])})",
        latest=latest,
        goal=_number(target.get("goal"), unit),
        deadline=day(status.deadline) if status.deadline else "none",
        progress="—" if progress is None else f"{100 * progress:.0f}%",
        elapsed="—" if elapsed is None else f"{100 * elapsed:.0f}%",
        verdict=target_verdict(progress, on_track),
        bar=progress_bar(progress, elapsed, on_track),
    )


def _contested(status: ItemStatus, seen: RecordView, sources: _Sources) -> Contested:
    latest: dict[str, Record] = {}
    for record in seen.per_item.get(status.item, []):
        if record.type == "assessment.recorded" and seen.retraction_of(record) is None:
            latest[record.data["assessor"]] = record
    verdicts = [
        Verdict(
            assessor=assessor,
            verdict=status_word(record.data["verdict"]),
            date=record.effective,
            rationale=record.data["rationale"],
            citation=sources.cite(record),
        )
        for assessor, record in sorted(latest.items())
    ]
    return Contested(
        status.item,
        status.title,
        status_word(status.status),
        sorted(d.text(sources.name_of) for d in status.disagreements),
        verdicts,
    )


def _groups(statuses: list[ItemStatus], attribute: str, missing: str) -> list[Group]:
    grouped: dict[str, list[ItemStatus]] = defaultdict(list)
    for status in statuses:
        grouped[getattr(status, attribute) or ""].append(status)
    names = sorted(name for name in grouped if name) + ([""] if "" in grouped else [])
    groups = []
    for index, name in enumerate(names, start=1):
        members = grouped[name]
        promises = [s for s in members if s.kind == "promise"]
        delivered = sum(1 for s in promises if s.status == "delivered")
        summary = (
            f"{name or missing}: {_plural(len(members), 'item')} "
            f"({_plural(len(promises), 'promise')}, {delivered} delivered)"
        )
        groups.append(
            Group(name or missing, f"{attribute}-{index}", summary, [_item_row(s) for s in members])
        )
    return groups


def _timeline(status: ItemStatus, seen: RecordView, sources: _Sources) -> Timeline:
    entries = []
    for record in seen.per_item.get(status.item, []):
        retraction = seen.retraction_of(record)
        note = ""
        if retraction is not None:
            note = f"withdrawn by a correction: {retraction.data['reason']}"
        entries.append(
            TimelineEntry(record.effective, describe(record), sources.cite(record), note)
        )
    word = status_word(status.status) + (" (late)" if status.late else "")
    return Timeline(
        status.item,
        f"item-{status.item}",
        status.title,
        KIND_WORDS.get(status.kind, status.kind),
        word,
        entries,
    )
