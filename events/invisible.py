"""What text may hold, without pydantic: the invisible characters no field may hold, the
patterns the event models check, and how readers are shown such characters.

Split from ``events/text.py`` (the constrained types, which need pydantic) so that printing
a message or a table (``show_invisible``) does not load pydantic: the reading commands and
the command line's error lines use only this module.
"""

from __future__ import annotations

import json
import re
import unicodedata

__all__ = [
    "INVISIBLE",
    "MULTI_LINE",
    "ONE_LINE",
    "describe_char",
    "escape_invisible_json",
    "first_refused",
    "show_invisible",
]

#: Unicode format characters (category Cf) as of Unicode 15, minus ZWNJ and ZWJ, and the
#: C1 controls: the characters no text field may hold and readers are never shown raw.
#: tests/events/test_text.py checks this list against the running Python's Unicode data.
_INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0080, 0x009F),  # C1 controls (U+009B is a terminal's CSI)
    (0x00AD, 0x00AD),  # soft hyphen
    (0x0600, 0x0605),
    (0x061C, 0x061C),  # Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200B),  # zero-width space
    (0x200E, 0x200F),  # left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),  # tags
)
_INVISIBLE_CLASS = "".join(
    re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}"
    for start, end in _INVISIBLE_RANGES
)
#: Finds one refused invisible character (the rendering side's test).
INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
#: Line breaks a one-line field refuses (CR, VT, FF and NEL are controls anyway).
_LINE_BREAKS = "\n\u2028\u2029"

#: Patterns checked by pydantic-core's regex engine (a Python validator per string costs
#: more than the rest of validation): long text may hold newlines and tabs, one-line
#: fields tabs only.
MULTI_LINE = f"^[^\\x00-\\x08\\x0b-\\x1f\\x7f{_INVISIBLE_CLASS}]*$"
ONE_LINE = f"^[^\\x00-\\x08\\x0a-\\x1f\\x7f{_INVISIBLE_CLASS}\u2028\u2029]*$"


def _refused(char: str, *, one_line: bool) -> bool:
    if char in "\n\t":
        return one_line and char == "\n"
    code = ord(char)
    return (
        code < 0x20
        or code == 0x7F
        or (one_line and char in _LINE_BREAKS)
        or INVISIBLE.match(char) is not None
    )


def first_refused(text: str, *, one_line: bool) -> str | None:
    """The first character a field of this kind may not hold, or None."""
    return next((char for char in text if _refused(char, one_line=one_line)), None)


def describe_char(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how messages name a character."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def _visible(match: re.Match[str]) -> str:
    return f"<U+{ord(match[0]):04X}>"


def show_invisible(text: str) -> str:
    """``text`` with every refused invisible character shown as ``<U+XXXX>``."""
    if INVISIBLE.search(text) is None:  # nearly always: answer without building a copy
        return text
    return INVISIBLE.sub(_visible, text)


def _json_escape(match: re.Match[str]) -> str:
    return json.dumps(match[0])[1:-1]  # ``\\u202e``; a surrogate pair above U+FFFF


def escape_invisible_json(text: str) -> str:
    """JSON text with every refused invisible character written as a ``\\uXXXX`` escape.

    Lossless: the escapes stand only inside JSON strings, and parse back to the same value.
    """
    if INVISIBLE.search(text) is None:
        return text
    return INVISIBLE.sub(_json_escape, text)
