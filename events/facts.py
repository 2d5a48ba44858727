"""Events any item may carry: measurements, links, sources' assessments, retractions."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from events.base import Event
from events.registry import register
from events.text import FuzzyDate, LongText, ShortText, Slug
from events.upcasting import link_added_v1_v2

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
    """A figure a source reports for an item's metric, e.g. the number of parties."""

    event_type = "measurement.recorded"

    metric: ShortText = Field(description="What is measured; the same words as a target's metric.")
    value: float = Field(description="The figure the source gives.")
    unit: ShortText = Field(description="The unit of the figure, e.g. people, percent or days.")
    period: FuzzyDate = Field(description="The date or period the figure describes.")
    qualifier: Literal["more_than", "less_than", "about", "at_least", "at_most"] | None = Field(
        default=None, description="When the source gives a bound or an estimate, not exactly."
    )


@register
class LinkAdded(Event):
    """A relation from this event's item to another item.

    Schema 2 renamed v1's ``target`` to ``to`` and ``kind`` to ``relation``.
    """

    event_type = "link.added"
    event_version = 2

    to: Slug = Field(description="The other item's id; this event's item is where the link starts.")
    relation: Relation = Field(
        description="How this item relates to the other: implements moves a promise's status."
    )

    upcast_v1_v2 = staticmethod(link_added_v1_v2)


@register
class AssessmentRecorded(Event):
    """A source's own verdict, shown beside the derived status, never folded into it."""

    event_type = "assessment.recorded"

    assessor: ShortText = Field(description="Who judges: the source's author or organisation.")
    verdict: Verdict = Field(description="The source's own verdict, in the ledger's status words.")
    rationale: LongText = Field(description="The source's reasons, in brief.")


@register
class EventRetracted(Event):
    """A correction: the named event no longer counts from this event's recorded time."""

    event_type = "event.retracted"

    retracted: uuid.UUID = Field(description="The id of the event that no longer counts.")
    reason: LongText = Field(description="Why it no longer counts: the correction, in brief.")
