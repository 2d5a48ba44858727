"""Events of a promise's own stream: made, revised, abandoned, marked unverifiable."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from events.base import Event
from events.dates import ends_before
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

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    metric: ShortText = Field(description="What is measured, e.g. signatures to register a party.")
    unit: ShortText = Field(description="The unit of the measure, e.g. people, percent or days.")
    baseline: float = Field(description="The measure's value when the promise was made.")
    baseline_date: FuzzyDate = Field(description="When the baseline value held.")
    goal: float = Field(description="The value promised by the deadline.")
    direction: Literal["up", "down"] = Field(
        description="Whether keeping the promise moves the measure up or down."
    )

    @model_validator(mode="after")
    def _goal_agrees_with_direction(self) -> Target:
        if (self.goal - self.baseline) * (1 if self.direction == "up" else -1) <= 0:
            raise ValueError(
                f"goal {self.goal:g} does not lie {self.direction} from baseline {self.baseline:g}"
            )
        return self


@register
class PromiseMade(Event):
    """A commitment by an actor, as a source states it; creates the promise item."""

    event_type = "promise.made"
    item_kind = "promise"
    creates_item = True

    title: Title = Field(description="The promise in a few words, as readers would name it.")
    statement: LongText = Field(description="What was promised, in full, in the source's terms.")
    actor: ShortText = Field(description="Who made the promise: a person, an office or a party.")
    area: ShortText = Field(description="The policy area it belongs to, e.g. political-parties.")
    package: ShortText | None = Field(
        default=None, description="The reform package that announced it, if any."
    )
    deadline: FuzzyDate | None = Field(
        default=None, description="When it is due, at the precision the source gives."
    )
    target: Target | None = Field(
        default=None, description="A measurable goal: from a baseline to a goal by the deadline."
    )

    @model_validator(mode="after")
    def _deadline_not_before_made(self) -> PromiseMade:
        """A deadline that ended before the promise was made is a typo, not a promise."""
        if self.deadline is not None and ends_before(self.deadline, self.effective):
            raise ValueError(
                f"field 'deadline': {self.deadline} is before the promise was made "
                f"({self.effective}); a deadline may not end before the promise's date"
            )
        return self


@register
class PromiseRevised(Event):
    """A change to a promise: its scope cut, its deadline moved, its target changed."""

    event_type = "promise.revised"
    item_kind = "promise"

    change: Literal["scope_cut", "deadline_moved", "target_changed", "restated"] = Field(
        description="What kind of revision; a scope cut makes the promise partial at best."
    )
    summary: LongText = Field(description="What changed and why, in a sentence or two.")
    deadline: FuzzyDate | None = Field(
        default=None, description="The new deadline, when the revision moves it."
    )
    target: Target | None = Field(
        default=None, description="The new target, when the revision changes it."
    )


@register
class PromiseAbandoned(Event):
    """A promise given up or explicitly renounced: its status becomes broken."""

    event_type = "promise.abandoned"
    item_kind = "promise"

    reason: LongText = Field(description="Why it was given up, as the source says.")


@register
class PromiseMarkedUnverifiable(Event):
    """An editor's mark that no source can tell whether the promise was kept."""

    event_type = "promise.marked_unverifiable"
    item_kind = "promise"

    reason: LongText = Field(description="Why no source can settle it.")
