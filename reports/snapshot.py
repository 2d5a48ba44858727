"""One read of the ledger for all the reports of a run: every record, folded once.

``load_snapshot(store)`` reads the log once, in position order, and folds it with the
status projection's own pure fold (``ledger.fold_status``) and the source registry's
(``ledger.fold_sources``), so a whole series of reports costs one pass over the events.
Reports need the full records anyway (quotes, locators and the long fields the
projection's state leaves out), so folding them here is cheaper than also loading the
projection's checkpoint. Titles, authors, dates and URLs of sources come from the
ledger's own registrations, as known at the report's known-at time. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from events import date_bounds
from ledger import (
    Record,
    SourceRegistry,
    Store,
    empty_sources,
    empty_state,
    fold_sources,
    fold_status,
    registry_at,
    tracked,
)

__all__ = ["Snapshot", "effective_end", "load_snapshot"]


@dataclass
class Snapshot:
    records: list[Record]
    state: dict[str, Any]
    sources: dict[str, Any] = field(default_factory=empty_sources)

    def registry(self, known_at: str | None = None) -> SourceRegistry:
        """The registered sources as known at ``known_at`` (``None``: all of them)."""
        return registry_at(self.sources, known_at)

    @property
    def by_id(self) -> dict[str, Record]:
        return self._by_id

    def __post_init__(self) -> None:
        self._by_id = {record.id: record for record in self.records}
        self._retractions = [r for r in self.records if r.type == "event.retracted"]

    @property
    def retractions(self) -> list[Record]:
        return self._retractions

    @property
    def latest_recorded_at(self) -> str:
        return self.records[-1].recorded_at if self.records else ""


@lru_cache(maxsize=65536)
def effective_end(effective: str) -> str:
    """The last day an effective date covers, as ISO text (when it counts as happened)."""
    return date_bounds(effective)[1].isoformat()


def load_snapshot(store: Store) -> Snapshot:
    records = list(store.read())
    state = empty_state()
    fold_status(state, tracked(records))
    sources = empty_sources()
    fold_sources(sources, records)
    return Snapshot(records, state, sources)
