"""The site's pages, laid out from the site model: home, items, areas, packages, reports
(with the pages of their lists too long to show inline), sources, method and downloads.

Each function yields ``(path, text)`` pairs, paths relative to the site's folder, so the
publisher decides what to write; nothing here reads the ledger or the file system. Every
page links with relative paths (it works from the file system and from any static host);
``og:`` metadata and a canonical link appear when the site has a base URL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from reports.charts import StackedChart, stacked_bars
from reports.rendering import render
from reports.site.data import DATA_FILES
from reports.site.database import DATABASE, METADATA
from reports.site.dates import human_date
from reports.site.manifest import digest_of
from reports.site.model import (
    CHANGES_CAP,
    GAP_MONTHS,
    LIST_CAP,
    AreaCount,
    Change,
    EventLine,
    ItemEntry,
    ItemLine,
    PeriodEntry,
    Site,
    listed_area,
)
from reports.site.slugs import display_name
from reports.wording import STATUS_COLOURS, STATUS_ORDER, STATUS_WORDS

__all__ = ["Page", "SiteHeader", "list_pages", "period_report", "site_pages"]


@dataclass(frozen=True)
class Page:
    """One file of the site: its path, the digest of what it is made from, and how to
    render it (only when the file does not already hold what that digest made)."""

    path: str
    key: str
    render: Callable[[], str]

    @property
    def text(self) -> str:
        return self.render()


@dataclass(frozen=True)
class SiteHeader:
    """What every page's frame shows of the site. Every page sees only this as
    ``site``, beside its own small context, so its input digest covers all it can show:
    a template reaching for more fails (``StrictUndefined``)."""

    title: str
    as_of_text: str
    as_of_iso: str
    method: str
    kind: str


#: How many of the latest period's changes the home page lists before linking the report.
HOME_CHANGES = 12


def ink_for(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (#rrggbb)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000" if luminance > 0.45 else "#fff"


def _change_text(now: int, before: int) -> str:
    delta = now - before
    return f"+{delta}" if delta > 0 else str(delta) if delta < 0 else "no change"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "no promises yet"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count:,} {noun}s"


class _Pages:
    """Renders pages with what every page needs: the site, the way to its root, its URL."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.header = SiteHeader(
            site.title, site.as_of_text, site.as_of_iso, site.method, site.kind
        )

    @cached_property
    def listed(self) -> list[tuple[ItemEntry, ItemLine]]:
        """Every item with its line, in the order lists show them (by title, then id):
        made once for the index and every area and package page."""
        items = sorted(self.site.items.values(), key=lambda i: (i.title.lower(), i.id))
        return [(item, item.line()) for item in items]

    def page(
        self,
        path: str,
        template: str,
        page_title: str,
        description: str,
        *,
        inputs: str = "",
        late: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> Page:
        """A page of ``template`` that sees only the header and ``context``, keyed by
        their digest (with ``inputs``, the digest of what a light entry in it will be
        filled with, or of what ``late`` adds to the context when the page is rendered):
        never the whole site model, so the key covers all it shows."""
        url = None
        if self.site.base_url:
            url = self.site.base_url.rstrip("/") + "/" + path
        context.update(
            site=self.header,
            root="../" * path.count("/"),
            url=url,
            page_title=page_title,
            description=description,
        )
        key = digest_of(template, sorted(context.items()), inputs)
        if late is None:
            return Page(path, key, lambda: render(f"site/{template}", **context))
        return Page(path, key, lambda: render(f"site/{template}", **context, **late()))


@dataclass(frozen=True)
class MeterRow:
    key: str
    word: str
    colour: str
    count: int
    change: str
    width: str
    evidence: str


@dataclass(frozen=True)
class GroupLink:
    name: str
    slug: str
    summary: str


@dataclass(frozen=True)
class StatusGroup:
    key: str
    word: str
    meaning: str
    colour: str
    lines: list[ItemLine]


@dataclass(frozen=True)
class PeriodLink:
    """A period as the home page names it: its name, its dates, the one before it."""

    name: str
    label: str
    previous: str


@dataclass(frozen=True)
class ReportRow:
    """A period's row in the list of reports."""

    name: str
    label: str
    delivered: int
    promises: int
    changes: int


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    bars: list[Any]
    ticks: list[tuple[str, str]]
    axis_x: str
    axis_y: str
    axis_right: str
    labels: list[tuple[str, str, str]]


def site_pages(site: Site) -> Iterator[Page]:
    """Every HTML page of the site (the period reports come from ``period_report``)."""
    pages = _Pages(site)
    yield _home(pages)
    for item in site.items.values():
        yield _item_page(pages, item)
    yield _items_index(pages)
    yield from _groups(pages, "area")
    yield from _groups(pages, "package")
    yield pages.page(
        "sources.html",
        "sources.html",
        "Sources",
        f"The {len(site.sources)} documents cited by the ledger's events.",
        sources=site.sources,
    )
    yield _method(pages)
    yield _downloads(pages)
    yield pages.page(
        "periods/index.html",
        "periods.html",
        "Reports",
        f"One short report per {site.kind}, {site.since.name} to {site.latest.name}.",
        reports=[
            ReportRow(e.name, e.period.label, e.delivered, e.promises, len(e.changes))
            for e in reversed(site.periods)
        ],
    )


# -- home -------------------------------------------------------------------------------
def _home(pages: _Pages) -> Page:
    site = pages.site
    latest = site.latest
    reports = [PeriodLink(p.name, p.period.label, p.previous.name) for p in reversed(site.periods)]
    before = latest.previous_counts
    promises = latest.promises
    evidence: dict[str, Counter[str]] = defaultdict(Counter)
    for item in site.items.values():
        if item.kind == "promise" and item.evidence:
            evidence[item.status.status][item.evidence] += 1
    meter = [
        MeterRow(
            key,
            STATUS_WORDS[key][0],
            STATUS_COLOURS[key],
            latest.counts[key],
            _signed(latest.news[key]) if latest.news[key] else "",
            f"{100 * latest.counts[key] / promises:.2f}" if promises else "0",
            "; ".join(f"{text}: {n}" for text, n in sorted(evidence[key].items())),
        )
        for key in STATUS_ORDER
    ]
    delivered_before = before["delivered"]
    reported = latest.first_reported["delivered"]
    delivered_change = _change_text(delivered_before + latest.news["delivered"], delivered_before)
    change_line = (
        f"{delivered_change.capitalize()} in delivered promises from what happened since "
        f"the end of {latest.previous.name} ({delivered_before} of {sum(before.values())})"
        + (f"; {_signed(reported)} first reported, having happened earlier" if reported else "")
        + f"; as of {site.as_of_text}."
    )
    others = Counter(i.status.status for i in site.items.values() if i.kind != "promise")
    others_line = f"The ledger also tracks {sum(others.values())} laws, amendments and milestones."
    history = [(p.name, [p.counts[k] for k in STATUS_ORDER], p.promises) for p in site.periods]
    legend = [
        (STATUS_WORDS[k][0], STATUS_COLOURS[k])
        for k in STATUS_ORDER
        if any(p.counts[k] for p in site.periods)
    ]
    home = {
        "promises": promises,
        "delivered": latest.delivered,
        "late": latest.late,
        "share": _percent(latest.delivered, promises),
        "change_line": change_line,
        "others_line": others_line,
        "meter": meter,
        "any_change": any(m.change for m in meter),
        "bar_label": "; ".join(f"{m.word} {m.count}" for m in meter if m.count),
        "latest_changes": latest.changes[:HOME_CHANGES],
        "more_changes": max(len(latest.changes) - HOME_CHANGES, 0),
        # the rest are in its report, or on their own page when the report has too many
        "changes_page": _changes_page_of(latest),
        "chart": _trend(site),
        "legend": legend,
        "columns": [(STATUS_WORDS[k][0], STATUS_COLOURS[k]) for k in STATUS_ORDER],
        "history": history,
        "areas": _group_links(site, "area"),
        "packages": _group_links(site, "package"),
        "reports": reports,
        "latest": reports[0],  # the newest first
        "since": site.since.name,
        "item_count": len(site.items),
        "source_count": len(site.sources),
    }
    description = (
        f"{latest.delivered:,} of {promises:,} promises delivered ({home['share']}) as of "
        f"{site.as_of_text}; every status derived from cited, dated events."
    )
    return pages.page("index.html", "home.html", site.title, description, home=home)


def _trend(site: Site) -> TrendChart:
    names = [p.name for p in site.periods]
    chart: StackedChart = stacked_bars(
        names,
        [dict(p.counts) for p in site.periods],
        STATUS_ORDER,
        {k: v[0] for k, v in STATUS_WORDS.items()},
        STATUS_COLOURS,
    )
    labels = []
    starts = {"quarter": "-Q1", "month": "-01"}.get(site.kind)
    every = max(1, -(-len(names) // 6))
    for index, bar in enumerate(chart.bars):
        if starts is None:
            show, text = index % every == 0, bar.name
        elif bar.name.endswith(starts):
            show, text = True, bar.name[:4]
        else:  # a first bar in mid-year is labelled only when the next label is far
            gap = next((n for n, b in enumerate(chart.bars[index:]) if b.name.endswith(starts)), 9)
            show, text = index == 0 and gap >= 3, bar.name
        if show:
            labels.append((bar.label_x, str(float(bar.label_y) + 6), text))
    if starts is not None and len(labels) > 7:
        labels = labels[:: -(-len(labels) // 7)]
    return TrendChart(
        chart.width,
        chart.height + 10,
        chart.bars,
        chart.ticks,
        chart.axis_x,
        chart.axis_y,
        chart.axis_right,
        labels,
    )


def _group_links(site: Site, attribute: str) -> list[GroupLink]:
    slugs = site.areas if attribute == "area" else site.packages
    members: dict[str, list[ItemEntry]] = defaultdict(list)
    for item in site.items.values():
        name = getattr(item, attribute)
        if name:
            members[name].append(item)
    links = []
    for name in sorted(members):
        promises = [i for i in members[name] if i.kind == "promise"]
        delivered = sum(1 for i in promises if i.status.status == "delivered")
        summary = f"{_plural(len(promises), 'promise')}, {delivered} delivered"
        if len(members[name]) > len(promises):
            summary += f"; {len(members[name]) - len(promises)} other items"
        links.append(GroupLink(display_name(name), slugs[name], summary))
    return links


# -- items and groups ------------------------------------------------------------------
def _item_page(pages: _Pages, item: ItemEntry) -> Page:
    description = f"{item.kind_word.capitalize()}: {item.status_word}"
    if item.evidence:
        description += f", {item.evidence}"
    description += f"; {item.freshness}."
    page = pages.page(
        f"items/{item.id}.html",
        "item.html",
        item.title,
        description,
        item=item,
        ink=ink_for(item.colour),
    )
    fill = pages.site.fill_item
    if fill is None:  # the entry is whole
        return page

    def render() -> str:  # the key covers the timeline by its inputs: made only now
        fill(item)
        return page.render()

    return Page(page.path, page.key, render)


def _status_groups(listed: list[tuple[ItemEntry, ItemLine]]) -> list[StatusGroup]:
    """The items of ``listed`` (in list order) grouped by status."""
    by_status: dict[str, list[ItemLine]] = defaultdict(list)
    for item, line in listed:
        by_status[item.status.status].append(line)
    return [
        StatusGroup(
            key, STATUS_WORDS[key][0], STATUS_WORDS[key][1], STATUS_COLOURS[key], by_status[key]
        )
        for key in STATUS_ORDER
        if by_status[key]
    ]


def _items_index(pages: _Pages) -> Page:
    items = pages.listed
    return pages.page(
        "items/index.html",
        "items.html",
        "Every item by status",
        f"All {len(items)} promises, laws, amendments and milestones, grouped by status.",
        heading="Every item by status",
        intro="Promises, laws, amendments and milestones, grouped by their derived status. "
        "Each has a permanent page with its timeline, quotes and sources.",
        groups=_status_groups(items),
        feed="",
    )


def _groups(pages: _Pages, attribute: str) -> Iterator[Page]:
    site = pages.site
    slugs = site.areas if attribute == "area" else site.packages
    folder = "areas" if attribute == "area" else "packages"
    noun = "Area" if attribute == "area" else "Reform package"
    members: dict[str, list[tuple[ItemEntry, ItemLine]]] = defaultdict(list)
    for item, line in pages.listed:
        name = getattr(item, attribute)
        if name:
            members[name].append((item, line))
    for name in sorted(members):
        promises = [i for i, _ in members[name] if i.kind == "promise"]
        delivered = sum(1 for i in promises if i.status.status == "delivered")
        summary = (
            f"{_plural(len(members[name]), 'item')}: {_plural(len(promises), 'promise')}, "
            f"{delivered} of them delivered."
        )
        yield pages.page(
            f"{folder}/{slugs[name]}.html",
            "items.html",
            f"{noun}: {display_name(name)}",
            summary,
            heading=f"{noun}: {display_name(name)}",
            intro=summary,
            groups=_status_groups(members[name]),
            feed=f"feeds/area-{slugs[name]}.xml" if attribute == "area" else "",
        )


# -- method -----------------------------------------------------------------------------
PYTHON_CHECK = (
    "python3 -c '\n"
    "import hashlib, json\n"
    'head = "0" * 64\n'
    'for position, line in enumerate(open("data/events.jsonl", encoding="utf-8"), 1):\n'
    "    event = json.loads(line)\n"
    '    digest, prev = event.pop("hash"), event.pop("prev_hash")\n'
    '    body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)\n'
    '    assert prev == head and event["position"] == position, position\n'
    "    assert hashlib.sha256((prev + body).encode()).hexdigest() == digest, position\n"
    "    head = digest\n"
    'print(f"{position}:{head}")\''
)


def _method(pages: _Pages) -> Page:
    site = pages.site
    ledger_check = (
        "reform-ledger --db check.db init\n"
        "reform-ledger --db check.db import data/events.jsonl\n"
        f"reform-ledger --db check.db verify --digest {site.digest}"
    )
    options = [f"--as-of {site.as_of.isoformat()}"]
    if site.known_at_given:
        options.append(f"--known-at {site.known_at}")
    options += [f"--period {site.kind}", f"--since {site.since.name}"]
    if site.base_url:
        options.append(f"--base-url {site.base_url}")
    site_check = f"reform-ledger --db check.db publish --out site {' '.join(options)}"
    if site.title != "Reform Ledger":
        site_check += " --title '" + site.title.replace("'", "'\\''") + "'"
    statuses = [
        (k, STATUS_WORDS[k][0], STATUS_WORDS[k][1], STATUS_COLOURS[k]) for k in STATUS_ORDER
    ]
    return pages.page(
        "method.html",
        "method.html",
        "Method",
        f"How every status is derived (method {site.method}) and how to check this site.",
        known_at_text=site.known_at_text,
        digest=site.digest,
        statuses=statuses,
        gap_months=GAP_MONTHS,
        python_check=PYTHON_CHECK,
        ledger_check=ledger_check,
        site_check=site_check,
    )


@dataclass(frozen=True)
class Download:
    anchor: str
    path: str
    description: str
    fields: list[tuple[str, str, str]]


def _downloads(pages: _Pages) -> Page:
    files = [Download(f.anchor, f.path, f.description, f.field_rows) for f in DATA_FILES]
    files += [
        Download(
            "digest",
            "data/digest.txt",
            "The ledger digest (position:hash) that data/events.jsonl ends at.",
            [],
        ),
        Download(
            "database",
            DATABASE,
            "A SQLite read model: items, periods, status history, events with quotes, "
            "sources, links and disagreements, with full-text search on titles, statements "
            "and quotes. A copy for reading: only the site's builds write to it, each bringing "
            "it up to date with the ledger.",
            [],
        ),
        Download(
            "metadata",
            METADATA,
            "Datasette metadata for the database: titles, descriptions, search tables.",
            [],
        ),
        Download(
            "datapackage",
            "datapackage.json",
            "The Frictionless Data Package describing the CSV and JSON Lines files, with "
            "their Table Schemas, sizes and SHA-256 hashes.",
            [],
        ),
    ]
    return pages.page(
        "downloads.html",
        "downloads.html",
        "Downloads",
        "The data behind the site: CSV, JSON Lines, a data package and a SQLite database.",
        digest=pages.site.digest,
        files=files,
    )


# -- period reports ---------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreRow:
    key: str
    word: str
    colour: str
    count: int
    #: the net change from what happened in the period (and time passing)
    change: str
    #: the net change from what was only first reported in it
    reported: str


def _report_context(
    site: Site, index: int, events_page: str, gaps_page: str, changes_page: str
) -> dict[str, Any]:
    """The report's context; a list that has a page of its own (``events_page``,
    ``gaps_page``, ``changes_page``: its file name, else empty) is left out, only its
    counts shown."""
    entry: PeriodEntry = site.periods[index]
    before_counts = entry.previous_counts
    delivered_before = before_counts["delivered"]
    promises_before = sum(before_counts.values())
    headline = (
        f"{entry.delivered:,} of {entry.promises:,} promises delivered "
        f"({_percent(entry.delivered, entry.promises)})"
        + (f", {entry.late:,} of them late" if entry.late else "")
        + f"; at the end of {entry.previous.name}: {delivered_before:,} of {promises_before:,}."
    )
    score = [
        ScoreRow(
            k,
            STATUS_WORDS[k][0],
            STATUS_COLOURS[k],
            entry.counts[k],
            _signed(entry.news[k]),
            _signed(entry.first_reported[k]),
        )
        for k in STATUS_ORDER
    ]
    changes: dict[str, list[Change]] = defaultdict(list)
    for change in [] if changes_page else entry.changes:
        changes[change.how].append(change)
    report = {
        "name": entry.name,
        "label": entry.period.label,
        "as_of": human_date(entry.end),
        "previous": entry.previous.name,
        "has_previous": entry.period != site.since,
        "headline": headline,
        "score": score,
        "happened_changes": changes["happened"],
        "reported_changes": changes["reported"],
        "time_changes": changes["time"],
        "changes_page": changes_page,
        "changes_text": _changes_text(entry, site.kind) if changes_page else "",
        "change_areas": entry.change_areas if changes_page else [],
        "happened": [] if events_page else entry.happened,
        "reported": [] if events_page else entry.reported,
        "events_page": events_page,
        "events_text": _events_text(entry, site.kind) if events_page else "",
        "event_areas": entry.event_counts.areas if events_page else [],
        "newly_overdue": entry.newly_overdue,
        "new_disputes": entry.new_disputes,
        "resolved_disputes": entry.resolved_disputes,
        "gaps": [] if gaps_page else entry.gaps,
        "gaps_page": gaps_page,
        "gaps_text": _gaps_text(len(entry.gaps)) if gaps_page else "",
        "gap_areas": entry.gap_areas if gaps_page else [],
        "digest": entry.digest,
    }
    return {"r": report, "kind": site.kind, "gap_months": GAP_MONTHS}


def _events_text(entry: PeriodEntry, kind: str) -> str:
    """How many events a period's list holds, as a sentence (for its report and page)."""
    counted = entry.event_counts
    earlier = (
        f"{_plural(counted.reported, 'event')} that happened earlier (within the range "
        f"given) {'was' if counted.reported == 1 else 'were'} first reported in it"
    )
    if not counted.happened:
        return f"No event is known to have happened in this {kind}; {earlier}."
    happened = f"{_plural(counted.happened, 'event')} happened this {kind}"
    return f"{happened}, and {earlier}." if counted.reported else f"{happened}."


def _changes_text(entry: PeriodEntry, kind: str) -> str:
    """How many status changes a period's list holds, by cause, as a sentence."""
    how = Counter(change.how for change in entry.changes)
    causes = [
        (how["happened"], f"{how['happened']:,} caused by what happened this {kind}"),
        (how["reported"], f"{how['reported']:,} first reported in it, having happened earlier"),
        (how["time"], f"{how['time']:,} by time passing"),
    ]
    said = [text for count, text in causes if count]
    joined = said[-1] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return f"{_plural(len(entry.changes), 'item')} changed status: {joined}."


def _gaps_text(count: int) -> str:
    """How many coverage gaps a period's list holds, as a sentence."""
    have = "has" if count == 1 else "have"
    return (
        f"{_plural(count, 'open promise')} {have} had no evidence for {GAP_MONTHS} months or more."
    )


def _signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else str(delta)


def list_pages(period: str) -> tuple[str, str, str]:
    """The paths of the pages a period's report may give its long lists."""
    return (
        f"periods/{period}-events.html",
        f"periods/{period}-gaps.html",
        f"periods/{period}-changes.html",
    )


def _changes_page_of(entry: PeriodEntry) -> str:
    """The file name of the page a period's status changes move to (beside its report),
    or "" when they are few enough to stay in it."""
    if len(entry.changes) <= CHANGES_CAP:
        return ""
    return list_pages(entry.name)[2].removeprefix("periods/")


def period_report(site: Site, index: int) -> Iterator[Page]:
    """The short report of ``site.periods[index]``, as HTML and Markdown, one context, and
    a page of its own for each of its lists longer than ``LIST_CAP`` (its events,
    ``periods/<P>-events.html``, and its coverage gaps, ``periods/<P>-gaps.html``) or,
    for its status changes, ``CHANGES_CAP`` (``periods/<P>-changes.html``), which the
    report then summarises and links to. A report's key covers a moved list by the
    counts it shows; the list's page is keyed by the lines it shows."""
    pages = _Pages(site)
    entry = site.periods[index]
    events_path, gaps_path, changes_path = list_pages(entry.name)
    events_page = (
        events_path.removeprefix("periods/") if entry.event_counts.total > LIST_CAP else ""
    )
    gaps_page = gaps_path.removeprefix("periods/") if len(entry.gaps) > LIST_CAP else ""
    changes_page = _changes_page_of(entry)
    context = _report_context(site, index, events_page, gaps_page, changes_page)
    description = context["r"]["headline"]
    fill = None if events_page else site.fill_period  # a moved list is its page's
    inputs = "" if events_page else entry.inputs

    def filled(make: Callable[[], str]) -> Callable[[], str]:
        if fill is None:  # the entry is whole, or the report lists none of its events
            return make

        def render_filled() -> str:  # the context holds the lists filled in place
            fill(entry)
            return make()

        return render_filled

    page = pages.page(
        f"periods/{entry.name}.html",
        "period.html",
        f"Report {entry.name}",
        description,
        inputs=inputs,
        **context,
    )
    markdown = dict(
        site_title=site.title,
        known_at=site.known_at_text if site.known_at_given else "",
        method=site.method,
        **context,
    )
    # both keys before either page is rendered (rendering fills the lists they share)
    key = digest_of("period.md", sorted(markdown.items()), inputs)
    yield Page(page.path, page.key, filled(page.render))
    yield Page(
        f"periods/{entry.name}.md", key, filled(lambda: render("site/period.md", **markdown))
    )
    if events_page:
        yield _events_page(pages, entry, events_path)
    if gaps_page:
        yield _gaps_page(pages, entry, gaps_path)
    if changes_page:
        yield _changes_page(pages, entry, changes_path)


@dataclass(frozen=True)
class AreaSection:
    """One area's part of a period's list page."""

    area: AreaCount
    happened: list[EventLine]
    reported: list[tuple[EventLine, str]]
    gaps: list[ItemLine]
    #: its status changes by cause ("happened", "reported", "time"), in the report's order
    changes: list[tuple[str, list[Change]]] = field(default_factory=list)


def _list_header(entry: PeriodEntry) -> dict[str, Any]:
    """What a list page says of its period, as its report does."""
    return {
        "name": entry.name,
        "label": entry.period.label,
        "as_of": human_date(entry.end),
        "digest": entry.digest,
    }


def _events_page(pages: _Pages, entry: PeriodEntry, path: str) -> Page:
    """Every event a period's report would list, grouped by area: keyed by the digest of
    what its lines are made from (``entry.inputs``, when they are listed only for a page
    that is rendered) beside their counts."""
    kind = pages.site.kind
    text = _events_text(entry, kind)
    fill = pages.site.fill_period

    def sections() -> dict[str, Any]:
        if fill is not None:
            fill(entry)
        happened: dict[str, list[EventLine]] = defaultdict(list)
        reported: dict[str, list[tuple[EventLine, str]]] = defaultdict(list)
        for line in entry.happened:
            happened[line.area].append(line)
        for line, span in entry.reported:
            reported[line.area].append((line, span))
        return {
            "sections": [
                AreaSection(a, happened[a.area], reported[a.area], [])
                for a in entry.event_counts.areas
            ]
        }

    return pages.page(
        path,
        "period-list.html",
        f"Events of {entry.name}",
        f"{text} Each with its source, by area.",
        inputs=entry.inputs,
        late=sections,
        r=_list_header(entry),
        kind=kind,
        what="events",
        heading=f"Events of {entry.name}",
        text=text,
        areas=entry.event_counts.areas,
        gap_months=GAP_MONTHS,
    )


def _changes_page(pages: _Pages, entry: PeriodEntry, path: str) -> Page:
    """Every status change of a period, grouped by area and, within it, by cause as the
    report groups them."""
    kind = pages.site.kind
    text = _changes_text(entry, kind)
    by_area: dict[str, dict[str, list[Change]]] = defaultdict(lambda: defaultdict(list))
    for change in entry.changes:
        by_area[listed_area(change.area, pages.site.areas)][change.how].append(change)
    sections = [
        AreaSection(
            a,
            [],
            [],
            [],
            [(how, by_area[a.area][how]) for how in ("happened", "reported", "time")],
        )
        for a in entry.change_areas
    ]
    return pages.page(
        path,
        "period-list.html",
        f"Status changes of {entry.name}",
        f"{text} Each with its cause and source, by area.",
        r=_list_header(entry),
        kind=kind,
        what="changes",
        heading=f"Status changes of {entry.name}",
        text=text,
        areas=entry.change_areas,
        gap_months=GAP_MONTHS,
        sections=sections,
    )


def _gaps_page(pages: _Pages, entry: PeriodEntry, path: str) -> Page:
    """Every coverage gap at a period's end, grouped by area."""
    text = _gaps_text(len(entry.gaps))
    by_area: dict[str, list[ItemLine]] = defaultdict(list)
    for line in entry.gaps:
        by_area[line.area].append(line)
    return pages.page(
        path,
        "period-list.html",
        f"Coverage gaps of {entry.name}",
        f"{text} A gap in the ledger's coverage, not a finding about the promise.",
        r=_list_header(entry),
        kind=pages.site.kind,
        what="gaps",
        heading=f"Coverage gaps at the end of {entry.name}",
        text=text,
        areas=entry.gap_areas,
        gap_months=GAP_MONTHS,
        sections=[AreaSection(a, [], [], by_area[a.area]) for a in entry.gap_areas],
    )
