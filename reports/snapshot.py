"""One read of the ledger for all the reports of a run: every record, folded once.

``load_snapshot(store)`` reads the log once, in position order, and folds it with the
read model's own pure fold (``ledger.fold_log``) and the source registry's
(``ledger.fold_sources``), so a whole series of reports costs one pass over the events.
Reports need the full records anyway (quotes, locators and the long fields the folded
log leaves out), so folding them here is cheaper than also loading the checkpoint.
Titles, authors, dates and URLs of sources come from the ledger's own registrations, as
known at the report's known-at time. Nothing is written.

``load_period_snapshot(store)`` is what one period's report reads instead: the folded log
from the ledger's checkpoint (``ledger.catch_up``, equal to a replay) and, once the report
knows what it names, only those records (``PeriodSnapshot.period_records``), read by
position. Both answer the same questions the same way; tests compare the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger import (
    Cut,
    FoldedLog,
    Knowledge,
    Record,
    RecordView,
    SourceRegistry,
    Store,
    catch_up,
    empty_sources,
    fold_log,
    fold_sources,
    period_reads,
    registry_at,
)

__all__ = [
    "PeriodSnapshot",
    "Snapshot",
    "count_citations",
    "load_period_snapshot",
    "load_snapshot",
]

#: What ``period_records`` returns: the records seen through the cut, and per cited
#: document how many shown records cite it and the first of them (items in order, each
#: item's records by (start, position)).
PeriodRecords = tuple[RecordView, Counter[str], dict[str, Record]]


@dataclass
class Snapshot:
    """Every record in position order, the folded log, and the sources' registrations."""

    records: list[Record]
    log: FoldedLog
    sources: dict[str, Any] = field(default_factory=empty_sources)

    def __post_init__(self) -> None:
        self.by_id = {record.id: record for record in self.records}
        self._knowledge: dict[str, Knowledge] = {}

    @property
    def latest_recorded_at(self) -> str:
        return self.records[-1].recorded_at if self.records else ""

    def knowledge(self, known_at: str) -> Knowledge:
        """What the ledger knew at ``known_at`` (computed once per time asked)."""
        if known_at not in self._knowledge:
            self._knowledge[known_at] = Knowledge(self.log, known_at)
        return self._knowledge[known_at]

    def records_at(self, cut: Cut) -> RecordView:
        return RecordView(self.records, cut)

    def registry(self, known_at: str | None = None) -> SourceRegistry:
        """The registered sources as known at ``known_at`` (``None``: all of them)."""
        return registry_at(self.sources, known_at)

    def period_records(
        self,
        cut: Cut,
        span: tuple[date, date],
        since: date,
        items: list[str],
        causes: Collection[str],
    ) -> PeriodRecords:
        """What one period's report reads (see ``PeriodSnapshot.period_records``); here
        every record is at hand."""
        seen = self.records_at(cut)
        shown = (record for item in items for record in seen.per_item.get(item, ()))
        return seen, *count_citations(shown)

    def item_view(self, seen: RecordView, item: str) -> RecordView:
        """A view that holds ``item``'s records as ``seen`` would (``seen`` itself)."""
        return seen


class PeriodSnapshot(Snapshot):
    """The folded log of the ledger's checkpoint, and only the records one period's report
    names, read from ``store`` when ``period_records`` is asked (``records`` and ``by_id``
    hold those alone)."""

    def __init__(self, store: Store, log: FoldedLog, sources: dict[str, Any]) -> None:
        super().__init__([], log, sources)
        self.store = store
        self._latest = max(
            (stream.events[-1].recorded_at for stream in log.streams.values() if stream.events),
            default="",
        )

    @property
    def latest_recorded_at(self) -> str:
        return self._latest

    def period_records(
        self,
        cut: Cut,
        span: tuple[date, date],
        since: date,
        items: list[str],
        causes: Collection[str],
    ) -> PeriodRecords:
        """The records seen through ``cut`` that one period's report reads (which, the
        read model's ``period_reads`` says from one walk over the folded log), read by
        position; and the documents the shown records of ``items`` cite, counted."""
        reads = period_reads(self.log, cut, span, since, items, causes)
        self.records = self.store.read_at(reads.positions)
        self.by_id = {record.id: record for record in self.records}
        by_position = {record.position: record for record in self.records}
        first = {document: by_position[position] for document, position in reads.firsts.items()}
        return RecordView(self.records, cut), reads.counts, first

    def item_view(self, seen: RecordView, item: str) -> RecordView:
        """``item``'s records through the same cut, read from the store (with the
        retractions ``seen`` holds): what a full read would show of it."""
        records = {r.position: r for r in self.store.read(item=item)}
        records.update((r.position, r) for r in seen.retractions.values())
        return RecordView([records[p] for p in sorted(records)], seen.cut)


def count_citations(records: Iterable[Record]) -> tuple[Counter[str], dict[str, Record]]:
    """Per cited document, how many of ``records`` cite it and the first of them."""
    counts: Counter[str] = Counter()
    first: dict[str, Record] = {}
    for record in records:
        document = record.source.get("document", "")
        counts[document] += 1
        first.setdefault(document, record)
    return counts, first


def load_snapshot(store: Store) -> Snapshot:
    records = list(store.read())
    log = FoldedLog()
    fold_log(log, records)
    sources = empty_sources()
    fold_sources(sources, records)
    return Snapshot(records, log, sources)


def load_period_snapshot(store: Store) -> PeriodSnapshot:
    """The folded log from the ledger's checkpoint (caught up and saved, as ``status``
    does) and the sources' registrations; records are read later, only those named."""
    log = catch_up(store).log
    sources = empty_sources()
    fold_sources(sources, store.read(types=["source.registered", "event.retracted"]))
    return PeriodSnapshot(store, log, sources)
