"""The registration of a source document: what the events that cite it are citing.

A source's id is the item of its ``source.registered`` event and the ``source.document``
that other events name (a slug, e.g. ``ecfr-2022-06`` or ``address-2022.txt``). A later
``source.registered`` for the same id is a correction: it replaces the earlier one whole,
and both stay in the log. A registration cites the document it registers: its own
``source.document`` is its id, and when the ``source`` block is left out it cites the
title (locator ``title``, quote the title).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from events.base import Event, Source
from events.dates import normalize_date, refuse_future
from events.registry import register
from events.text import ONE_LINE, FuzzyDate, LongText, ShortText, Title, Url

__all__ = ["SOURCE_KINDS", "SourceRegistered", "normalize_language", "web_url"]

SourceKind = Literal["official", "government", "academic", "think_tank", "news", "other"]
SOURCE_KINDS: tuple[str, ...] = SourceKind.__args__  # type: ignore[attr-defined]

#: A language tag: a 2-3 letter language, then subtags (script, region, variant).
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


#: Characters a URL may not hold as such (they must be percent-encoded): whitespace and
#: the ASCII characters that are no URL code points; ``[`` and ``]`` only in the host.
_NOT_IN_URL = re.compile(r'[\s"<>`{}|\\^]')


def web_url(value: str) -> str:
    """An absolute http(s) address, kept exactly as given (no normalising)."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not a web address (give an http:// or https:// URL)")
    after_host = value.partition(parts.netloc)[2]
    bad = _NOT_IN_URL.search(value) or re.search(r"[\[\]]", after_host)
    if bad:
        raise ValueError(
            f"{value!r} is not a web address: {bad[0]!r} must be percent-encoded "
            f"(%{ord(bad[0]):02X})"
        )
    return value


def normalize_language(value: str) -> str:
    """A BCP 47-style tag in its usual case: ``en``, ``kk-Cyrl``, ``en-GB``."""
    if not _LANGUAGE.match(value):
        raise ValueError(f"{value!r} is not a language tag (BCP 47, e.g. en, ru, kk, en-GB)")
    first, *rest = value.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())
        elif len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        else:
            parts.append(part.lower())
    return "-".join(parts)


WebUrl = Annotated[Url, AfterValidator(web_url)]
Language = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(normalize_language)
]
ShortTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=ONE_LINE)
]


@register
class SourceRegistered(Event):
    """A document events cite: its title, who wrote or published it, when, where, what kind."""

    event_type = "source.registered"
    item_kind = "source"
    creates_item = True

    title: Title = Field(description="The title as the document gives it.")
    short_title: ShortTitle | None = Field(
        default=None, description="How reports cite it, e.g. ECFR (2022); the title if absent."
    )
    author: ShortText | None = Field(default=None, description="Who wrote it.")
    publisher: ShortText | None = Field(default=None, description="Who published it.")
    published: FuzzyDate = Field(description="When it was published, at the precision known.")
    url: WebUrl | None = Field(default=None, description="Where to read it: an http(s) address.")
    kind: SourceKind = Field(
        description="official, government, academic, think_tank, news or other."
    )
    language: Language = Field(description="A BCP 47 language tag, e.g. en or kk.")
    note: LongText | None = Field(
        default=None, description="How it is dated, its leaning, or anything else to know."
    )

    @model_validator(mode="before")
    @classmethod
    def _cites_itself(cls, data: Any) -> Any:
        """Fill the self-citation and the effective date (the publication) when left out."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if not data.get("source"):  # none given (``record`` gives an empty one)
            _require(data, "title")  # it would be quoted
            data["source"] = {"locator": "title", "quote": data["title"]}
        if isinstance(data["source"], dict) and "document" not in data["source"]:
            data["source"] = {"document": data.get("item"), **data["source"]}
        if data.get("effective") is None:
            _require(data, "published")  # it would be the effective date
            try:
                data["effective"] = normalize_date(data["published"])
            except ValueError as error:  # say so of the field given, not the one derived
                _refuse(data, "published", str(error))
        return data

    @field_validator("published")
    @classmethod
    def _published_by_now(cls, value: str) -> str:
        return refuse_future(value, "publication date")

    @field_validator("source")
    @classmethod
    def _source_is_the_document(cls, value: Source, info: Any) -> Source:
        item = info.data.get("item")
        if item is not None and value.document != item:
            raise ValueError(
                f"a registration cites the document it registers ({item!r}), not {value.document!r}"
            )
        return value


def _require(data: dict[str, Any], field: str) -> None:
    """Name the field people are asked for, not the one it would have filled."""
    if data.get(field) is None:
        missing = InitErrorDetails(type="missing", loc=(field,), input=data)
        raise ValidationError.from_exception_data(SourceRegistered.__name__, [missing])


def _refuse(data: dict[str, Any], field: str, reason: str) -> None:
    error = PydanticCustomError("value_error", "{reason}", {"reason": reason})
    details = InitErrorDetails(type=error, loc=(field,), input=data.get(field))
    raise ValidationError.from_exception_data(SourceRegistered.__name__, [details])
