"""Constrained text and scalar types shared by every event model.

Every string that enters the ledger passes through here: no NUL or control characters
(newline and tab excepted), no empty strings, and a length limit so that a 10 MB field
is refused at the door rather than stored.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from events.dates import normalize_date

__all__ = ["FuzzyDate", "LongText", "ShortText", "Slug", "Text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _no_controls(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"contains a control character (U+{ord(found.group()):04X})")
    return value


def _fuzzy_date(value: object) -> str:
    return normalize_date(value)


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_no_controls),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000),
    AfterValidator(_no_controls),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
    AfterValidator(_no_controls),
]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,119}$"),
]
FuzzyDate = Annotated[str, BeforeValidator(_fuzzy_date)]
