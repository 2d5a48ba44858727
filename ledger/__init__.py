"""The store and the projections: append, read, verify, and promised-vs-delivered status.

Imports ``events``; never ``reports`` or ``cli``. Each public name is imported from its
module on first use (PEP 562): ``status`` does not load the importer or the datasets, and
no command loads SQLModel unless it creates tables.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# ``verify`` is both a module and its function: bind the function before anything can
# import the module and leave the module in its place.
from ledger.verify import VerifyReport, check_digest, digest, verify

if TYPE_CHECKING:
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
        UnregisteredSource,
    )
    from ledger.filters import UnknownFilterValue, filter_items, item_kinds
    from ledger.importing import ImportSummary, import_files, read_event_file
    from ledger.mapper import Record
    from ledger.projections import (
        LABELS,
        METHOD,
        METHODS,
        READING_ORDER,
        STATUSES,
        TERMS,
        Cut,
        Disagreement,
        FoldedLog,
        ItemStatus,
        Knowledge,
        RecordView,
        StatusTerm,
        View,
        catch_up,
        check_method,
        evaluate,
        evaluate_series,
        fold_log,
        label,
        meaning,
        parse_as_of,
        parse_known_at,
    )
    from ledger.projections.sources import (
        SourceInfo,
        SourceRegistry,
        empty_sources,
        fold_sources,
        registry_at,
        source_registry,
        with_registration,
    )
    from ledger.queries import (
        ItemView,
        StatusView,
        Transition,
        describe,
        diff,
        export_events,
        show,
        status,
    )
    from ledger.store import AppendResult, Store, open_store, resolve_url

__all__ = [
    "LABELS",
    "METHOD",
    "METHODS",
    "READING_ORDER",
    "STATUSES",
    "TERMS",
    "AppendResult",
    "ConcurrencyError",
    "ConflictError",
    "Cut",
    "Disagreement",
    "DuplicateEventId",
    "FoldedLog",
    "ImportSummary",
    "IntegrityError",
    "ItemExists",
    "ItemStatus",
    "ItemView",
    "KindMismatch",
    "Knowledge",
    "LockHeld",
    "LockLost",
    "NotALedger",
    "Record",
    "RecordView",
    "SourceInfo",
    "SourceRegistry",
    "StatusTerm",
    "StatusView",
    "StorageError",
    "Store",
    "Transition",
    "UnknownEvent",
    "UnknownFilterValue",
    "UnknownItem",
    "UnregisteredSource",
    "VerifyReport",
    "View",
    "catch_up",
    "check_digest",
    "check_method",
    "describe",
    "diff",
    "digest",
    "empty_sources",
    "evaluate",
    "evaluate_series",
    "export_events",
    "filter_items",
    "fold_log",
    "fold_sources",
    "import_files",
    "item_kinds",
    "label",
    "load_dataset",
    "meaning",
    "open_store",
    "parse_as_of",
    "parse_known_at",
    "read_dataset",
    "read_event_file",
    "read_sources",
    "registry_at",
    "resolve_url",
    "show",
    "source_registry",
    "status",
    "verify",
    "with_registration",
]

#: Where each public name lives.
_MODULES = {
    "ledger.datasets": (
        "load_dataset",
        "read_dataset",
        "read_sources",
    ),
    "ledger.errors": (
        "ConcurrencyError",
        "ConflictError",
        "DuplicateEventId",
        "IntegrityError",
        "ItemExists",
        "KindMismatch",
        "LockHeld",
        "LockLost",
        "NotALedger",
        "StorageError",
        "UnknownEvent",
        "UnknownItem",
        "UnregisteredSource",
    ),
    "ledger.filters": (
        "UnknownFilterValue",
        "filter_items",
        "item_kinds",
    ),
    "ledger.importing": (
        "ImportSummary",
        "import_files",
        "read_event_file",
    ),
    "ledger.mapper": ("Record",),
    "ledger.projections": (
        "LABELS",
        "METHOD",
        "METHODS",
        "READING_ORDER",
        "STATUSES",
        "TERMS",
        "Cut",
        "Disagreement",
        "FoldedLog",
        "ItemStatus",
        "Knowledge",
        "RecordView",
        "StatusTerm",
        "View",
        "catch_up",
        "check_method",
        "evaluate",
        "evaluate_series",
        "fold_log",
        "label",
        "meaning",
        "parse_as_of",
        "parse_known_at",
    ),
    "ledger.projections.sources": (
        "SourceInfo",
        "SourceRegistry",
        "empty_sources",
        "fold_sources",
        "registry_at",
        "source_registry",
        "with_registration",
    ),
    "ledger.queries": (
        "ItemView",
        "StatusView",
        "Transition",
        "describe",
        "diff",
        "export_events",
        "show",
        "status",
    ),
    "ledger.store": (
        "AppendResult",
        "Store",
        "open_store",
        "resolve_url",
    ),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
