"""Constrained text and scalar types shared by every event model, and what text may hold.

Every string that enters the ledger passes through here: no empty strings, a length limit
(so a 10 MB field is refused at the door rather than stored), and no character that
would make text read differently from what is stored:

- no control characters (C0 and C1) but newline and tab;
- no invisible format characters (Unicode category Cf: the bidirectional controls of the
  "Trojan Source" kind, zero-width spaces, word joiners, soft hyphens, byte-order marks,
  tags), except ZWNJ and ZWJ (U+200C, U+200D), which Persian, Indic scripts and emoji
  need;
- in one-line fields (titles, names, locators), no line break either.

The characters and patterns themselves, and ``show_invisible`` (the other side of the
same rule: whatever an older ledger holds, readers see ``<U+202E>`` where such a character
is), live in ``events/invisible.py``, which needs no pydantic; this module re-exports them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, StringConstraints

from events.dates import normalize_date
from events.invisible import (
    INVISIBLE,
    MULTI_LINE,
    ONE_LINE,
    describe_char,
    escape_invisible_json,
    first_refused,
    show_invisible,
)

__all__ = [
    "INVISIBLE",
    "ONE_LINE",
    "MULTI_LINE",
    "FuzzyDate",
    "LongText",
    "ShortText",
    "Slug",
    "Text",
    "Title",
    "Url",
    "describe_char",
    "escape_invisible_json",
    "first_refused",
    "show_invisible",
]


def _text(max_length: int, pattern: str) -> object:
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=pattern
    )


#: One line: names, places, units, locators (at most 300 characters).
ShortText = Annotated[str, _text(300, ONE_LINE)]
#: One line long enough for an official title (real bills run past 400 characters).
Title = Annotated[str, _text(1_000, ONE_LINE)]
#: One line: a URL.
Url = Annotated[str, _text(2_000, ONE_LINE)]
#: A verbatim quote (a sentence or a short paragraph; the bundled dataset keeps to 40 words).
Text = Annotated[str, _text(2_000, MULTI_LINE)]
#: Prose: statements, summaries, rationales, reasons (up to 20,000 characters).
LongText = Annotated[str, _text(20_000, MULTI_LINE)]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,119}$"),
]
FuzzyDate = Annotated[str, BeforeValidator(normalize_date)]
