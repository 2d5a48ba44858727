"""File names for areas and packages: stable, readable, safe on any static host.

Item ids are already slugs (the event catalogue enforces it) and give ``items/<id>.html``
directly. Areas and packages are free text, so each gets a slug made of lower-case ASCII
letters, digits and hyphens; a name with no such characters, or two names that would
share a slug, get a short hash of the name so every name keeps its own page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

__all__ = ["display_name", "slug", "slugs_for"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def display_name(name: str) -> str:
    """How a reader sees an area or package named like a slug: ``civil-society`` → Civil
    society, ``economy`` → Economy (a one-word slug too, so a list of areas reads alike);
    a name written as words (any capital, space or other character) is shown as written."""
    if not _SLUG_LIKE.match(name):
        return name
    words = name.replace("-", " ")
    return words[:1].upper() + words[1:]


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def slug(name: str) -> str:
    """Lower-case ASCII words joined by hyphens (at most 60 characters)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")


def slugs_for(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug for each distinct name."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(names)):
        by_slug[slug(name)].append(name)
    found = {}
    for base, members in by_slug.items():
        for name in members:
            unique = base and len(members) == 1
            found[name] = base if unique else f"{base}-{_hash(name)}".lstrip("-")
    return found
