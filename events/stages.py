"""Stage events of amendments, laws and milestones: the formal steps that move promises.

Any of them may open its item (a source may first mention a law when it is signed);
all of one item's stage events must be of the same kind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from events.base import Event
from events.findings import GRADE_HELP, Grade
from events.registry import register
from events.text import LongText, ShortText, Title

__all__ = [
    "AmendmentAdopted",
    "AmendmentInForce",
    "AmendmentProposed",
    "LawAmended",
    "LawDrafted",
    "LawInForce",
    "LawPassed",
    "LawRepealed",
    "LawSigned",
    "MilestoneReached",
]


class _StageEvent(Event):
    creates_item = True

    title: Title | None = Field(
        default=None, description="The item's name, e.g. the law's official title."
    )
    area: ShortText | None = Field(
        default=None, description="The policy area it belongs to, e.g. political-parties."
    )
    package: ShortText | None = Field(
        default=None, description="The reform package it belongs to, if any."
    )
    grade: Grade | None = Field(default=None, description=GRADE_HELP)


class _AmendmentEvent(_StageEvent):
    item_kind = "amendment"

    articles: list[ShortText] | None = Field(
        default=None, max_length=200, description="The articles of the constitution it changes."
    )
    route: Literal["referendum", "parliament"] | None = Field(
        default=None, description="How it is adopted: by referendum or by parliament."
    )
    votes: dict[ShortText, float] | None = Field(
        default=None, max_length=50, description="Vote figures by name, e.g. for, against, turnout."
    )


@register
class AmendmentProposed(_AmendmentEvent):
    """A constitutional amendment (or a package of them) put forward."""

    event_type = "amendment.proposed"


@register
class AmendmentAdopted(_AmendmentEvent):
    """An amendment adopted by referendum or parliament, not yet in force."""

    event_type = "amendment.adopted"


@register
class AmendmentInForce(_AmendmentEvent):
    """An amendment in force: promises it implements are delivered."""

    event_type = "amendment.in_force"


class _LawEvent(_StageEvent):
    item_kind = "law"

    chamber: ShortText | None = Field(
        default=None, description="The chamber or body that took this step, e.g. the Senate."
    )
    number: ShortText | None = Field(default=None, description="The law's official number.")
    summary: LongText | None = Field(
        default=None, description="What this step did, in a sentence or two."
    )


@register
class LawDrafted(_LawEvent):
    """A bill drafted or introduced in parliament."""

    event_type = "law.drafted"


@register
class LawPassed(_LawEvent):
    """A bill passed by a chamber of parliament."""

    event_type = "law.passed"


@register
class LawSigned(_LawEvent):
    """A law signed: promises it implements are adopted."""

    event_type = "law.signed"


@register
class LawInForce(_LawEvent):
    """A law in force: promises it implements are delivered."""

    event_type = "law.in_force"


@register
class LawAmended(_LawEvent):
    """A law in force changed by a later act."""

    event_type = "law.amended"


@register
class LawRepealed(_LawEvent):
    """A law repealed: promises it delivered are reversed."""

    event_type = "law.repealed"


@register
class MilestoneReached(_StageEvent):
    """An implementation fact, e.g. the first direct elections of district akims."""

    event_type = "milestone.reached"
    item_kind = "milestone"

    what: LongText = Field(description="What was reached, e.g. the first direct election held.")
    value: float | None = Field(
        default=None, description="A figure that measures it, e.g. how many were elected."
    )
    unit: ShortText | None = Field(default=None, description="The unit of the value.")
