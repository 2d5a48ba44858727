"""The Atom feeds: every status change, newest first, one feed for the site and one per area.

Built with feedgen (valid Atom 1.0). Each entry is one status change of one item; its id
is a UUID derived from the item and the event that caused the change (or, for a change
caused by time passing, the item, the new status and its date), so the same change keeps
the same id in every build and a feed reader never shows it twice. Its ``updated`` time is
when the ledger learned of the cause, never the build's clock, so the same ledger gives
the same bytes. Text a feed reader shows never carries a raw invisible character: one an
older ledger holds is written ``<U+202E>``, as on the pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from feedgen.feed import FeedGenerator

from events import parse_instant, show_invisible
from reports.site.model import Change, Site

__all__ = ["AREA_FEED_ENTRIES", "FEED_ENTRIES", "entry_id", "site_feeds"]

#: The newest entries a feed keeps (older changes stay on the item pages and reports).
FEED_ENTRIES = 500
AREA_FEED_ENTRIES = 200
_NAMESPACE = uuid.UUID("5b0f0f5e-2c1d-4b1a-9f3e-7a7e0c1f4d21")
_EPOCH = "1970-01-01T00:00:00Z"


def entry_id(change: Change) -> str:
    """A stable id for one status change: the same item, cause, new status and period give
    the same id (an item can return to a status by the same cause after a time-caused
    change, so the cause alone is not enough)."""
    cause = change.cause_id or change.learned
    key = f"{change.item}|{cause}|{change.after_key}|{change.period}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"


def _instant(text: str) -> datetime:
    return parse_instant(text)


def _link(site: Site, path: str, prefix: str) -> str:
    if site.base_url:
        return site.base_url.rstrip("/") + "/" + path
    return prefix + path


def _content(change: Change) -> str:
    text = f"{change.title}: {change.before} → {change.after}. "
    if change.how == "time":
        return text + f"{change.cause}."
    text += f"Cause: {change.cause} ({change.when})."
    if change.cite is not None:
        cite = change.cite
        text += f" Source: {cite.title} ({cite.published})"
        text += f", {cite.locator}" if cite.locator else ""
        text += f": “{cite.quote}”"
        text += f" {cite.url}" if cite.url else ""
    return text


def _feed(
    site: Site, changes: list[Change], title: str, path: str, limit: int, ids: dict[int, str]
) -> bytes:
    """The feed of ``changes``, newest first; ``ids`` holds each change's ``entry_id`` by
    the change's ``id()`` (made once for all the feeds)."""
    prefix = "../" * path.count("/")
    newest = sorted(changes, key=lambda c: (c.learned, c.item, ids[id(c)]), reverse=True)[:limit]
    generator = FeedGenerator()
    generator.id(f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'feed|{site.title}|{path}')}")
    generator.title(show_invisible(title))
    generator.subtitle(f"Status changes derived by method {site.method} from cited events.")
    generator.author({"name": show_invisible(site.title)})
    generator.generator("Reform Ledger")
    generator.link(href=_link(site, "index.html", prefix), rel="alternate")
    if site.base_url:
        generator.link(href=_link(site, path, ""), rel="self")
    generator.updated(_instant(max((c.learned for c in newest), default=_EPOCH)))
    for change in newest:
        entry = generator.add_entry(order="append")
        entry.id(ids[id(change)])
        entry.title(show_invisible(f"{change.title}: {change.after}"))
        entry.updated(_instant(change.learned))
        entry.link(href=_link(site, f"items/{change.item}.html", prefix), rel="alternate")
        entry.content(show_invisible(_content(change)), type="text")
    return generator.atom_str(pretty=True)


def site_feeds(site: Site) -> Iterator[tuple[str, bytes]]:
    """``feed.xml`` for every change, and ``feeds/area-<slug>.xml`` for each area."""
    ids = {id(change): entry_id(change) for change in site.changes}
    title = f"{site.title}: status changes"
    yield "feed.xml", _feed(site, site.changes, title, "feed.xml", FEED_ENTRIES, ids)
    by_area: dict[str, list[Change]] = {}
    for change in site.changes:
        by_area.setdefault(change.area, []).append(change)
    for area, slug in sorted(site.areas.items()):
        path = f"feeds/area-{slug}.xml"
        changes = by_area.get(area, [])
        yield path, _feed(site, changes, f"{site.title}: {area}", path, AREA_FEED_ENTRIES, ids)
