"""Events of a promise's own stream: made, revised, abandoned, marked unverifiable."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from events.base import Event
from events.dates import date_bounds
from events.registry import register
from events.text import FuzzyDate, LongText, ShortText, Title

__all__ = [
    "PromiseAbandoned",
    "PromiseMade",
    "PromiseMarkedUnverifiable",
    "PromiseRevised",
    "Target",
]


class Target(BaseModel):
    """A quantitative goal: from ``baseline`` (at ``baseline_date``) to ``goal``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    metric: ShortText
    unit: ShortText
    baseline: float
    baseline_date: FuzzyDate
    goal: float
    direction: Literal["up", "down"]

    @model_validator(mode="after")
    def _goal_agrees_with_direction(self) -> Target:
        if (self.goal - self.baseline) * (1 if self.direction == "up" else -1) <= 0:
            raise ValueError(
                f"goal {self.goal:g} does not lie {self.direction} from baseline {self.baseline:g}"
            )
        return self


@register
class PromiseMade(Event):
    event_type = "promise.made"
    item_kind = "promise"
    creates_item = True

    title: Title
    statement: LongText
    actor: ShortText
    area: ShortText
    package: ShortText | None = None
    deadline: FuzzyDate | None = None
    target: Target | None = None

    @model_validator(mode="after")
    def _deadline_not_before_made(self) -> PromiseMade:
        """A deadline that ended before the promise was made is a typo, not a promise."""
        if self.deadline is not None and (
            date_bounds(self.deadline)[1] < date_bounds(self.effective)[0]
        ):
            raise ValueError(
                f"field 'deadline': {self.deadline} is before the promise was made "
                f"({self.effective}); a deadline may not end before the promise's date"
            )
        return self


@register
class PromiseRevised(Event):
    event_type = "promise.revised"
    item_kind = "promise"

    change: Literal["scope_cut", "deadline_moved", "target_changed", "restated"]
    summary: LongText
    deadline: FuzzyDate | None = None
    target: Target | None = None


@register
class PromiseAbandoned(Event):
    event_type = "promise.abandoned"
    item_kind = "promise"

    reason: LongText


@register
class PromiseMarkedUnverifiable(Event):
    event_type = "promise.marked_unverifiable"
    item_kind = "promise"

    reason: LongText
