"""The event catalogue: typed, versioned, validated events and their canonical form.

Imports nothing else of Reform Ledger. Each public name is imported from its module on
first use (PEP 562), so a command that needs a date or an error does not build every
event model; the registry loads the catalogue when a type is first looked up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.lazy import lazy_exports

if TYPE_CHECKING:
    from events.base import ENVELOPE_FIELDS, Event, Source
    from events.canonical import canonical_bytes, canonical_json, loads
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
    from events.invisible import INVISIBLE, escape_invisible_json, show_invisible
    from events.kinds import ITEM_KINDS, OPENERS
    from events.promises import Target
    from events.registry import event_class, event_types, parse_event, register
    from events.sources import SOURCE_KINDS, SourceRegistered, web_url
    from events.upcasting import current_schema, upcast

__all__ = [
    "ENVELOPE_FIELDS",
    "GRADES",
    "INVISIBLE",
    "ITEM_KINDS",
    "OPENERS",
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
    "canonical_bytes",
    "canonical_json",
    "current_schema",
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

#: Where each public name lives.
_MODULES = {
    "events.base": ("ENVELOPE_FIELDS", "Event", "Source"),
    "events.canonical": ("canonical_bytes", "canonical_json", "loads"),
    "events.catalogue": ("FieldDoc", "TypeDoc", "type_doc", "type_docs"),
    "events.dates": (
        "date_bounds",
        "format_instant",
        "normalize_date",
        "parse_instant",
        "period_bounds",
    ),
    "events.errors": ("InvalidInput", "InvalidInputs", "LedgerError", "UnknownEventType"),
    "events.facts": ("RELATIONS", "VERDICTS"),
    "events.findings": ("GRADES",),
    "events.invisible": ("INVISIBLE", "escape_invisible_json", "show_invisible"),
    "events.kinds": ("ITEM_KINDS", "OPENERS"),
    "events.promises": ("Target",),
    "events.registry": ("event_class", "event_types", "parse_event", "register"),
    "events.sources": ("SOURCE_KINDS", "SourceRegistered", "web_url"),
    "events.upcasting": ("current_schema", "upcast"),
}
__getattr__, __dir__ = lazy_exports(globals(), _MODULES)
