"""The event catalogue: typed, versioned, validated events and their canonical form.

Imports nothing else of Reform Ledger.
"""

from events import facts, findings, promises, sources, stages  # noqa: F401  (registers every type)
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
from events.errors import InvalidInput, InvalidInputs, LedgerError, UnknownEventType
from events.facts import RELATIONS, VERDICTS
from events.findings import GRADES
from events.promises import Target
from events.registry import event_class, event_types, parse_event, register, upcast
from events.sources import SOURCE_KINDS, SourceRegistered, web_url
from events.text import INVISIBLE, escape_invisible_json, show_invisible

__all__ = [
    "ENVELOPE_FIELDS",
    "GRADES",
    "INVISIBLE",
    "RELATIONS",
    "SOURCE_KINDS",
    "VERDICTS",
    "Event",
    "FieldDoc",
    "InvalidInput",
    "InvalidInputs",
    "LedgerError",
    "Source",
    "SourceRegistered",
    "Target",
    "TypeDoc",
    "UnknownEventType",
    "canonical_json",
    "date_bounds",
    "escape_invisible_json",
    "event_class",
    "event_types",
    "format_instant",
    "loads",
    "normalize_date",
    "parse_event",
    "parse_instant",
    "period_bounds",
    "register",
    "show_invisible",
    "type_doc",
    "type_docs",
    "upcast",
    "web_url",
]
