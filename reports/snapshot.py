"""One read of the ledger for all the reports of a run: every record, folded once.

``load_snapshot(store)`` reads the log once, in position order, and folds it with the
status projection's own pure fold (``ledger.fold_status``), so a whole series of
reports costs one pass over the events. Reports need the full records anyway (quotes,
locators and the long fields the projection's state leaves out), so folding them here
is cheaper than also loading the projection's checkpoint. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from events import date_bounds
from ledger import Record, Store, empty_state, fold_status, read_sources

__all__ = ["DocumentInfo", "Snapshot", "effective_end", "load_snapshot"]


@dataclass(frozen=True)
class DocumentInfo:
    """What the bundled dataset's ``sources.yaml`` says about one document."""

    title: str
    published: str
    author: str = ""
    url: str | None = None


@dataclass
class Snapshot:
    records: list[Record]
    state: dict[str, Any]
    documents: dict[str, DocumentInfo] = field(default_factory=dict)

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


def _bundled_documents() -> dict[str, DocumentInfo]:
    try:
        sources = read_sources()
    except Exception:  # noqa: BLE001 - no bundled sources: show what the events say
        return {}
    return {
        name: DocumentInfo(
            title=source.title, published=source.published, author=source.author, url=source.url
        )
        for name, source in sources.items()
    }


def load_snapshot(store: Store) -> Snapshot:
    records = list(store.read())
    state = empty_state()
    fold_status(state, records)
    return Snapshot(records, state, _bundled_documents())
