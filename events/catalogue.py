"""What each event type carries, in words, read from the event models themselves.

Each payload field's meaning is its ``Field(description=…)``; whether it is required,
what shape its value takes and which values are allowed come from its annotation. So
``record TYPE --help``, ``types`` and the docs' tests show exactly what validation
accepts, and cannot drift from it. Pure introspection: no I/O, no other package.
"""

from __future__ import annotations

import types
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from events.base import ENVELOPE_ATTRS
from events.registry import event_class, event_types
from events.text import FuzzyDate, Slug

__all__ = ["FieldDoc", "TypeDoc", "type_doc", "type_docs"]


@dataclass(frozen=True)
class FieldDoc:
    """One payload field: its name, meaning, whether it is required, and its value."""

    name: str
    meaning: str
    required: bool
    #: The value's shape in words: "text (at most 300 characters)", "date", "number"…
    shape: str
    #: The allowed values, when the field takes one of a fixed set.
    values: tuple[str, ...] = ()
    #: The fields of a nested value (a promise's ``target``).
    parts: tuple[FieldDoc, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "meaning": self.meaning,
            "required": self.required,
            "shape": self.shape,
            "values": list(self.values),
            "parts": [part.to_dict() for part in self.parts],
        }


@dataclass(frozen=True)
class TypeDoc:
    """One event type: what it records, which item it belongs to, and its fields."""

    name: str
    summary: str
    schema: int
    item_kind: str | None
    creates_item: bool
    fields: tuple[FieldDoc, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.name,
            "summary": self.summary,
            "schema": self.schema,
            "item_kind": self.item_kind,
            "creates_item": self.creates_item,
            "fields": [field.to_dict() for field in self.fields],
        }


def type_doc(type_name: str) -> TypeDoc:
    """The description of one registered type; ``UnknownEventType`` for any other name."""
    cls = event_class(type_name)
    return TypeDoc(
        name=type_name,
        summary=_first_line(cls.__doc__),
        schema=cls.event_version,
        item_kind=cls.item_kind,
        creates_item=cls.creates_item,
        fields=_fields(cls, skip=ENVELOPE_ATTRS),
    )


def type_docs() -> list[TypeDoc]:
    """Every registered type's description, sorted by name."""
    return [type_doc(name) for name in event_types()]


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ").strip()


def _fields(model: type[BaseModel], skip: frozenset[str] = frozenset()) -> tuple[FieldDoc, ...]:
    return tuple(
        _field(name, info) for name, info in model.model_fields.items() if name not in skip
    )


def _field(name: str, info: FieldInfo) -> FieldDoc:
    annotation, metadata = _unwrap(info.annotation, list(info.metadata))
    shape, values, parts = _shape(annotation, metadata)
    return FieldDoc(name, info.description or "", info.is_required(), shape, values, parts)


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """The value's own type and constraints, without ``| None`` and ``Annotated``."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) == 1:
            annotation = options[0]
    if get_origin(annotation) is Annotated:
        annotation, *more = get_args(annotation)
        metadata = [*metadata, *more]
    return annotation, metadata


def _shape(annotation: Any, metadata: list[Any]) -> tuple[str, tuple[str, ...], tuple]:
    most = next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)
    if get_origin(annotation) is Literal:
        values = tuple(str(v) for v in get_args(annotation))
        return f"one of: {', '.join(values)}", values, ()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        parts = _fields(annotation)
        return f"a mapping of {', '.join(p.name for p in parts)}", (), parts
    if get_origin(annotation) is list:
        return "a list of text" + (f" (at most {most})" if most else ""), (), ()
    if get_origin(annotation) is dict:
        return "names with a number each" + (f" (at most {most})" if most else ""), (), ()
    if annotation in (int, float):
        return "a number", (), ()
    if annotation is uuid.UUID:
        return "an event id (UUID)", (), ()
    if metadata == list(get_args(FuzzyDate)[1:]):
        return "a date: YYYY, YYYY-MM, YYYY-MM-DD or a range A/B", (), ()
    if metadata == list(get_args(Slug)[1:]):
        return "an item id", (), ()
    for constraint in metadata:
        if isinstance(constraint, StringConstraints) and constraint.max_length:
            return f"text (at most {constraint.max_length:,} characters)", (), ()
    return "text", (), ()
