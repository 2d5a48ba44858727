"""The store and the projections: append, read, verify, and promised-vs-delivered status.

Imports ``events``; never ``reports`` or ``cli``.
"""

from ledger.datasets import load_dataset, read_dataset, read_sources
from ledger.errors import (
    ConcurrencyError,
    ConflictError,
    DuplicateEventId,
    IntegrityError,
    ItemExists,
    KindMismatch,
    LockHeld,
    LockLost,
    NotALedger,
    StorageError,
    UnknownEvent,
    UnknownItem,
)
from ledger.filters import UnknownFilterValue, filter_items, item_kinds
from ledger.importing import ImportSummary, import_files, read_event_file
from ledger.mapper import Record
from ledger.projections import (
    LABELS,
    METHOD,
    STATUSES,
    ItemStatus,
    catch_up,
    empty_state,
    evaluate,
    fold_status,
    label,
)
from ledger.projections.series import evaluate_series
from ledger.queries import (
    ItemView,
    StatusView,
    Transition,
    describe,
    diff,
    export_events,
    parse_as_of,
    parse_known_at,
    show,
    status,
)
from ledger.store import AppendResult, Store, open_store, resolve_url
from ledger.verify import VerifyReport, check_digest, digest, verify

__all__ = [
    "LABELS",
    "METHOD",
    "STATUSES",
    "AppendResult",
    "ConcurrencyError",
    "ConflictError",
    "DuplicateEventId",
    "ImportSummary",
    "IntegrityError",
    "ItemExists",
    "ItemStatus",
    "ItemView",
    "KindMismatch",
    "LockHeld",
    "LockLost",
    "NotALedger",
    "Record",
    "StatusView",
    "StorageError",
    "Store",
    "Transition",
    "UnknownEvent",
    "UnknownFilterValue",
    "UnknownItem",
    "VerifyReport",
    "catch_up",
    "check_digest",
    "describe",
    "diff",
    "digest",
    "empty_state",
    "evaluate",
    "evaluate_series",
    "export_events",
    "filter_items",
    "fold_status",
    "import_files",
    "item_kinds",
    "label",
    "load_dataset",
    "open_store",
    "parse_as_of",
    "parse_known_at",
    "read_dataset",
    "read_event_file",
    "read_sources",
    "resolve_url",
    "show",
    "status",
    "verify",
]
