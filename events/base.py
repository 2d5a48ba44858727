"""The event envelope every event type shares, and its source citation.

An event is a small frozen model: the envelope (id, item, effective date, source) plus
the payload fields its subclass declares. ``type`` and ``schema`` are class-level, so a
stored event's type never comes from a module path. This module does no I/O.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from events.dates import parse_instant, refuse_future
from events.text import FuzzyDate, ShortText, Slug, Text, Url

__all__ = ["Event", "Source", "ENVELOPE_ATTRS", "ENVELOPE_FIELDS"]

#: Keys of the stored form that are not payload.
ENVELOPE_FIELDS = frozenset(
    {
        "id",
        "type",
        "schema",
        "item",
        "effective",
        "source",
        "recorded_at",
        "data",
        "position",
        "version",
        "prev_hash",
        "hash",
        "expected_version",
    }
)


#: Envelope fields an event model declares itself (the rest of ENVELOPE_FIELDS is derived).
ENVELOPE_ATTRS = frozenset({"id", "item", "effective", "source", "recorded_at"})


class Source(BaseModel):
    """Where a claim comes from: a document, a place in it and a verbatim quote."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    document: ShortText
    locator: ShortText
    quote: Text
    url: Url | None = None
    published: FuzzyDate | None = None


class Event(BaseModel):
    """Base of every event type. Subclasses add payload fields only."""

    # NaN and infinity have no JSON form (canonical JSON would store them as null).
    # defer_build: a type's validator and serializer are built when it is first used, not
    # when its module is imported, so a process builds only the types it validates (one
    # ``record`` builds one, not its module's every type, nor this base it never validates).
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    event_type: ClassVar[str] = ""
    event_version: ClassVar[int] = 1
    #: The kind of item this event belongs to, when it is kind-specific.
    item_kind: ClassVar[str | None] = None
    #: Whether this event may be the first of an item (and so create it).
    creates_item: ClassVar[bool] = False

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    item: Slug
    effective: FuzzyDate
    source: Source
    recorded_at: datetime | None = None

    @field_validator("effective")
    @classmethod
    def _not_in_future(cls, value: str) -> str:
        return refuse_future(value, "effective date")

    @field_validator("recorded_at", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> Any:
        """ISO text or a date; a number is refused (pydantic would read it as Unix time)."""
        if value is None:
            return value
        try:
            if isinstance(value, (str, date)):
                return parse_instant(value)
        except ValueError:
            pass
        shown = repr(value) if len(repr(value)) <= 60 else f"{repr(value)[:57]}…"
        raise ValueError(f"{shown} is not a date and time (ISO 8601, like 2024-05-01T12:00:00Z)")

    def payload(self) -> dict[str, Any]:
        """The type's own fields, JSON-ready, without unset optional ones."""
        return self.envelope()["data"]

    def envelope(self) -> dict[str, Any]:
        """The stored form minus what the store assigns (position, version, hashes).

        ``model_dump(mode="json", exclude_none=True)`` regrouped, straight through the
        model's serializer: once per event of a bulk import, at a third of the cost of
        walking the model in Python. ``recorded_at`` is left out: the store assigns it,
        or takes it from the model itself.
        """
        data = self.__pydantic_serializer__.to_python(self, mode="json", exclude_none=True)
        data.pop("recorded_at", None)
        return {
            "id": data.pop("id"),
            "type": self.event_type,
            "schema": self.event_version,
            "item": data.pop("item"),
            "effective": data.pop("effective"),
            "source": data.pop("source"),
            "data": data,
        }


ItemRef = Slug
__all__ += ["ItemRef", "Text", "ShortText"]
