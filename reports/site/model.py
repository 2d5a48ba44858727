"""What the published site says, computed once from one snapshot of the ledger.

``build_site`` evaluates the status rules at the end of every period from ``since`` to the
as-of date in one walk (``ledger.evaluate_series``), reads the full records through the
as-of cut once (``RecordView``), and turns both into plain data: one ``ItemEntry`` per
item, one ``PeriodEntry`` per period, the sources, the counts. Every page, report, feed
and data file is laid out from this model and none of them reads the ledger, so they
never disagree. Nothing here compares dates to decide visibility: the read model does.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ledger import (
    METHOD,
    Cut,
    Disagreement,
    FoldedLog,
    ItemStatus,
    Record,
    RecordView,
    describe,
    empty_sources,
    evaluate_series,
    fold_log,
    fold_sources,
    linked_groups,
)
from ledger.mapper import GENESIS_HASH
from ledger.projections.view import timeline_order
from reports.context import TargetRow, target_row
from reports.periods import Period, period_containing, periods_between
from reports.site.cache import SeriesCache
from reports.site.dates import human_date, human_instant, human_months, machine_date
from reports.site.evidence import evidence_of, last_evidence_of
from reports.site.slugs import display_name, slugs_for
from reports.snapshot import Snapshot, count_citations
from reports.wording import (
    KIND_WORDS,
    SOURCE_KIND_WORDS,
    STATUS_COLOURS,
    STATUS_ORDER,
    STATUS_WORDS,
    status_word,
)

if TYPE_CHECKING:
    from ledger import Store
    from ledger.projections.view import Link
    from reports.site.state import SavedPeriod, SavedSite

__all__ = [
    "GAP_MONTHS",
    "CHANGES_CAP",
    "LIST_CAP",
    "AreaCount",
    "Change",
    "Cite",
    "EventCounts",
    "ItemEntry",
    "KnownRecords",
    "PeriodEntry",
    "Site",
    "SourceInfo",
    "build_site",
    "default_since",
    "listed_area",
    "safe_url",
    "what_happened",
    "status_words",
]

#: Items the ledger has heard nothing new about for this long are a coverage gap.
GAP_MONTHS = 12

#: The most lines a period report lists inline in "Events this period" (happened plus first
#: reported) or in "Coverage gaps". A report is read in a few screens; a quarter of a large
#: ledger holds thousands of events and gaps (2 MB of HTML per report), which no reader
#: scans there, so a longer list moves to a page of its own and the report shows its count
#: per area, each linking to its section of that page. The demo's quiet quarters stay
#: well under it and keep their lists inline.
LIST_CAP = 25
#: A report's status changes are its news: listed in it up to this many (the demo's
#: busiest quarter has 51), on a page of their own beyond (a quarter of a large ledger
#: can have thousands).
CHANGES_CAP = 100

_TYPE, _ITEM, _HASH = attrgetter("type"), attrgetter("item"), attrgetter("hash")
_POSITION = attrgetter("position")


_MADE = "promise.made".__eq__
_RELATION_WORDS = {
    "implements": ("implements", "implemented by"),
    "partially_implements": ("partly implements", "partly implemented by"),
    "part_of": ("is part of", "includes"),
    "supersedes": ("supersedes", "superseded by"),
    "split_from": ("split from", "split into"),
    "reverses": ("reverses", "reversed by"),
}


@dataclass(frozen=True)
class SourceInfo:
    """One document the ledger cites, as a reader sees it (never its file name)."""

    key: str
    anchor: str
    title: str
    #: how citations name it: its short title (its title when it has none)
    label: str
    author: str
    published: str
    kind: str
    url: str | None
    cited: int


@dataclass(frozen=True)
class Cite:
    """Where an event comes from: the source's title, date and link, the place, the quote."""

    title: str
    anchor: str
    published: str
    url: str | None
    locator: str
    quote: str


@dataclass(frozen=True)
class TimelineEvent:
    id: str
    date: str
    iso: str | None
    what: str
    cite: Cite
    withdrawn: str


@dataclass(frozen=True)
class Verdict:
    assessor: str
    verdict: str
    date: str
    rationale: str
    cite: Cite


@dataclass(frozen=True)
class Dispute:
    """One reason an item is contested, with each side's claim and sources."""

    text: str
    claims: list[tuple[str, str]]  # (what is claimed, by which sources)


@dataclass(frozen=True)
class LinkRef:
    relation: str
    item: str
    title: str
    status: str


@dataclass(frozen=True)
class StripCell:
    period: str
    label: str
    status: str
    word: str
    colour: str


@dataclass(frozen=True)
class Change:
    """A status change at the end of a period, and what caused it."""

    period: str
    item: str
    title: str
    area: str
    before: str
    after: str
    after_key: str
    colour: str
    cause: str
    #: "happened" (within the period), "reported" (a range that ended in it) or "time"
    how: str
    when: str
    cause_id: str | None
    #: when the ledger learned it (the cause's recorded time), or the period's end
    learned: str
    cite: Cite | None


@dataclass(frozen=True)
class EventLine:
    item: str
    title: str
    date: str
    what: str
    cite: Cite
    #: the item's area (empty for none): a long list groups its lines by it
    area: str = ""


@dataclass(frozen=True)
class AreaCount:
    """How many lines of a period's list one area holds, and the id of its section on the
    list's own page."""

    #: the area as the ledger names it (empty for items with none)
    area: str
    #: as readers see it
    name: str
    anchor: str
    count: int


@dataclass(frozen=True)
class EventCounts:
    """What a period's event list holds, counted without listing it: the events that
    happened in the period, those first reported in it, and both per area."""

    happened: int
    reported: int
    areas: list[AreaCount]

    @property
    def total(self) -> int:
        return self.happened + self.reported


@dataclass(frozen=True)
class ItemLine:
    """One item in a list: enough to find it and see where it stands."""

    item: str
    title: str
    kind: str
    status: str
    status_key: str
    colour: str
    since: str
    last_evidence: str
    note: str
    #: the item's area (empty for none): a long list groups its lines by it
    area: str = ""


@dataclass
class ItemEntry:
    id: str
    kind: str
    kind_word: str
    title: str
    statement: str
    actor: str
    area: str
    area_slug: str
    package: str
    package_slug: str
    status: ItemStatus
    #: "since 16 March 2022", or "at some time between 2022 and 15 September 2023"
    since_phrase: str
    status_word: str
    colour: str
    since: str
    evidence: str | None
    last_evidence: str
    last_evidence_iso: str | None
    months_quiet: int | None
    freshness: str
    deadline: str
    target: TargetRow | None
    timeline: list[TimelineEvent]
    verdicts: list[Verdict]
    disputes: list[Dispute]
    links_out: list[LinkRef]
    links_in: list[LinkRef]
    strip: list[StripCell] = field(default_factory=list)
    #: a digest of what the timeline and verdicts show beyond the fields above (set when
    #: they are left out, to be made only for a page that is rendered: ``Site.fill_item``)
    inputs: str = ""

    @property
    def area_name(self) -> str:
        return display_name(self.area)

    @property
    def package_name(self) -> str:
        return display_name(self.package)

    @property
    def gap(self) -> bool:
        return self.months_quiet is not None and self.months_quiet >= GAP_MONTHS

    def line(self, note: str = "") -> ItemLine:
        return _line(self.status, note)


def _line(status: ItemStatus, note: str = "") -> ItemLine:
    """An item's line in a list, from its status alone (what its entry shows), so a
    report can list items without making their whole entries."""
    return ItemLine(
        status.item,
        status.title,
        KIND_WORDS.get(status.kind, status.kind),
        _status_word(status),
        status.status,
        STATUS_COLOURS[status.status],
        _since(status),
        human_date(last_evidence_of(status), "none"),
        note,
        status.area or "",
    )


def _status_word(status: ItemStatus) -> str:
    return status_word(status.status) + (" (late)" if status.late else "")


@dataclass
class PeriodEntry:
    period: Period
    end: date
    previous: Period
    counts: Counter[str]
    #: promises by status at the end of the previous period
    previous_counts: Counter[str]
    promises: int
    delivered: int
    late: int
    changes: list[Change]
    #: promises by status, net: the changes that happened in the period (or that time
    #: made), and those only first reported in it (they happened earlier, within a range)
    news: Counter[str]
    first_reported: Counter[str]
    happened: list[EventLine]
    reported: list[tuple[EventLine, str]]
    newly_overdue: list[ItemLine]
    new_disputes: list[ItemLine]
    resolved_disputes: list[ItemLine]
    gaps: list[ItemLine]
    #: what ``happened`` and ``reported`` hold, counted (known before they are listed)
    event_counts: EventCounts
    #: the gaps per area
    gap_areas: list[AreaCount]
    #: the status changes per area
    change_areas: list[AreaCount]
    #: position:hash of the newest event that had happened by the period's end
    digest: str = ""
    #: a digest of what ``happened`` and ``reported`` list (set when they are left out, to
    #: be filled in place only for a report that is rendered: ``Site.fill_period``)
    inputs: str = ""

    @property
    def name(self) -> str:
        return self.period.name


class KnownRecords:
    """The records a site's cut knows, in position order (what the data files and the
    database hold): all at hand after a whole build; after an update, the new ones at
    hand and the older read from the store only when asked for."""

    def __init__(
        self,
        records: list[Record],
        *,
        earlier: Callable[[int], list[Record]] | None = None,
        newest: Record | None = None,
    ) -> None:
        """``records``: all of them, or (with ``earlier``) the newest ones (perhaps none,
        then ``newest`` is the newest of all), and ``earlier(position)`` gives those
        after ``position`` up to the first of them."""
        self._records, self._earlier = records, earlier
        self._newest = records[-1] if records else newest

    @property
    def newest(self) -> Record | None:
        return self._newest

    def after(self, position: int) -> list[Record]:
        """The records after ``position``, in position order."""
        records = self._records
        if self._earlier is not None and (not records or records[0].position > position + 1):
            first = records[0].position if records else None
            older = [r for r in self._earlier(position) if first is None or r.position < first]
            return older + records
        return records[bisect_right(records, position, key=_POSITION) :]


@dataclass
class Site:
    title: str
    as_of: date
    known_at: str
    known_at_given: bool
    digest: str
    position: int
    method: str
    kind: str
    since: Period
    base_url: str | None
    items: dict[str, ItemEntry]
    periods: list[PeriodEntry]
    sources: list[SourceInfo]
    areas: dict[str, str]  # name -> slug
    packages: dict[str, str]
    changes: list[Change]  # every change over every period, oldest first
    records: KnownRecords  # what the cut knows, position order (for the database)
    #: fills an item's timeline and verdicts (left out of the whole model's entries: only
    #: the item pages show them, and only pages whose inputs changed are rendered)
    fill_item: Callable[[ItemEntry], None] | None = field(default=None, repr=False)
    #: fills a period's ``happened`` and ``reported`` lists in place (likewise)
    fill_period: Callable[[PeriodEntry], None] | None = field(default=None, repr=False)
    #: per period, the positions of the events its lists show, in their order (kept for
    #: the next build, which reads them again only for a list it must show)
    listed: dict[str, list[int]] = field(default_factory=dict, repr=False)
    #: per cited document, where its first citation sorts: (item, first day, position)
    firsts: dict[str, tuple[str, str, int]] = field(default_factory=dict, repr=False)
    #: the newest event of the ledger the model was made from, and its hash
    head: tuple[int, str] = (0, "")

    @property
    def latest(self) -> PeriodEntry:
        return self.periods[-1]

    @property
    def as_of_text(self) -> str:
        return human_date(self.as_of)

    @property
    def as_of_iso(self) -> str:
        return self.as_of.isoformat()

    @property
    def known_at_text(self) -> str:
        return human_instant(self.known_at, "the start of the ledger")


def what_happened(record: Record, titles: dict[str, str]) -> str:
    """``ledger.describe`` in the site's words: a measurement's period as people write
    it, a link naming the linked item by its title."""
    data = record.data
    if record.type == "measurement.recorded":
        qualifier = (data.get("qualifier") or "").replace("_", " ")
        amount = f"{qualifier} {data['value']:,.6g}".strip()
        return f"{data['metric']} ({human_date(data['period'])}): {amount} {data['unit']}"
    if record.type == "link.added":
        target = titles.get(data["to"], data["to"])
        return f"{data['relation'].replace('_', ' ')}: {target}"
    return describe(record, day=human_date)


def safe_url(url: str | None) -> str | None:
    """A link only to the web: any other scheme (``javascript:``, ``data:``) is dropped."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


# -- sources --------------------------------------------------------------------------
class _Sources:
    """The names a reader sees: sources by title (never file names), items by title."""

    def __init__(
        self,
        snapshot: Snapshot,
        cited: tuple[Counter[str], dict[str, Record]],
        titles: dict[str, str],
        known_at: str,
    ) -> None:
        """The documents ``cited`` by the shown records (per document, how many cite it
        and the first of them: ``count_citations``)."""
        self.titles = titles
        counts, first = cited
        registry = snapshot.registry(known_at)
        anchors = slugs_for(first)
        self.info: dict[str, SourceInfo] = {}
        for document in sorted(first, key=lambda d: (first[d].position, d)):
            known = registry.get(document)
            cited = first[document].source
            published = known.published if known else cited.get("published")
            self.info[document] = SourceInfo(
                key=document,
                anchor=f"src-{anchors[document]}",
                title=known.title if known else registry.label(document),
                label=known.label if known else registry.label(document),
                author=known.byline if known else "",
                published=human_date(published, "not given"),
                kind=SOURCE_KIND_WORDS.get(known.kind, known.kind) if known else "",
                url=safe_url((known.url if known else None) or cited.get("url")),
                cited=counts[document],
            )

        #: per event id: its citation and its description (an event appears on its item's
        #: page, in its period's report and in the changes it caused: worded once)
        self._cites: dict[str, Cite] = {}
        self._said: dict[str, str] = {}
        self._shown: dict[str, str] = {}

    @classmethod
    def of(cls, info: dict[str, SourceInfo], titles: dict[str, str]) -> _Sources:
        """The names as an earlier build worked them out (``info``, in its order)."""
        sources = cls.__new__(cls)
        sources.titles, sources.info = titles, info
        sources._cites, sources._said, sources._shown = {}, {}, {}
        return sources

    def name_of(self, document: str) -> str:
        info = self.info.get(document)
        return info.label if info else document

    def shown(self, document: str) -> str:
        """What a citation of ``document`` shows of it (label, anchor, date, link), as one
        string for the digests of what pages show (made once per document)."""
        text = self._shown.get(document)
        if text is None:
            info = self.info[document]
            fields = (document, info.label, info.anchor, info.published, info.url or "-")
            text = self._shown[document] = "\x1e".join(fields)
        return text

    def what(self, record: Record) -> str:
        said = self._said.get(record.id)
        if said is None:
            said = self._said[record.id] = what_happened(record, self.titles)
        return said

    def cite(self, record: Record) -> Cite:
        cite = self._cites.get(record.id)
        if cite is None:
            cite = self._cites[record.id] = self._cite(record)
        return cite

    def _cite(self, record: Record) -> Cite:
        source = record.source
        info = self.info[source.get("document", "")]
        url = safe_url(source.get("url")) or info.url
        return Cite(
            info.label,
            info.anchor,
            info.published,
            url,
            source.get("locator", ""),
            source.get("quote", ""),
        )


# -- the builder ------------------------------------------------------------------------
def default_since(snapshot: Snapshot, known_at: str, kind: str) -> Period | None:
    """Where tracking starts: the period of the first promise made by the actor who made
    the most promises (the tracked government), not the oldest date in the ledger (one
    promise of a predecessor, cited as background, would start the chart years early)."""
    actors: dict[str, set[str]] = defaultdict(set)
    knowledge = snapshot.knowledge(known_at)
    for item, stream in knowledge.streams.items():  # the known promises, none retracted
        if stream.kind == "promise":
            events = stream.events  # the promise's own events picked by mapped C calls
            for event in compress(events, map(_MADE, map(_TYPE, events))):
                actors[event.data.get("actor") or ""].add(item)
    if not actors:
        first = knowledge.first_day()
        return period_containing(first, kind) if first else None
    tracked = sorted(actors, key=lambda a: (-len(actors[a]), a))[0]
    first = knowledge.first_day(actors[tracked])
    return period_containing(first, kind) if first else None


def build_site(
    snapshot: Snapshot,
    *,
    as_of: date,
    known_at: str,
    known_at_given: bool,
    kind: str,
    since: Period,
    base_url: str | None,
    title: str,
    only: Period | None = None,
    cache: SeriesCache | None = None,
) -> Site:
    """The whole site's content at the cut (as of, known at), periods from ``since``.

    With ``only`` (one of those periods), the model holds that period's entry alone, and
    the status rules are evaluated at its two ends and the as-of date instead of at every
    period's end: what one period's report needs, for a fraction of the cost. Its items
    carry no status strip, and its ``records`` are those the snapshot read for the report
    (a ``PeriodSnapshot`` reads only those). Everything else it holds is what the whole
    model holds.
    With ``cache``, the statuses of linked groups whose events did not change since the
    build that made it are read back instead of evaluated (the same statuses).
    """
    last = period_containing(as_of, kind)
    periods = periods_between(since, last) if since.start <= last.start else [last]
    ends = [min(p.end, as_of) for p in periods]
    chosen = range(len(periods))
    if only is not None:
        if only not in periods:
            raise ValueError(f"{only.name} is not between {periods[0].name} and {last.name}")
        chosen = range(periods.index(only), periods.index(only) + 1)
    starts = [ends[i - 1] if i else periods[0].previous().end for i in range(len(periods))]
    dates = sorted({ends[i] for i in chosen} | {starts[i] for i in chosen} | {ends[-1]})
    knowledge = snapshot.knowledge(known_at)
    if cache is None:
        series = evaluate_series(knowledge, dates, exact=set(dates))
    else:
        series = cache.series(knowledge, dates)
    cut = Cut(as_of, known_at)
    now = {s.item: s for s in series[as_of if as_of in series else ends[-1]]}
    titles = {s.item: s.title for s in now.values()}
    spans = [(p.start, end) for p, end in zip(periods, ends, strict=True)]
    if only is None:
        seen = snapshot.records_at(cut)
        shown_records = [r for item in sorted(now) for r in seen.per_item.get(item, [])]
        counts, first = count_citations(shown_records)
        sources = _Sources(snapshot, (counts, first), titles, known_at)
        firsts = {d: (r.item, *timeline_order(r)) for d, r in first.items()}
    else:  # only the records the report names, with the causes of the period's changes
        was = {s.item: s.status for s in series[starts[chosen[0]]]}
        causes = {
            s.cause_event
            for s in series[ends[chosen[0]]]
            if s.cause_event and was.get(s.item) != s.status
        }
        seen, counts, first = snapshot.period_records(
            cut, spans[chosen[0]], spans[0][0], sorted(now), causes
        )
        sources = _Sources(snapshot, (counts, first), titles, known_at)
        firsts = {}
    areas = slugs_for(s.area for s in now.values() if s.area)
    packages = slugs_for(s.package for s in now.values() if s.package)
    # a report shows no links: one period's model does not look for them
    links = knowledge.at(as_of).links() if only is None else []
    if only is not None:  # a report names few items: each entry is made when first asked
        lazy = _LazyItems(
            lambda item: _item(
                now[item], cut, snapshot.item_view(seen, item), sources, areas, packages
            )
        )
        lazy.keys_from(now)
        items: dict[str, ItemEntry] = lazy
    else:
        items = {
            item: _item(status, cut, seen, sources, areas, packages, light=True)
            for item, status in now.items()
        }
    _link_items(links, items)
    entries, changes = [], []
    newest: Record | None = None
    by_day: dict[date, dict[str, ItemStatus]] = {}  # each date's statuses by item, made once

    def statuses_on(day: date) -> dict[str, ItemStatus]:
        if day not in by_day:
            by_day[day] = {s.item: s for s in series[day]}
        return by_day[day]

    cell = _StripCells(periods)
    if only is None:
        by_period = list(enumerate(seen.happened_within(spans)))
    else:  # one period's events listed; the newest up to its end found without listing
        by_period = [(chosen[0], seen.happened_within([spans[chosen[0]]])[0])]
        newest = seen.newest_within(spans[0][0], spans[chosen[0]][1])
    listed: dict[str, list[int]] = {}
    for index, happened in by_period:
        for record in happened:
            if newest is None or record.position > newest.position:
                newest = record
        period, end = periods[index], ends[index]
        before, after = statuses_on(starts[index]), statuses_on(end)
        entry = _period(
            period,
            end,
            before,
            after,
            happened,
            snapshot,
            sources,
            now,
            known_at,
            areas,
            only is None,
            # the previous period's counts, when it ended where this one starts
            entries[-1].counts if entries and starts[index] == ends[index - 1] else None,
            listed.setdefault(period.name, []) if only is None else None,
        )
        entry.digest = f"{newest.position}:{newest.hash}" if newest else ""
        entries.append(entry)
        changes += entry.changes
        if only is not None:
            continue
        for item, status in after.items():
            if item in items:
                items[item].strip.append(cell(index, status.status))
    head = seen.head
    return Site(
        title=title,
        as_of=as_of,
        known_at=known_at,
        known_at_given=known_at_given,
        digest=f"{head.position}:{head.hash}" if head else f"0:{GENESIS_HASH}",
        position=head.position if head else 0,
        method=METHOD,
        kind=kind,
        since=periods[0],
        base_url=base_url,
        items=items if only is not None else dict(sorted(items.items())),
        periods=entries,
        sources=list(sources.info.values()),
        areas=areas,
        packages=packages,
        changes=changes,
        records=KnownRecords(_known(snapshot.records, cut)),
        fill_item=None if only is not None else lambda entry: _fill(entry, seen, sources),
        fill_period=None
        if only is not None
        else _period_filler(
            {periods[i].name: records for i, records in by_period}, sources, now, known_at
        ),
        listed=listed,
        firsts=firsts,
        head=(snapshot.records[-1].position, snapshot.records[-1].hash)
        if only is None and snapshot.records
        else (0, ""),
    )


class _StripCells:
    """The cells of the items' strips: one value per period and status, shared by every
    strip that shows it."""

    def __init__(self, periods: list[Period]) -> None:
        self.periods = periods
        self.made: dict[tuple[int, str], StripCell] = {}

    def __call__(self, index: int, status: str) -> StripCell:
        cell = self.made.get((index, status))
        if cell is None:
            period = self.periods[index]
            cell = self.made[(index, status)] = StripCell(
                period.name, period.label, status, status_word(status), STATUS_COLOURS[status]
            )
        return cell


def _known(records: list[Record], cut: Cut) -> list[Record]:
    """The records the cut knows. Transaction times never go back along the log, so
    when the newest is known (the usual cut: everything the ledger holds) all are."""
    if not records or cut.knows(records[-1].recorded_at):
        return list(records)
    return [r for r in records if cut.knows(r.recorded_at)]


class _LazyItems(dict):
    """The items of a one-period model: every id is there, each entry is made (by the same
    ``_item`` as the whole model's) the first time it is read."""

    def __init__(self, make: Callable[[str], ItemEntry]) -> None:
        super().__init__()
        self._make = make
        self._ids: dict[str, None] = {}

    def keys_from(self, ids: Iterable[str]) -> None:
        self._ids = dict.fromkeys(sorted(ids))

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __missing__(self, item: str) -> ItemEntry:
        if item not in self._ids:
            raise KeyError(item)
        entry = self[item] = self._make(item)
        return entry

    def get(self, item: str, default: ItemEntry | None = None) -> ItemEntry | None:
        return self[item] if item in self._ids else default

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)


def _item(
    status: ItemStatus,
    cut: Cut,
    seen: RecordView,
    sources: _Sources,
    areas: dict[str, str],
    packages: dict[str, str],
    *,
    light: bool = False,
) -> ItemEntry:
    """An item's entry; ``light``, without its timeline, verdicts and target but with a
    digest of what they show (``inputs``; the target is its status's), for ``_fill`` to
    make them when its page is rendered."""
    records = seen.per_item.get(status.item, [])
    made = next(
        (r.data for r in records if r.type == "promise.made" and seen.retraction_of(r) is None),
        {},
    )
    if light:
        timeline, verdicts = [], []
        assessments = _assessments(records, seen) if status.disagreements else {}
        inputs = _inputs(records, seen, sources)
    else:
        timeline = _timeline(records, seen, sources)
        assessments = _assessments(records, seen)
        verdicts = _verdicts(assessments, sources)
        inputs = ""
    disputes = [_dispute(d, status, assessments, sources) for d in status.disagreements]
    disputes.sort(key=lambda d: d.text)
    entry = _entry(
        status,
        cut,
        areas,
        packages,
        statement=made.get("statement", ""),
        actor=made.get("actor", ""),
        disputes=disputes,
        inputs=inputs,
    )
    entry.timeline, entry.verdicts = timeline, verdicts
    # a promise's target in words is made from its status (in the page's key): only for
    # a page that is rendered
    entry.target = None if light else _target(status)
    return entry


def _entry(
    status: ItemStatus,
    cut: Cut,
    areas: dict[str, str],
    packages: dict[str, str],
    *,
    statement: str,
    actor: str,
    disputes: list[Dispute],
    inputs: str,
) -> ItemEntry:
    """A light entry from what its item's records give (the promise's statement and
    actor, the disputes in words, the digest of its timeline's inputs) and its status:
    everything else an entry shows follows from the status and the cut."""
    last = last_evidence_of(status)
    months = cut.months_since(last) if last else None
    freshness = (
        f"last evidence on {human_date(last)} ({human_months(months)})"
        if last and months is not None
        else "no evidence yet"
    )
    area, package = status.area or "", status.package or ""
    return ItemEntry(
        id=status.item,
        kind=status.kind,
        kind_word=KIND_WORDS.get(status.kind, status.kind),
        title=status.title,
        statement=statement,
        actor=actor,
        area=area,
        area_slug=areas.get(area, ""),
        package=package,
        package_slug=packages.get(package, ""),
        status=status,
        since_phrase=_since_phrase(status),
        status_word=_status_word(status),
        colour=STATUS_COLOURS[status.status],
        since=_since(status),
        evidence=evidence_of(status),
        last_evidence=human_date(last, "none"),
        last_evidence_iso=machine_date(last),
        months_quiet=months,
        freshness=freshness,
        deadline=human_date(status.deadline, ""),
        target=None,
        timeline=[],
        verdicts=[],
        disputes=disputes,
        links_out=[],
        links_in=[],
        inputs=inputs,
    )


def _timeline(records: list[Record], seen: RecordView, sources: _Sources) -> list[TimelineEvent]:
    timeline = []
    for record in records:
        retraction = seen.retraction_of(record)
        timeline.append(
            TimelineEvent(
                record.id,
                human_date(record.effective),
                machine_date(record.effective),
                sources.what(record),
                sources.cite(record),
                retraction.data["reason"] if retraction is not None else "",
            )
        )
    return timeline


def _assessments(records: list[Record], seen: RecordView) -> dict[str, Record]:
    """Each assessor's latest standing verdict."""
    assessments: dict[str, Record] = {}
    for record in records:
        if record.type == "assessment.recorded" and seen.retraction_of(record) is None:
            assessments[record.data["assessor"]] = record
    return assessments


def _verdicts(assessments: dict[str, Record], sources: _Sources) -> list[Verdict]:
    return [
        Verdict(
            assessor,
            status_word(r.data["verdict"]),
            human_date(r.effective),
            r.data["rationale"],
            sources.cite(r),
        )
        for assessor, r in sorted(assessments.items())
    ]


def _inputs(records: list[Record], seen: RecordView, sources: _Sources) -> str:
    """A digest of everything an item's timeline and verdicts are made from, beyond its
    status: its records (by chain hash, which covers every field), their retractions, the
    cited sources as readers see them (label, anchor, date, link) and the titles of the
    items its links name. Equal digests make equal timelines and verdicts."""
    retractions, titles = seen.retractions, sources.titles
    retracted = [f"{r.id}>{retractions[r.id].hash}" for r in records if r.id in retractions]
    named = [r.data["to"] for r in records if r.type == "link.added"]
    documents = {r.source.get("document", "") for r in records}
    return _digest(
        [r.hash for r in records],
        retracted,
        [f"{to}>{titles.get(to, to)}" for to in named],
        _cited(documents, sources),
    )


def _cited(documents: set[str], sources: _Sources) -> list[str]:
    """The cited documents as citations show them (label, anchor, date, link)."""
    shown = sources.shown
    return [shown(d) for d in sorted(documents)]


def _digest(*sections: list[str]) -> str:
    """A SHA-256 of lists of strings (none holds a control character: ledger text cannot),
    each preceded by its length, so different lists never join to the same bytes."""
    parts: list[str] = []
    for section in sections:
        parts.append(str(len(section)))
        parts += section
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _fill(entry: ItemEntry, seen: RecordView, sources: _Sources) -> None:
    """Make a light entry's timeline, verdicts and target (what ``_item`` leaves out)."""
    records = seen.per_item.get(entry.id, [])
    entry.target = _target(entry.status)
    entry.timeline = _timeline(records, seen, sources)
    entry.verdicts = _verdicts(_assessments(records, seen), sources)


def _dispute(
    found: Disagreement, status: ItemStatus, verdicts: dict[str, Record], sources: _Sources
) -> Dispute:
    """One disagreement in the site's words: statuses and dates as readers write them,
    sources by title."""
    if found.kind == "verdicts":
        said = "; ".join(
            f"{who} ({human_date(when)}): {status_word(what)}" for what, (who, when) in found.claims
        )
        return Dispute(f"Sources' verdicts disagree: {said}.", [])
    if found.kind == "verdict_vs_status":
        record = verdicts.get(found.subject)
        given = (
            f" ({status_word(record.data['verdict'])}, {human_date(record.effective)})"
            if record is not None
            else ""
        )
        since = _since_phrase(status)
        return Dispute(
            f"{found.subject}'s verdict{given} differs from the derived status "
            f"({status_word(status.status)}{' ' + since if since else ''}).",
            [],
        )
    claims = [
        (
            human_date(what) if found.kind == "date" else what,
            ", ".join(sources.name_of(doc) for doc in documents),
        )
        for what, documents in found.claims
    ]
    subject = found.subject.replace("_", " ").replace(".", " ")
    noun = "the date of" if found.kind == "date" else "the value of"
    return Dispute(f"Sources disagree on {noun} {subject}.", claims)


def _since(status: ItemStatus) -> str:
    if status.status == "overdue":
        return f"deadline {human_date(status.deadline)} passed"
    if status.status == "stalled" or not status.since:
        return "—"
    return human_date(status.since)


def _since_phrase(status: ItemStatus) -> str:
    if status.status == "overdue":
        return f"since its deadline ({human_date(status.deadline)}) passed"
    if status.status == "stalled" or not status.since:
        return ""
    if "/" in status.since:
        first, _, last = status.since.partition("/")
        return f"at some time between {human_date(first)} and {human_date(last)}"
    return f"since {human_date(status.since)}"


def _target(status: ItemStatus) -> TargetRow | None:
    if status.kind != "promise" or not status.target:
        return None
    return target_row(status, day=human_date)


def _period(
    period: Period,
    end: date,
    before: dict[str, ItemStatus],
    after: dict[str, ItemStatus],
    happened: list[Record],
    snapshot: Snapshot,
    sources: _Sources,
    now: dict[str, ItemStatus],
    known_at: str,
    areas: dict[str, str],
    light: bool = False,
    previous_counts: Counter[str] | None = None,
    listed_out: list[int] | None = None,
) -> PeriodEntry:
    """One period's entry. Items are named by their status as of the site's date
    (``now``), as their pages show them; ``areas`` gives each area's slug. ``light``,
    without the events it lists but with a digest of what they show (``inputs``), for
    ``fill_period`` to list them when its report is rendered (their counts are made
    either way). ``previous_counts``: the promises by status in ``before`` when known (the
    previous period's counts), else counted here. ``listed_out`` gets the positions of
    the events it lists, in their order (what a later build reads to list them again).
    Every count is in reading order (``in_order``)."""
    cut = Cut(end, known_at)
    # one pass over the items: what changed, fell overdue, became or stopped being
    # contested, or went quiet
    found = _Found(period, cut, snapshot, sources, now)
    for item, status in after.items():
        found.take(item, before.get(item), status)
    lines_now: list[EventLine] = []
    reported: list[tuple[EventLine, str]] = []
    listed, documents, named = _listed_with_names(happened, sources, now)
    if listed_out is not None:
        listed_out += map(_POSITION, listed)
    if light:
        inputs = _happened_inputs(listed, documents, named, sources, now)
    else:
        inputs = ""
        _list_happened(period, cut, happened, sources, now, lines_now, reported)
    entry = found.entry(
        end,
        counts=Counter(s.status for s in after.values() if s.kind == "promise"),
        previous_counts=previous_counts
        if previous_counts is not None
        else Counter(s.status for s in before.values() if s.kind == "promise"),
        late=sum(
            1 for s in after.values() if s.kind == "promise" and s.status == "delivered" and s.late
        ),
        event_counts=_count_events(period, cut, listed, now, areas),
        inputs=inputs,
        areas=areas,
    )
    entry.happened, entry.reported = lines_now, reported
    return entry


def in_order(counted: Counter[str]) -> Counter[str]:
    """Statuses counted, in reading order and without zeros: counts brought up to date by
    adding and taking away equal counts made afresh, key for key."""
    keys = [*STATUS_ORDER, *sorted(set(counted) - set(STATUS_ORDER))]
    return Counter({key: counted[key] for key in keys if counted.get(key)})


class _Found:
    """What a period's pass over its items finds, item by item: the status changes, what
    fell overdue, became or stopped being contested, and the coverage gaps (each with
    its note), in the order taken (each list is sorted where it is shown)."""

    def __init__(
        self,
        period: Period,
        cut: Cut,
        snapshot: Snapshot,
        sources: _Sources,
        now: dict[str, ItemStatus],
    ) -> None:
        self.period, self.cut, self.snapshot, self.sources, self.now = (
            period,
            cut,
            snapshot,
            sources,
            now,
        )
        self.changes: list[Change] = []
        self.overdue: list[str] = []
        self.new_disputes: list[str] = []
        self.resolved: list[str] = []
        self.gaps: list[tuple[str, str]] = []
        #: promises by status, net: what happened (or time made), and what was only
        #: first reported in the period
        self.news: Counter[str] = Counter()
        self.first_reported: Counter[str] = Counter()
        self._quiet: dict[str, bool] = {}  # last evidence -> quiet at the period's end

    def net(self, change: Change, status: ItemStatus, old: ItemStatus | None, sign: int) -> None:
        """Count a promise's ``change`` (to ``status`` from ``old``) in the news, or take
        it out again (``sign`` -1)."""
        if status.kind != "promise":
            return
        counted = self.first_reported if change.how == "reported" else self.news
        counted[status.status] += sign
        if old is not None:
            counted[old.status] -= sign

    def take(self, item: str, old: ItemStatus | None, status: ItemStatus) -> Change | None:
        """Note what ``item`` (``old`` at the period's start, ``status`` at its end)
        shows; its status change, if any."""
        change = None
        if old is None or old.status != status.status:
            change = _change(
                self.period, self.cut, status, old, self.snapshot, self.sources, self.now
            )
            self.changes.append(change)
            self.net(change, status, old, 1)
            if status.status == "overdue":
                self.overdue.append(item)
        if status.contested:
            if old is None or not old.contested:
                self.new_disputes.append(item)
        elif old is not None and old.contested:
            self.resolved.append(item)
        if status.kind == "promise" and status.status not in ("delivered", "broken", "reversed"):
            last = last_evidence_of(status)
            if last:
                gone = self._quiet.get(last)
                if gone is None:
                    gone = self._quiet[last] = self.cut.months_since(last) >= GAP_MONTHS
                if gone:
                    self.gaps.append((item, f"last evidence on {human_date(last)}"))
        return change

    def entry(
        self,
        end: date,
        *,
        counts: Counter[str],
        previous_counts: Counter[str],
        late: int,
        event_counts: EventCounts,
        inputs: str,
        areas: dict[str, str],
    ) -> PeriodEntry:
        """The period's entry from what was found (items named by their status now, each
        list sorted) and its counts: every count in reading order (``in_order``)."""
        now = self.now

        def lines(keys: list[str], note: dict[str, str] | None = None) -> list[ItemLine]:
            return [_line(now[k], (note or {}).get(k, "")) for k in sorted(keys) if k in now]

        self.changes.sort(key=lambda c: (STATUS_ORDER.index(c.after_key), c.item))
        gap_lines = lines([item for item, _ in self.gaps], dict(self.gaps))
        return PeriodEntry(
            period=self.period,
            end=end,
            previous=self.period.previous(),
            counts=in_order(counts),
            previous_counts=in_order(previous_counts),
            promises=sum(counts.values()),
            delivered=counts["delivered"],
            late=late,
            changes=self.changes,
            news=in_order(self.news),
            first_reported=in_order(self.first_reported),
            happened=[],
            reported=[],
            newly_overdue=lines(self.overdue),
            new_disputes=lines(self.new_disputes),
            resolved_disputes=lines(self.resolved),
            gaps=gap_lines,
            event_counts=event_counts,
            gap_areas=_area_counts((line.area for line in gap_lines), areas),
            change_areas=_area_counts((listed_area(c.area, areas) for c in self.changes), areas),
            inputs=inputs,
        )


def _listed(
    happened: list[Record], sources: _Sources, now: dict[str, ItemStatus]
) -> Iterator[Record]:
    """The period's events a report lists: those of items it shows, citing a known source."""
    info = sources.info
    for record in happened:
        if record.item in now and record.source.get("document", "") in info:
            yield record


def _listed_with_names(
    happened: list[Record], sources: _Sources, now: dict[str, ItemStatus]
) -> tuple[list[Record], set[str], list[str]]:
    """What ``_listed`` yields, with the documents those events cite and the items their
    links name (what ``_happened_inputs`` digests), found in the same pass."""
    info = sources.info
    listed: list[Record] = []
    documents: set[str] = set()
    named: list[str] = []
    for record in happened:
        if record.item in now:
            document = record.source.get("document", "")
            if document in info:
                listed.append(record)
                documents.add(document)
                if record.type == "link.added":
                    named.append(record.data["to"])
    return listed, documents, named


def _count_events(
    period: Period,
    cut: Cut,
    listed: list[Record],
    now: dict[str, ItemStatus],
    areas: dict[str, str],
) -> EventCounts:
    """What ``_list_happened`` lists (``listed``: see ``_listed``), counted (happened,
    first reported, per area) without wording any event: a report whose list is too long
    shows these instead."""
    began: dict[str, bool] = {}  # effective date -> began within the period
    count = 0
    for record in listed:
        within = began.get(record.effective)
        if within is None:
            within = began[record.effective] = cut.began_since(record.effective, period.start)
        count += within
    per_area: Counter[str] = Counter()
    for item, lines in Counter(map(_ITEM, listed)).items():  # counted per item, then area
        per_area[now[item].area or ""] += lines
    return EventCounts(count, len(listed) - count, _area_counts(per_area, areas))


def listed_area(area: str, slugs: dict[str, str]) -> str:
    """The area a long list files a line under: its item's, or none when that area is
    not on the site (an item no longer shown, such as a retracted promise's, may still
    have changed status in an earlier period)."""
    return area if area in slugs else ""


def _area_counts(areas_of: Iterable[str] | Counter[str], slugs: dict[str, str]) -> list[AreaCount]:
    """Lines per area (each line's area, or lines counted per area): areas by the name
    readers see, then lines of items with no area."""
    counted = areas_of if isinstance(areas_of, Counter) else Counter(areas_of)
    named = sorted((a for a in counted if a), key=lambda a: (display_name(a).lower(), a))
    found = [AreaCount(a, display_name(a), f"area-{slugs[a]}", counted[a]) for a in named]
    if counted[""]:
        found.append(AreaCount("", "No area", "no-area", counted[""]))
    return found


def _list_happened(
    period: Period,
    cut: Cut,
    happened: list[Record],
    sources: _Sources,
    now: dict[str, ItemStatus],
    lines_now: list[EventLine],
    reported: list[tuple[EventLine, str]],
) -> None:
    """Append the period's events to what happened in it and what was first reported."""
    for record in _listed(happened, sources, now):
        shown = now[record.item]
        line = EventLine(
            record.item,
            shown.title,
            human_date(record.effective),
            sources.what(record),
            sources.cite(record),
            shown.area or "",
        )
        if cut.began_since(record.effective, period.start):
            lines_now.append(line)
        else:
            reported.append((line, human_date(record.effective)))


def _happened_inputs(
    listed: list[Record],
    documents: set[str],
    named: list[str],
    sources: _Sources,
    now: dict[str, ItemStatus],
) -> str:
    """A digest of everything ``_list_happened`` makes its lines from (``listed``: the
    events it lists, with the documents they cite and the items their links name: see
    ``_listed_with_names``), beyond the period and its end: the events (by
    chain hash, which covers every field), the titles of their items (and their areas, by
    which a long list is grouped) and of the items their links name, and the cited
    sources as readers see them. (Not the cut's transaction time, which moves with every
    new event: the events it lets in are listed.)"""
    titles = sources.titles
    items = sorted(set(map(_ITEM, listed)))
    return _digest(
        list(map(_HASH, listed)),
        [f"{item}>{now[item].title}>{now[item].area or ''}" for item in items],
        [f"{to}>{titles.get(to, to)}" for to in named],
        _cited(documents, sources),
    )


def _period_filler(
    happened: dict[str, list[Record]],
    sources: _Sources,
    now: dict[str, ItemStatus],
    known_at: str,
) -> Callable[[PeriodEntry], None]:
    """What fills a light period entry's events in place (its report's context holds the
    same lists), from the events that happened in it."""

    def fill(entry: PeriodEntry) -> None:
        if entry.happened or entry.reported:
            return  # already listed
        cut = Cut(entry.end, known_at)
        records = happened[entry.name]
        _list_happened(entry.period, cut, records, sources, now, entry.happened, entry.reported)

    return fill


def _change(
    period: Period,
    cut: Cut,
    status: ItemStatus,
    old: ItemStatus | None,
    snapshot: Snapshot,
    sources: _Sources,
    now: dict[str, ItemStatus],
) -> Change:
    after = status_word(status.status) + (" (late)" if status.late else "")
    before = status_word(old.status) if old else "not yet tracked"
    record = snapshot.by_id.get(status.cause_event or "")
    cite = None
    if status.status == "overdue":
        cause, how, when = f"The deadline ({human_date(status.deadline)}) passed", "time", ""
    elif record is None:
        how, when = "time", ""
        cause = "No progress for 12 months" if status.status == "stalled" else "No cause recorded"
    else:
        cause, when = sources.what(record), human_date(record.effective)
        how = "happened" if cut.began_since(record.effective, period.start) else "reported"
        if record.source.get("document", "") in sources.info:
            cite = sources.cite(record)
    # when the ledger learned the cause; a change caused by time dates from the day it began
    learned = (
        record.recorded_at if record is not None else f"{status.since or cut.day}T00:00:00.000000Z"
    )
    shown = now.get(status.item)
    return Change(
        period=period.name,
        item=status.item,
        title=status.title,
        area=(shown or status).area or "",
        before=before,
        after=after,
        after_key=status.status,
        colour=STATUS_COLOURS[status.status],
        cause=cause,
        how=how,
        when=when,
        cause_id=record.id if record is not None else None,
        learned=learned,
        cite=cite,
    )


def status_words() -> list[tuple[str, str, str, str]]:
    """(key, word, meaning, colour) in reading order."""
    return [(k, STATUS_WORDS[k][0], STATUS_WORDS[k][1], STATUS_COLOURS[k]) for k in STATUS_ORDER]


# -- bringing a kept model up to date -----------------------------------------------------
#: What an update brings up to date: events on items the model holds that neither open
#: an item, retract, link nor register a source (those change what other items show).
_NOT_PLAIN = frozenset(
    {"event.retracted", "link.added", "link.removed", "promise.made", "source.registered"}
)


def update_site(
    saved: SavedSite,
    store: Store,
    *,
    as_of: date,
    kind: str,
    since: Period,
    base_url: str | None,
    title: str,
    cache: SeriesCache,
) -> Site | None:
    """The model ``build_site`` would make now, from the model an earlier build made of
    this ledger with the same options (``saved``) and the events appended since: only
    those events and the records of the linked groups they touch are read, and only those
    groups are evaluated; the periods' counts and lists change by what those groups
    changed. None when that cannot be done exactly (the ledger is not the one saved,
    an event retracts, links, registers a source or opens an item, an item's title or
    area moved, a source is cited first or anew, the cache lacks a group): the caller
    builds the whole model instead."""
    last = period_containing(as_of, kind)
    periods = periods_between(since, last) if since.start <= last.start else [last]
    if [p.name for p in periods] != [p.name for p in saved.periods] or saved.head <= 0:
        return None
    if store.hash_at(saved.head) != saved.head_hash:
        return None  # not the ledger (or not the chain) the model was made from
    new = list(store.read(after=saved.head))
    if any(r.type in _NOT_PLAIN or r.item not in saved.groups for r in new):
        return None
    known_at = new[-1].recorded_at if new else saved.known_at
    ends = [min(p.end, as_of) for p in periods]
    starts = [ends[i - 1] if i else periods[0].previous().end for i in range(len(periods))]
    days = sorted({*ends, *starts})
    # the groups the new events touch, with every record of theirs, the sources'
    # registrations and the retractions (a retracted event of theirs stays retracted)
    members: dict[str, list[str]] = defaultdict(list)
    for item, key in saved.groups.items():
        members[key].append(item)
    touched = sorted({m for r in new for m in members[saved.groups[r.item]]})
    read: dict[int, Record] = {}
    for item in touched:
        read.update((r.position, r) for r in store.read(item=item))
    read.update((r.position, r) for r in store.read(types=["source.registered", "event.retracted"]))
    records = [read[position] for position in sorted(read)]
    log = FoldedLog()
    fold_log(log, records)
    registrations = empty_sources()
    fold_sources(registrations, records)
    snapshot = Snapshot(records, log, registrations)
    knowledge = snapshot.knowledge(known_at)
    groups = {frozenset(g) for g in linked_groups(knowledge)}
    if groups != {frozenset(members[saved.groups[i]]) for i in touched}:
        return None
    first = knowledge.first_day(touched)
    if first is not None and first < periods[0].start:
        return None  # tracking may start earlier now (``default_since``): other periods
    # their statuses now and as the kept model had them; every other group kept as is
    series = cache.series(knowledge, days)
    old_keys = sorted({saved.groups[i] for i in touched})
    if not cache.carry([k for k in members if k not in old_keys], days):
        return None
    cache.keys.update((item, k) for k in members if k not in old_keys for item in members[k])
    before_update: dict[str, dict[date, ItemStatus]] = defaultdict(dict)
    for key in old_keys:
        kept_series = cache.saved_series(key, days)
        if kept_series is None:
            return None
        for day, statuses in zip(days, kept_series, strict=True):
            for status in statuses:
                before_update[status.item][day] = status
    after_update: dict[str, dict[date, ItemStatus]] = defaultdict(dict)
    for day in days:
        for status in series[day]:
            after_update[status.item][day] = status
    day_now = as_of if as_of in days else ends[-1]
    now = {item: kept.status for item, kept in saved.items.items()}
    for item in touched:
        old, fresh = before_update[item].get(day_now), after_update[item].get(day_now)
        if item not in saved.items and fresh is None:
            continue  # not shown (its events all lie after the site's date), still not
        if old is None or fresh is None:
            return None  # shown now, or no longer: other pages list it
        shown = (old.title, old.area, old.package, old.kind)
        if shown != (fresh.title, fresh.area, fresh.package, fresh.kind):
            return None  # other pages name it: the whole build words them
        now[item] = fresh
    cut = Cut(as_of, known_at)
    seen = RecordView(records, cut)
    # the sources: the new events' citations counted; the order and anchors hold
    info = {source.key: source for source in saved.sources}
    cited: Counter[str] = Counter()
    shown_ids = {r.id for item in touched for r in seen.per_item.get(item, ())}
    for record in new:
        if record.id not in shown_ids:
            continue
        document = record.source.get("document", "")
        first = saved.firsts.get(document)
        if document not in info or first is None:
            return None
        if (record.item, *timeline_order(record)) < first:  # the order citations count in
            return None
        cited[document] += 1
    for document, more in cited.items():
        info[document] = replace(info[document], cited=info[document].cited + more)
    titles = {item: status.title for item, status in now.items()}
    sources = _Sources.of(info, titles)
    areas, packages = saved.areas, saved.packages
    # the items: the touched ones made again from their records, the others as kept
    cell = _StripCells(periods)
    items: dict[str, ItemEntry] = {}
    for item, kept in saved.items.items():
        if item in before_update:
            entry = _item(now[item], cut, seen, sources, areas, packages, light=True)
            strip = [
                after_update[item][end].status if end in after_update[item] else "" for end in ends
            ]
        else:
            entry = _entry(
                kept.status,
                cut,
                areas,
                packages,
                statement=kept.statement,
                actor=kept.actor,
                disputes=kept.disputes,
                inputs=kept.inputs,
            )
            entry.links_out, entry.links_in = kept.links_out, kept.links_in
            strip = kept.strip
        entry.strip = [cell(index, key) for index, key in enumerate(strip) if key]
        items[item] = entry
    _link_items(knowledge.at(as_of).links(), items)
    # the periods: each changes by what the touched items changed in it
    spans = [(p.start, end) for p, end in zip(periods, ends, strict=True)]
    arrived = [
        [r for r in happened if r.position > saved.head] for happened in seen.happened_within(spans)
    ]
    entries: list[PeriodEntry] = []
    listed: dict[str, list[int]] = {}
    newest: Record | None = None
    for index, kept_period in enumerate(saved.periods):
        for record in arrived[index]:
            if newest is None or record.position > newest.position:
                newest = record
        entry, positions = _updated_period(
            kept_period,
            periods[index],
            Cut(ends[index], known_at),
            {item: before_update[item] for item in touched},
            {item: after_update[item] for item in touched},
            (starts[index], ends[index]),
            arrived[index],
            store,
            snapshot,
            sources,
            now,
            areas,
        )
        if newest is not None:
            entry.digest = f"{newest.position}:{newest.hash}"
        entries.append(entry)
        listed[entry.name] = positions
    included = [r for r in new if r.id in shown_ids]
    head = included[-1] if included else None
    digest = f"{head.position}:{head.hash}" if head else saved.digest

    def earlier(position: int) -> list[Record]:
        return [r for r in store.read(after=position) if cut.knows(r.recorded_at)]

    def fill_item(entry: ItemEntry) -> None:
        if entry.id in before_update:
            _fill(entry, seen, sources)
            return
        own = {r.position: r for r in store.read(item=entry.id)}
        own.update((r.position, r) for r in seen.retractions.values())
        _fill(entry, RecordView([own[p] for p in sorted(own)], cut), sources)

    def fill_period(entry: PeriodEntry) -> None:
        if entry.happened or entry.reported:
            return  # already listed
        order = {position: index for index, position in enumerate(listed[entry.name])}
        found = sorted(store.read_at(order), key=lambda r: order[r.position])
        period_cut = Cut(entry.end, known_at)
        _list_happened(
            entry.period, period_cut, found, sources, now, entry.happened, entry.reported
        )

    return Site(
        title=title,
        as_of=as_of,
        known_at=known_at,
        known_at_given=False,
        digest=digest,
        position=head.position if head else saved.position,
        method=METHOD,
        kind=kind,
        since=periods[0],
        base_url=base_url,
        items=dict(sorted(items.items())),
        periods=entries,
        sources=list(info.values()),
        areas=areas,
        packages=packages,
        changes=[change for entry in entries for change in entry.changes],
        records=KnownRecords(  # the cut knows every new event: it is the newest's time
            new,
            earlier=earlier,
            newest=None if new else next(iter(store.read_at([saved.head])), None),
        ),
        fill_item=fill_item,
        fill_period=fill_period,
        listed=listed,
        firsts=saved.firsts,
        head=(new[-1].position, new[-1].hash) if new else (saved.head, saved.head_hash),
    )


def _updated_period(
    kept: SavedPeriod,
    period: Period,
    cut: Cut,
    old: dict[str, dict[date, ItemStatus]],
    fresh: dict[str, dict[date, ItemStatus]],
    bounds: tuple[date, date],
    arrived: list[Record],
    store: Store,
    snapshot: Snapshot,
    sources: _Sources,
    now: dict[str, ItemStatus],
    areas: dict[str, str],
) -> tuple[PeriodEntry, list[int]]:
    """A kept period's entry with the touched items' part (``old``: their statuses at
    each date as kept, ``fresh``: now) taken out and put back, and the events that
    ``arrived`` in it listed: what ``_period`` makes of the whole ledger now, and the
    positions it lists."""
    start, end = bounds
    counts, previous = Counter(kept.counts), Counter(kept.previous_counts)
    late = kept.late

    def tally(statuses: dict[str, dict[date, ItemStatus]], sign: int) -> None:
        nonlocal late
        for by_day in statuses.values():
            after, before = by_day.get(end), by_day.get(start)
            if after is not None and after.kind == "promise":
                counts[after.status] += sign
                late += sign if after.status == "delivered" and after.late else 0
            if before is not None and before.kind == "promise":
                previous[before.status] += sign

    tally(old, -1)
    tally(fresh, 1)
    # what the kept entry found, the touched items' part taken out, then theirs now
    found = _Found(period, cut, snapshot, sources, now)
    found.news, found.first_reported = Counter(kept.news), Counter(kept.first_reported)
    for change in kept.changes:
        if change.item in old:
            found.net(change, old[change.item][end], old[change.item].get(start), -1)
        else:
            found.changes.append(change)
    found.overdue = [item for item in kept.newly_overdue if item not in old]
    found.new_disputes = [item for item in kept.new_disputes if item not in old]
    found.resolved = [item for item in kept.resolved_disputes if item not in old]
    found.gaps = [(item, note) for item, note in kept.gaps if item not in old]
    for item in sorted(fresh):
        after = fresh[item].get(end)
        if after is not None:
            found.take(item, fresh[item].get(start), after)
    positions, event_counts, inputs = kept.listed, kept.event_counts, kept.inputs
    added, _, _ = _listed_with_names(arrived, sources, now)
    if added:  # the period's list grew: counted and digested again over all of it
        merged = sorted([*store.read_at(positions), *added], key=timeline_order)
        listed, documents, named = _listed_with_names(merged, sources, now)
        positions = [record.position for record in listed]
        event_counts = _count_events(period, cut, listed, now, areas)
        inputs = _happened_inputs(listed, documents, named, sources, now)
    entry = found.entry(
        end,
        counts=counts,
        previous_counts=previous,
        late=late,
        event_counts=event_counts,
        inputs=inputs,
        areas=areas,
    )
    entry.digest = kept.digest
    return entry, positions


def _link_items(links: Iterable[Link], items: dict[str, ItemEntry]) -> None:
    """Each link between two listed items, on both: in its words, with the other's title
    and status."""
    for link in links:
        if link.source in items and link.target in items:
            out_word, in_word = _RELATION_WORDS.get(
                link.relation, (link.relation.replace("_", " "), link.relation.replace("_", " "))
            )
            target, source = items[link.target], items[link.source]
            source.links_out.append(LinkRef(out_word, target.id, target.title, target.status_word))
            target.links_in.append(LinkRef(in_word, source.id, source.title, source.status_word))
