"""Stage events of amendments, laws and milestones: the formal steps that move promises.

Any of them may open its item (a source may first mention a law when it is signed);
all of one item's stage events must be of the same kind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from events.base import Event
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

    title: Title | None = None
    area: ShortText | None = None
    package: ShortText | None = None


class _AmendmentEvent(_StageEvent):
    item_kind = "amendment"

    articles: list[ShortText] | None = Field(default=None, max_length=200)
    route: Literal["referendum", "parliament"] | None = None
    votes: dict[ShortText, float] | None = Field(default=None, max_length=50)


@register
class AmendmentProposed(_AmendmentEvent):
    event_type = "amendment.proposed"


@register
class AmendmentAdopted(_AmendmentEvent):
    event_type = "amendment.adopted"


@register
class AmendmentInForce(_AmendmentEvent):
    event_type = "amendment.in_force"


class _LawEvent(_StageEvent):
    item_kind = "law"

    chamber: ShortText | None = None
    number: ShortText | None = None
    summary: LongText | None = None


@register
class LawDrafted(_LawEvent):
    event_type = "law.drafted"


@register
class LawPassed(_LawEvent):
    event_type = "law.passed"


@register
class LawSigned(_LawEvent):
    event_type = "law.signed"


@register
class LawInForce(_LawEvent):
    event_type = "law.in_force"


@register
class LawAmended(_LawEvent):
    event_type = "law.amended"


@register
class LawRepealed(_LawEvent):
    event_type = "law.repealed"


@register
class MilestoneReached(_StageEvent):
    event_type = "milestone.reached"
    item_kind = "milestone"

    what: LongText
    value: float | None = None
    unit: ShortText | None = None
