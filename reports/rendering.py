"""The one Jinja environment of the reports, and the Markdown-escaping filter.

Templates live in ``reports/templates/<report>.<ext>.j2`` with the shared HTML macros
in ``_macros.j2``. ``StrictUndefined`` turns a misspelt field into an error instead of
an empty string. Every template but ``*.md.j2`` is autoescaped; Markdown templates
pass every string from the ledger through the ``md`` filter, which makes it inert text
on one line: it cannot start a link, an image, emphasis, code, raw HTML, a new table
cell or a new row. Neither format ever carries a raw bidi control or other invisible
format character, whatever the ledger holds (older ledgers accepted them): each is shown
as ``<U+202E>``, so text cannot read differently from what is stored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from events import INVISIBLE, show_invisible

__all__ = ["citation", "md_escape", "md_url", "render", "swatch"]

#: ASCII punctuation that can open Markdown syntax inside a line (CommonMark lets any
#: ASCII punctuation be backslash-escaped, so escaping more than needed is harmless).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
#: What could open a block (list item, heading underline) at the start of a line.
_MD_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")
_WHITESPACE = re.compile(r"\s+")


def md_escape(value: Any) -> str:
    """Ledger text as inert one-line Markdown (safe in a table cell or a list item)."""
    return _md_escape_text(str(value))


@lru_cache(maxsize=65536)
def _md_escape_text(value: str) -> str:
    # locators, quotes and event descriptions repeat across a report's timelines
    text = _WHITESPACE.sub(" ", show_invisible(value)).strip()
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


#: What would end or break a Markdown link destination: percent-encoded (still the same URL).
_MD_URL_UNSAFE = re.compile(r"[()<>\s\\`]")


def md_url(value: Any) -> str:
    """A URL (already checked to be http or https) as a safe Markdown link destination."""
    return _MD_URL_UNSAFE.sub(lambda m: f"%{ord(m[0]):02X}", str(value))


def swatch(colour: str) -> Markup:
    """A status's colour square (HTML): a filter, not a macro, since long lists show one
    a line and a Jinja macro call costs tens of times more."""
    return Markup(f'<span class="swatch" style="background:{escape(colour)}"></span>')


def citation(cite: Any, root: str) -> Markup:
    """A source as a line cites it (HTML): its title linking to the source (or to its
    entry on the sources page), its date, and the locator within it. A filter for the
    same reason as ``swatch``; every value is escaped."""
    title, published = escape(cite.title), escape(cite.published)
    if cite.url:
        text = f'<a href="{escape(cite.url)}">{title}</a> ({published})'
    else:
        text = (
            f'<a href="{escape(root)}sources.html#{escape(cite.anchor)}">{title}</a> ({published})'
        )
    return Markup(f"{text}, {escape(cite.locator)}" if cite.locator else text)


def _autoescape(name: str | None) -> bool:
    """Escape HTML everywhere except in Markdown templates (which use ``md`` instead)."""
    return not (name or "").endswith(".md.j2")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("reports", "templates"),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = md_escape
    environment.filters["mdurl"] = md_url
    environment.filters["swatch"] = swatch
    environment.filters["citation"] = citation
    return environment


def _entity(match: re.Match[str]) -> str:
    return f"&lt;U+{ord(match[0]):04X}&gt;"


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>.j2``; the text always ends with one newline.

    Whatever a template let through unfiltered (HTML attributes, charts, ids) is caught
    here: an invisible character left in the output becomes ``&lt;U+XXXX&gt;``, which
    both HTML and GitHub-flavoured Markdown show as ``<U+XXXX>``.
    """
    text = _environment().get_template(f"{template}.j2").render(**context)
    if INVISIBLE.search(text) is not None:
        text = INVISIBLE.sub(_entity, text)
    return text.rstrip("\n") + "\n"
