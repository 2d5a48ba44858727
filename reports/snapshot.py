"""One read of the ledger for all the reports of a run: every record, folded once.

``load_snapshot(store)`` reads the log once, in position order, and folds it with the
read model's own pure fold (``ledger.fold_log``), so a whole series of
reports costs one pass over the events. Reports need the full records anyway (quotes,
locators and the long fields the projection's state leaves out), so folding them here
is cheaper than also loading the projection's checkpoint. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger import Cut, FoldedLog, Knowledge, Record, RecordView, Store, fold_log, read_sources

__all__ = ["DocumentInfo", "Snapshot", "load_snapshot"]


@dataclass(frozen=True)
class DocumentInfo:
    """What the bundled dataset's ``sources.yaml`` says about one document."""

    title: str
    published: str
    author: str = ""
    url: str | None = None


@dataclass
class Snapshot:
    """Every record in position order, the folded log, and what is known of documents."""

    records: list[Record]
    log: FoldedLog
    documents: dict[str, DocumentInfo] = field(default_factory=dict)

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
    log = FoldedLog()
    fold_log(log, records)
    return Snapshot(records, log, _bundled_documents())
