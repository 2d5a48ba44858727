"""One read of the ledger for all the reports of a run: every record, folded once.

``load_snapshot(store)`` reads the log once, in position order, and folds it with the
read model's own pure fold (``ledger.fold_log``) and the source registry's
(``ledger.fold_sources``), so a whole series of reports costs one pass over the events.
Reports need the full records anyway (quotes, locators and the long fields the folded
log leaves out), so folding them here is cheaper than also loading the checkpoint.
Titles, authors, dates and URLs of sources come from the ledger's own registrations, as
known at the report's known-at time. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger import (
    Cut,
    FoldedLog,
    Knowledge,
    Record,
    RecordView,
    SourceRegistry,
    Store,
    empty_sources,
    fold_log,
    fold_sources,
    registry_at,
)

__all__ = ["Snapshot", "load_snapshot"]


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


def load_snapshot(store: Store) -> Snapshot:
    records = list(store.read())
    log = FoldedLog()
    fold_log(log, records)
    sources = empty_sources()
    fold_sources(sources, records)
    return Snapshot(records, log, sources)
