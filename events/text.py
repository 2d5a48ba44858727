"""Constrained text and scalar types shared by every event model.

Every string that enters the ledger passes through here: no NUL or control characters
(newline and tab excepted), no empty strings, and a length limit so that a 10 MB field
is refused at the door rather than stored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from events.dates import normalize_date

__all__ = ["NO_CONTROLS", "FuzzyDate", "LongText", "ShortText", "Slug", "Text"]

#: No NUL or control characters but newline and tab; checked by pydantic-core's regex
#: engine (a Python validator per string costs more than the rest of validation).
NO_CONTROLS = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"


ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=NO_CONTROLS)
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000, pattern=NO_CONTROLS),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000, pattern=NO_CONTROLS),
]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,119}$"),
]
FuzzyDate = Annotated[str, BeforeValidator(normalize_date)]
