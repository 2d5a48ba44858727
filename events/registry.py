"""Maps each stored event type name to its class, upgrades old schema versions, and
validates raw events, putting every validation error in the ledger's own words.

``@register`` refuses a duplicate name at import time, and a class whose
``event_version`` or ``upcast_vN_vN+1`` static methods disagree with the plain table in
``events.upcasting``, which reading uses without building any model (and one whose
``item_kind`` or ``creates_item`` disagree with ``events.kinds``, which appending reads);
stored rows are never rewritten when a payload changes shape. ``describe_error`` is the
one place where pydantic's error types become messages.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import import_module
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from events.base import ENVELOPE_ATTRS, ENVELOPE_FIELDS, Event
from events.errors import InvalidInput, InvalidInputs, UnknownEventType
from events.kinds import ITEM_KINDS, OPENERS
from events.text import MULTI_LINE, ONE_LINE, describe_char, first_refused
from events.upcasting import UPCASTERS, current_schema, upcast

__all__ = ["describe_error", "event_class", "event_types", "parse_event", "register"]

_REGISTRY: dict[str, type[Event]] = {}
#: The modules that declare the event types, and the types each declares. Importing
#: ``events`` for a date or an error builds no event model, and looking up one type imports
#: only its module (``record`` builds a few models, not the catalogue's thirty); ``register``
#: refuses a class this table does not place in its module, and loading the catalogue
#: refuses a type no module declared, so the table cannot drift from the code.
CATALOGUE: dict[str, tuple[str, ...]] = {
    "events.facts": (
        "assessment.recorded",
        "event.retracted",
        "link.added",
        "measurement.recorded",
    ),
    "events.findings": (
        "amendment.stalled",
        "claim.recorded",
        "law.stalled",
        "promise.deadline_stated",
        "promise.stalled",
    ),
    "events.promises": (
        "promise.abandoned",
        "promise.made",
        "promise.marked_unverifiable",
        "promise.revised",
    ),
    "events.sources": ("source.registered",),
    "events.stages": (
        "amendment.adopted",
        "amendment.in_force",
        "amendment.proposed",
        "law.amended",
        "law.drafted",
        "law.in_force",
        "law.passed",
        "law.repealed",
        "law.signed",
        "milestone.reached",
    ),
}
_HOME = {name: module for module, names in CATALOGUE.items() for name in names}
_loaded = False


def _load_catalogue() -> None:
    global _loaded
    if not _loaded:
        for module in CATALOGUE:
            import_module(module)
        missing = set(_HOME) - set(_REGISTRY)
        if missing:
            raise RuntimeError(f"event types {sorted(missing)} are catalogued but not declared")
        _loaded = True


def register(cls: type[Event]) -> type[Event]:
    name = cls.event_type
    if not name or name in _REGISTRY:
        raise RuntimeError(f"event type {name!r} is empty or registered twice")
    declared = tuple(
        getattr(cls, f"upcast_v{n}_v{n + 1}", None) for n in range(1, cls.event_version)
    )
    if cls.event_version != current_schema(name) or declared != UPCASTERS.get(name, ()):
        raise RuntimeError(f"event type {name!r}: its upcasters differ from events.upcasting")
    if cls.item_kind != ITEM_KINDS.get(name) or cls.creates_item != (name in OPENERS):
        raise RuntimeError(f"event type {name!r}: its item kind differs from events.kinds")
    if _HOME.get(name) != cls.__module__:
        raise RuntimeError(
            f"event type {name!r} is declared in {cls.__module__}; "
            f"events.registry.CATALOGUE places it in {_HOME.get(name)}"
        )
    _REGISTRY[name] = cls
    return cls


def event_types() -> list[str]:
    _load_catalogue()
    return sorted(_REGISTRY)


def event_class(type_name: str) -> type[Event]:
    try:
        return _REGISTRY[type_name]
    except (KeyError, TypeError):
        pass
    home = _HOME.get(type_name) if isinstance(type_name, str) else None
    if home is not None:
        import_module(home)
        if type_name in _REGISTRY:
            return _REGISTRY[type_name]
    if not _loaded:
        _load_catalogue()
        return event_class(type_name)
    raise UnknownEventType(str(type_name)) from None


def _shown(value: Any) -> str:
    """A value as messages quote it: its repr, cut short (inputs may be megabytes)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"


def _model_at(cls: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose field ``loc`` names (``("source", "x")`` → ``Source``)."""
    model: type[BaseModel] | None = cls
    for part in loc[:-1]:
        info = model.model_fields.get(str(part)) if model else None
        if info is None:
            return None
        model = next(
            (
                arg
                for arg in (info.annotation, *get_args(info.annotation))
                if isinstance(arg, type) and issubclass(arg, BaseModel)
            ),
            None,
        )
    return model


def _unknown_field(cls: type[Event], loc: tuple[Any, ...]) -> str:
    model = _model_at(cls, loc)
    if model is None:
        return "unknown field"
    if model is cls:
        owner = cls.event_type
        names = sorted(set(cls.model_fields) - ENVELOPE_ATTRS)
    else:
        owner, names = str(loc[-2]), sorted(model.model_fields)
    return f"{owner} has no such field (its fields: {', '.join(names)})"


def _pattern_message(detail: ErrorDetails) -> str:
    pattern, value = detail["ctx"]["pattern"], detail["input"]
    if pattern not in (ONE_LINE, MULTI_LINE):
        return (
            f"{_shown(value)} is not an item id "
            "(lowercase letters, digits, '.', '_' and '-'; at most 120)"
        )
    char = first_refused(value, one_line=pattern == ONE_LINE)
    if char is None:  # the two engines' Unicode tables differ: name no character
        return "contains a character that is not allowed"
    if char in "\n\u2028\u2029":
        return f"is one line; a line break ({describe_char(char)}) is not allowed"
    if unicodedata.category(char) == "Cc":
        return f"contains a control character (U+{ord(char):04X})"
    return (
        f"contains an invisible character ({describe_char(char)}); "
        "format characters other than ZWNJ and ZWJ are not allowed"
    )


#: pydantic's error types, in the ledger's own words (the rest are handled below).
_SIMPLE = {
    "missing": "required field is missing",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_unicode": "must be valid Unicode text",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "finite_number": "must be a finite number (not infinity or NaN)",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping of names to values",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "list_type": "must be a list",
    "uuid_type": "must be a UUID (like 8c1f0d9e-1111-4111-8111-111111111111)",
    "uuid_parsing": "must be a UUID (like 8c1f0d9e-1111-4111-8111-111111111111)",
    "datetime_type": "must be a date and time (ISO 8601, like 2024-05-01T12:00:00Z)",
    "datetime_parsing": "must be a date and time (ISO 8601, like 2024-05-01T12:00:00Z)",
    "datetime_from_date_parsing": "must be a date and time (ISO 8601, like 2024-05-01T12:00:00Z)",
}


def describe_error(cls: type[Event], detail: ErrorDetails) -> str:
    """One pydantic error as one line in the ledger's words: the field, then what is allowed.

    Every message a user sees about a field is made here, so pydantic's own wording
    ("Input should be …") never reaches them.
    """
    loc = tuple(detail["loc"])
    field = ".".join(str(part) for part in loc) or "event"
    kind, ctx, value = detail["type"], detail.get("ctx") or {}, detail.get("input")
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error") or detail["msg"])
        if not loc and message.startswith("field "):  # a model's check names its field
            return message
        return f"field {field!r}: {message}"
    if kind in _SIMPLE:
        message = _SIMPLE[kind]
    elif kind == "extra_forbidden":
        message = _unknown_field(cls, loc)
    elif kind == "string_too_long":
        length = len(value) if isinstance(value, str) else 0
        message = f"is {length:,} characters long; at most {ctx['max_length']:,} are allowed"
    elif kind == "too_long":
        message = (
            f"has {ctx.get('actual_length', len(value)):,} entries; "
            f"at most {ctx['max_length']:,} are allowed"
        )
    elif kind == "string_pattern_mismatch":
        message = _pattern_message(detail)
    elif kind in ("literal_error", "enum"):
        allowed = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        message = f"{_shown(value)} is not allowed (use one of: {allowed})"
    else:
        message = f"{_shown(value)} is not a valid value here ({kind.replace('_', ' ')})"
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
    if schema == cls.event_version and not isinstance(data, dict):
        # flat form at the current schema (a bulk import's every line): a copy less the
        # few keys that are not fields (at half the cost of a comprehension over all)
        fields = dict(raw)
        for key in _NOT_PAYLOAD.intersection(raw):
            del fields[key]
        return _validated(cls, fields)
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
    return _validated(cls, payload)


#: The stored form's keys that are neither payload nor declared by the model: dropped.
_NOT_PAYLOAD = ENVELOPE_FIELDS - ENVELOPE_ATTRS


def _validated(cls: type[Event], fields: dict[str, Any]) -> Event:
    """``cls.model_validate(fields)`` straight through its validator (once per event of a
    bulk import), pydantic's errors in the ledger's words."""
    try:
        return cls.__pydantic_validator__.validate_python(fields)
    except ValidationError as error:
        problems = [InvalidInput(describe_error(cls, detail)) for detail in error.errors()]
        raise InvalidInputs.of(problems) from None
