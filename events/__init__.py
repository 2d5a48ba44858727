"""The event catalogue: typed, versioned, validated events and their canonical form.

Imports nothing else of Reform Ledger.
"""

from events import facts, findings, promises, stages  # noqa: F401  (registers every type)
from events.base import ENVELOPE_FIELDS, Event, Source
from events.canonical import canonical_json, loads
from events.catalogue import FieldDoc, TypeDoc, type_doc, type_docs
from events.dates import (
    date_bounds,
    format_instant,
    normalize_date,
    parse_instant,
    period_bounds,
)
from events.errors import InvalidInput, LedgerError, UnknownEventType
from events.facts import RELATIONS, VERDICTS
from events.findings import GRADES
from events.promises import Target
from events.registry import event_class, event_types, parse_event, register, upcast

__all__ = [
    "ENVELOPE_FIELDS",
    "GRADES",
    "RELATIONS",
    "VERDICTS",
    "Event",
    "FieldDoc",
    "InvalidInput",
    "LedgerError",
    "Source",
    "Target",
    "TypeDoc",
    "UnknownEventType",
    "canonical_json",
    "date_bounds",
    "event_class",
    "event_types",
    "format_instant",
    "loads",
    "normalize_date",
    "parse_event",
    "parse_instant",
    "period_bounds",
    "register",
    "type_doc",
    "type_docs",
    "upcast",
]
