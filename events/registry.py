"""Maps each stored event type name to its class, and upgrades old schema versions.

``@register`` refuses a duplicate name at import time. Reading a stored event applies
the class's ``upcast_vN_vN+1`` static methods in order, so stored rows are never
rewritten when a payload changes shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from events.base import ENVELOPE_ATTRS, ENVELOPE_FIELDS, Event
from events.errors import InvalidInput, UnknownEventType
from events.text import NO_CONTROLS

__all__ = ["event_class", "event_types", "parse_event", "register", "upcast"]

_REGISTRY: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    name = cls.event_type
    if not name or name in _REGISTRY:
        raise RuntimeError(f"event type {name!r} is empty or registered twice")
    _REGISTRY[name] = cls
    return cls


def event_types() -> list[str]:
    return sorted(_REGISTRY)


def event_class(type_name: str) -> type[Event]:
    try:
        return _REGISTRY[type_name]
    except (KeyError, TypeError):
        raise UnknownEventType(str(type_name)) from None


def upcast(type_name: str, schema: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored payload of an older schema version up to the current one."""
    cls = event_class(type_name)
    if schema > cls.event_version:
        raise InvalidInput(
            f"{type_name} schema {schema} is newer than this program knows "
            f"({cls.event_version}); upgrade reform-ledger"
        )
    if schema < 1:
        raise InvalidInput(f"field 'schema': {type_name} schema versions start at 1, not {schema}")
    while schema < cls.event_version:
        step = getattr(cls, f"upcast_v{schema}_v{schema + 1}")
        data = step(dict(data))
        schema += 1
    return data


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "event"
    message = first["msg"]
    if first["type"] == "missing":
        return f"field {field!r}: required field is missing"
    if first["type"] == "extra_forbidden":
        return f"field {field!r}: unknown field for this event type"
    if first["type"] == "string_pattern_mismatch" and first["ctx"]["pattern"] == NO_CONTROLS:
        bad = next(c for c in first["input"] if c < " " and c not in "\n\t" or c == "\x7f")
        return f"field {field!r}: contains a control character (U+{ord(bad):04X})"
    if first["type"] == "string_pattern_mismatch" and field in {"item", "to"}:
        return (
            f"field {field!r}: {first['input']!r} is not an item id "
            "(lowercase letters, digits, '.', '_' and '-'; at most 120)"
        )
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"field {field!r}: {message}"


def parse_event(raw: dict[str, Any]) -> Event:
    """Validate one event given as a dict, in stored form (``data``) or flat form.

    Flat form puts payload fields beside the envelope, as hand-written YAML does.
    """
    if not isinstance(raw, dict):
        raise InvalidInput("an event must be a mapping of fields")
    type_name = raw.get("type")
    if not type_name:
        raise InvalidInput("field 'type': required field is missing")
    cls = event_class(type_name)
    schema = raw.get("schema", cls.event_version)
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise InvalidInput("field 'schema': must be a whole number")
    data = raw.get("data")
    payload = dict(data) if isinstance(data, dict) else {}
    fields = {}
    for key, value in raw.items():  # one pass: this runs once per event of a bulk import
        if key in ENVELOPE_ATTRS:
            fields[key] = value
        elif key not in ENVELOPE_FIELDS:
            payload[key] = value
    if schema != cls.event_version:
        payload = upcast(type_name, schema, payload)
    if not fields.keys().isdisjoint(payload):
        raise InvalidInput(f"field {sorted(fields.keys() & payload.keys())[0]!r}: given twice")
    payload.update(fields)
    try:
        return cls.model_validate(payload)
    except ValidationError as error:
        raise InvalidInput(_describe(error)) from None
