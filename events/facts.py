"""Events any item may carry: measurements, links, sources' assessments, retractions."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from events.base import Event
from events.registry import register
from events.text import FuzzyDate, LongText, ShortText, Slug

__all__ = [
    "RELATIONS",
    "VERDICTS",
    "AssessmentRecorded",
    "EventRetracted",
    "LinkAdded",
    "MeasurementRecorded",
]

Relation = Literal[
    "implements",
    "partially_implements",
    "part_of",
    "supersedes",
    "split_from",
    "reverses",
    "relates_to",
]
RELATIONS: tuple[str, ...] = Relation.__args__  # type: ignore[attr-defined]

Verdict = Literal[
    "announced",
    "in_progress",
    "adopted",
    "delivered",
    "partial",
    "stalled",
    "overdue",
    "broken",
    "reversed",
    "unverifiable",
]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]


@register
class MeasurementRecorded(Event):
    event_type = "measurement.recorded"

    metric: ShortText
    value: float
    unit: ShortText
    period: FuzzyDate
    qualifier: Literal["more_than", "less_than", "about", "at_least", "at_most"] | None = None


@register
class LinkAdded(Event):
    """A relation from this event's item to another item.

    Schema 2 renamed v1's ``target`` to ``to`` and ``kind`` to ``relation``.
    """

    event_type = "link.added"
    event_version = 2

    to: Slug
    relation: Relation

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        if "target" in data:
            data["to"] = data.pop("target")
        if "kind" in data:
            data["relation"] = data.pop("kind")
        return data


@register
class AssessmentRecorded(Event):
    """A source's own verdict, shown beside the derived status, never folded into it."""

    event_type = "assessment.recorded"

    assessor: ShortText
    verdict: Verdict
    rationale: LongText


@register
class EventRetracted(Event):
    """A correction: the named event no longer counts from this event's recorded time."""

    event_type = "event.retracted"

    retracted: uuid.UUID
    reason: LongText
