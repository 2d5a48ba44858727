"""The Atom feeds: every status change, newest first, one feed for the site and one per area.

Built with feedgen (valid Atom 1.0). Each entry is one status change of one item; its id
is a UUID derived from the item and the event that caused the change (or, for a change
caused by time passing, the item, the new status and its date), so the same change keeps
the same id in every build and a feed reader never shows it twice. Its ``updated`` time is
when the ledger learned of the cause, never the build's clock, so the same ledger gives
the same bytes. Text a feed reader shows never carries a raw invisible character: one an
older ledger holds is written ``<U+202E>``, as on the pages.

Each feed is keyed, as the pages are, by a digest of exactly what it shows (its newest
changes with their ids, its title, the site's title, method and base URL), so a rebuild
makes again only the feeds whose entries changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from feedgen.feed import FeedGenerator

from events import parse_instant, show_invisible
from reports.site.manifest import digest_of
from reports.site.model import Change, Site
from reports.site.pages import Page

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


def _newest(changes: list[Change], limit: int) -> list[tuple[Change, str]]:
    """The ``limit`` newest of ``changes`` with their entry ids, newest first: by when
    the ledger learned them, then item, then id. Ids are made only for the changes that
    can be among them (those up to the last one kept, and its ties)."""
    ordered = sorted(changes, key=lambda c: (c.learned, c.item), reverse=True)
    if len(ordered) > limit:
        edge, end = (ordered[limit - 1].learned, ordered[limit - 1].item), limit
        while end < len(ordered) and (ordered[end].learned, ordered[end].item) == edge:
            end += 1
        ordered = ordered[:end]
    newest = [(change, entry_id(change)) for change in ordered]
    newest.sort(key=lambda pair: (pair[0].learned, pair[0].item, pair[1]), reverse=True)
    return newest[:limit]


def _feed(site: Site, title: str, path: str, newest: list[tuple[Change, str]]) -> str:
    """The feed of the ``newest`` changes (with their entry ids), newest first."""
    prefix = "../" * path.count("/")
    generator = FeedGenerator()
    generator.id(f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'feed|{site.title}|{path}')}")
    generator.title(show_invisible(title))
    generator.subtitle(f"Status changes derived by method {site.method} from cited events.")
    generator.author({"name": show_invisible(site.title)})
    generator.generator("Reform Ledger")
    generator.link(href=_link(site, "index.html", prefix), rel="alternate")
    if site.base_url:
        generator.link(href=_link(site, path, ""), rel="self")
    generator.updated(_instant(max((c.learned for c, _ in newest), default=_EPOCH)))
    for change, key in newest:
        entry = generator.add_entry(order="append")
        entry.id(key)
        entry.title(show_invisible(f"{change.title}: {change.after}"))
        entry.updated(_instant(change.learned))
        entry.link(href=_link(site, f"items/{change.item}.html", prefix), rel="alternate")
        entry.content(show_invisible(_content(change)), type="text")
    return generator.atom_str(pretty=True).decode("utf-8")


def _page(site: Site, title: str, path: str, newest: list[tuple[Change, str]]) -> Page:
    """The feed at ``path`` as a page keyed by all it shows (feedgen and its options
    are the code's, covered by the manifest's fingerprint)."""
    key = digest_of("feed", path, title, site.title, site.method, site.base_url, newest)
    return Page(path, key, lambda: _feed(site, title, path, newest))


def site_feeds(site: Site) -> Iterator[Page]:
    """``feed.xml`` for every change, and ``feeds/area-<slug>.xml`` for each area."""
    title = f"{site.title}: status changes"
    yield _page(site, title, "feed.xml", _newest(site.changes, FEED_ENTRIES))
    by_area: dict[str, list[Change]] = {}
    for change in site.changes:
        by_area.setdefault(change.area, []).append(change)
    for area, slug in sorted(site.areas.items()):
        path = f"feeds/area-{slug}.xml"
        newest = _newest(by_area.get(area, []), AREA_FEED_ENTRIES)
        yield _page(site, f"{site.title}: {area}", path, newest)
