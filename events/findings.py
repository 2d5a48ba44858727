"""Events that record what a source states, kept apart from what the rules derive.

- ``promise.stalled``, ``law.stalled``, ``amendment.stalled``: a source states that the
  work stopped or was shelved. Under method ``reform-ledger/2`` this, and never silence,
  is what makes an item *stalled*.
- ``promise.deadline_stated``: a source states (or clearly implies) a deadline for a
  promise that its own ``promise.made`` does not carry; ``implied`` marks the second.
- ``claim.recorded``: what a source asserts about one attribute of an item (which package
  introduced it, its scope, how officials are chosen, a count, a date…). Two sources'
  claims on the same attribute that cannot both be true make the item contested.

Stage events and stall events carry an evidence ``grade`` (``GRADES``); where it is not
given, the read side derives it from the kind of the registered source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from events.base import Event
from events.registry import register
from events.text import FuzzyDate, LongText, ShortText

__all__ = [
    "GRADES",
    "GRADE_HELP",
    "AmendmentStalled",
    "ClaimRecorded",
    "Grade",
    "LawStalled",
    "PromiseDeadlineStated",
    "PromiseStalled",
]

#: Evidence grades, strongest first: the act or official record itself; an independent
#: source states it happened; the government or an interested party says so.
Grade = Literal["official", "reported", "claimed"]
GRADES: tuple[str, ...] = Grade.__args__  # type: ignore[attr-defined]

GRADE_HELP = (
    "How strong the evidence is: official (the act or record itself), reported (an "
    "independent source states it) or claimed (the government or an interested party says "
    "so); derived from the source's kind when omitted."
)


class _StallEvent(Event):
    summary: LongText = Field(description="What the source says stopped, and how.")
    grade: Grade | None = Field(default=None, description=GRADE_HELP)


@register
class PromiseStalled(_StallEvent):
    """A source states that work on the promise stopped or was shelved."""

    event_type = "promise.stalled"
    item_kind = "promise"


@register
class LawStalled(_StallEvent):
    """A source states that a bill was shelved, withdrawn or stuck."""

    event_type = "law.stalled"
    item_kind = "law"


@register
class AmendmentStalled(_StallEvent):
    """A source states that a proposed amendment was shelved or withdrawn."""

    event_type = "amendment.stalled"
    item_kind = "amendment"


@register
class PromiseDeadlineStated(Event):
    """A source states or clearly implies a deadline the promise did not carry itself."""

    event_type = "promise.deadline_stated"
    item_kind = "promise"

    deadline: FuzzyDate = Field(description="The date by which it was to be done.")
    implied: bool | None = Field(
        default=None,
        description="True when the source implies the deadline rather than stating it.",
    )
    summary: LongText | None = Field(default=None, description="How the source puts it.")


@register
class ClaimRecorded(Event):
    """What a source asserts about one attribute of an item, to compare with others."""

    event_type = "claim.recorded"

    attribute: ShortText = Field(
        description=(
            "What the claim is about, as a short name: package, scope, selection_method, "
            "accountable_to, role, count, date or threshold."
        )
    )
    value: ShortText | float = Field(
        description="What the source asserts: a number, a date, or a short normalised text."
    )
    unit: ShortText | None = Field(default=None, description="The unit of a number.")
    qualifier: Literal["more_than", "less_than", "about", "at_least", "at_most"] | None = Field(
        default=None, description="A bound or approximation the source puts on a number."
    )

    @model_validator(mode="after")
    def _number_only_details(self) -> ClaimRecorded:
        if isinstance(self.value, str) and (self.unit or self.qualifier):
            raise ValueError("unit and qualifier go with a number value only")
        return self
