"""``publish_site``: build the static site into a folder, rewriting only what changed.

What the ``publish`` command, the demo and the scheduler call. The ledger is read and
folded once (``load_snapshot``), the site model is built once (``build_site``), and every
page, report, feed and data file is rendered from it and written with ``write_atomic``:
a file whose bytes did not change is not touched, so a rebuild after one new event
rewrites only the pages that event touches, and the folder can be a git repository with
one readable commit per run. Files the site wrote earlier under its own folders (items,
areas, packages, periods, feeds) that this build no longer produces are removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from ledger import METHOD, Store, keep_checkpoint, parse_as_of, parse_known_at
from ledger.memory import gc_paused
from reports.errors import ReportError
from reports.output import write_atomic
from reports.periods import KINDS, Period, parse_period, period_containing
from reports.site.cache import SERIES_CACHE, SeriesCache
from reports.site.data import EVENTS, data_files
from reports.site.database import (
    DATABASE,
    METADATA,
    database_bytes,
    database_head,
    metadata_json,
    source_anchors,
    update_database,
)
from reports.site.export import publish_events
from reports.site.feed import site_feeds
from reports.site.manifest import MANIFEST, Manifest, code_fingerprint, digest_of
from reports.site.model import Site, build_site, default_since, safe_url, update_site
from reports.site.pages import Page, list_pages, period_report, site_pages
from reports.site.state import MODEL_STATE, read_state, state_body
from reports.snapshot import load_period_snapshot, load_snapshot

__all__ = ["PublishResult", "publish_period", "publish_site"]

#: Folders whose files belong to the site alone: stale files there are removed.
_OWNED = ("items", "areas", "packages", "periods", "feeds")
_OWNED_SUFFIXES = (".html", ".md", ".xml")


@dataclass
class PublishResult:
    """What a build wrote: the files (re)written and removed, and what it shows."""

    out: Path
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    unchanged: int = 0
    digest: str = ""
    as_of: date | None = None
    items: int = 0
    periods: list[str] = field(default_factory=list)


def _kind(value: str) -> str:
    kind = value.strip().lower()
    if kind not in KINDS:
        raise ReportError(f"--period {value!r} is not month, quarter or year")
    return kind


def _since(value: str | Period | None, kind: str) -> Period | None:
    if value is None:
        return None
    period = parse_period(value)
    if period.kind != kind:
        raise ReportError(
            f"--since {period.name} is a {period.kind}, but the site is built per {kind} "
            f"(give a {kind}, or --period {period.kind})"
        )
    return period


def _base_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    url = safe_url(value)
    if url is None:
        raise ReportError(f"--base-url {value!r} is not an http or https URL")
    return url.rstrip("/") + "/"


def _database_key(whole: str, site: Site) -> str:
    """What the database was made from: the site's inputs, the sources' anchors (the
    events table names sources by them) and the newest event it holds (every event
    known at the cut, happened or not: not always the site's digest)."""
    newest = site.records.newest
    held = f"{newest.position}:{newest.hash}" if newest else "0:"
    return f"{whole} {digest_of(source_anchors(site))} {held}"


def _database(store: Store, site: Site, write: _Writer, made_from: str) -> None:
    """The database: kept when the last build made it from the same inputs; brought up to
    date in place when it holds a prefix of this ledger (checked against the store's
    chain) under the same anchors; else built fresh and written atomically.

    The file is known by the size the last build recorded and the newest event it holds
    (the manifest's key names it), not by hashing it: an update that a crash left half
    done is undone by SQLite when the file is opened, and the manifest on disk forgets the
    file before it is changed in place, so one that completed without its new manifest is
    built fresh."""
    path = write.out / DATABASE
    previous = write.manifest.previous_key(DATABASE) or ""
    parts = previous.split(" ")
    anchors, digest = parts[1:] if len(parts) == 3 else ("", "")
    size = write.manifest.previous_size(DATABASE)
    held = database_head(path) if path.is_file() else None  # (undoes a half-done update)
    if held is not None and path.stat().st_size != size:
        held = None  # not the file the last build recorded
    write.produced.add(path)
    if held is not None and held == digest and previous == made_from:
        write.manifest.keep(DATABASE)
        write.result.unchanged += 1
        return
    position, _, hash_ = digest.partition(":")
    if (
        held is not None
        and held == digest
        and anchors == digest_of(source_anchors(site))
        and position.isdigit()
        and 0 < int(position) <= (site.records.newest.position if site.records.newest else 0)
        and store.hash_at(int(position)) == hash_
    ):
        try:
            write.manifest.forget(DATABASE)
            changed = update_database(path, site, int(position))
        except OSError as error:
            raise ReportError(f"cannot write {path}: {error.strerror or error}") from None
        if changed is not None:
            write.manifest.record_large(DATABASE, made_from, "", path.stat().st_size)
            if changed:
                write.result.written.append(path)
            else:
                write.result.unchanged += 1
            return
    body = database_bytes(site)
    Path(f"{path}-journal").unlink(missing_ok=True)  # never left to "undo" a new file
    write(DATABASE, body, made_from)
    write.manifest.record_large(DATABASE, made_from, write.manifest.files[DATABASE][1], len(body))


def _stylesheet() -> bytes:
    return resources.files("reports.templates").joinpath("site/site.css").read_bytes()


class _Writer:
    """Writes the site's files, consulting and keeping the build manifest."""

    def __init__(self, out: Path, result: PublishResult, manifest: Manifest) -> None:
        self.out, self.result, self.manifest = out, result, manifest
        self.produced: set[Path] = set()

    def __call__(self, relative: str, data: bytes | str, key: str | None = None) -> None:
        path = self.out / relative
        self.produced.add(path)
        body = data.encode("utf-8") if isinstance(data, str) else data
        try:
            changed = write_atomic(path, body)
        except OSError as error:
            raise ReportError(f"cannot write {path}: {error.strerror or error}") from None
        if relative != MANIFEST:
            self.manifest.record(relative, key, body)
        if changed:
            self.result.written.append(path)
        else:
            self.result.unchanged += 1

    def kept(self, relative: str, key: str) -> bool:
        """Whether ``relative`` is already what ``key`` makes (then it is left alone)."""
        if not self.manifest.unchanged(relative, key):
            return False
        self.produced.add(self.out / relative)
        self.result.unchanged += 1
        return True

    def page(self, page: Page) -> None:
        """Write ``page``, rendering it only when its file is not already what its key
        makes."""
        if not self.kept(page.path, page.key):
            self(page.path, page.text, page.key)

    def remove_stale(self) -> None:
        produced = {str(path) for path in self.produced}  # strings: 10,000 paths compare fast
        for folder in _OWNED:
            directory = self.out / folder
            if not directory.is_dir():
                continue
            with os.scandir(directory) as entries:
                stale = sorted(
                    entry.path
                    for entry in entries
                    if os.path.splitext(entry.name)[1] in _OWNED_SUFFIXES
                    and entry.path not in produced
                    and entry.is_file()
                )
            for name in stale:
                path = Path(name)
                path.unlink()
                self.result.removed.append(path)


def build(
    store: Store,
    *,
    as_of: str | date | None = None,
    known_at: str | date | datetime | None = None,
    period: str = "quarter",
    since: str | Period | None = None,
    base_url: str | None = None,
    title: str = "Reform Ledger",
    only: str | Period | None = None,
    cache: SeriesCache | None = None,
    out: Path | None = None,
) -> Site:
    """The site model of the ledger at (as of, known at); the store is read once.

    The whole model folds every event, and saves that folded log as the ledger's
    checkpoint when the stored one is older, so the next ``status`` or one-period report
    has nothing to fold. With ``only``, the model of that one period (from the folded log
    of the ledger's checkpoint and the records its report names, see
    ``load_period_snapshot``); with ``cache``, statuses a previous build evaluated are
    reused (see ``build_site``). With ``out`` (and ``cache``, and no known-at time given),
    the model the last build into ``out`` kept is brought up to date when it can be
    (``update_site``: only the new events and the groups they touch are read)."""
    kind = _kind(period)
    wanted_since = _since(since, kind)
    day = parse_as_of(as_of) if as_of is not None else datetime.now(UTC).date()
    url = _base_url(base_url)
    title = title.strip() or "Reform Ledger"
    if only is None and out is not None and cache is not None and known_at is None:
        saved = read_state(out, made_for(cache.fingerprint, day, kind, wanted_since, url, title))
        if saved is not None:
            site = update_site(
                saved,
                store,
                as_of=day,
                kind=kind,
                since=parse_period(saved.since),
                base_url=url,
                title=title,
                cache=cache,
            )
            if site is not None:
                return site
            cache.reset()
    if only is None:
        snapshot = load_snapshot(store)
        head = snapshot.records[-1].position if snapshot.records else 0
        keep_checkpoint(store, snapshot.log, head)
    else:  # one period reads the checkpoint and the few records its report names
        snapshot = load_period_snapshot(store)
    stated = None if known_at is None else parse_known_at(known_at)
    evaluated = stated if stated is not None else snapshot.latest_recorded_at
    start = wanted_since or default_since(snapshot, evaluated, kind)
    if start is None:
        start = period_containing(day, kind)
    chosen = _only(only, kind, start, day)
    return build_site(
        snapshot,
        as_of=day,
        known_at=evaluated,
        known_at_given=stated is not None,
        kind=kind,
        since=start,
        base_url=url,
        title=title,
        only=chosen,
        cache=cache,
    )


def made_for(
    fingerprint: str, day: date, kind: str, since: Period | None, url: str | None, title: str
) -> str:
    """What a kept model was made for: the code, the options and the method (a model made
    for other ones is never brought up to date)."""
    return digest_of(fingerprint, METHOD, day, kind, since and since.name, url, title)


def _only(value: str | Period | None, kind: str, start: Period, day: date) -> Period | None:
    """The one period asked for, checked against the periods the site covers."""
    if value is None:
        return None
    period = parse_period(value)
    last = period_containing(day, kind)
    if period.kind != kind:
        raise ReportError(
            f"--period-only {period.name} is a {period.kind}, but the site is built per "
            f"{kind} (give a {kind}, or --period {period.kind})"
        )
    first = start if start.start <= last.start else last
    if not first.start <= period.start <= last.start:
        raise ReportError(
            f"--period-only {period.name} is not among the site's periods "
            f"({first.name} to {last.name})"
        )
    return period


def publish_site(
    store: Store,
    out: Path,
    *,
    as_of: str | date | None = None,
    known_at: str | date | datetime | None = None,
    period: str = "quarter",
    since: str | Period | None = None,
    base_url: str | None = None,
    title: str = "Reform Ledger",
) -> PublishResult:
    """Build the site of ``store`` into ``out``; return what was written.

    ``as_of`` defaults to today, ``known_at`` to everything the ledger holds, ``since`` to
    the first period with a promise of the tracked government (see ``default_since``).
    """
    out = Path(out)
    result = PublishResult(out)
    fingerprint = code_fingerprint()
    with gc_paused():  # hundreds of thousands of acyclic objects: see ledger.memory
        cache = SeriesCache(out, fingerprint)
        site = build(
            store,
            as_of=as_of,
            known_at=known_at,
            period=period,
            since=since,
            base_url=base_url,
            title=title,
            cache=cache,
            out=out,
        )
        write = _Writer(out, result, Manifest(out, fingerprint))
        write("site.css", _stylesheet())
        for page in site_pages(site):
            write.page(page)
        for index in range(len(site.periods)):
            for page in period_report(site, index):
                write.page(page)
        # the rest is made from the whole site: made again only when the ledger (up to the
        # newest event the site shows) or the options changed
        whole = digest_of(site.digest, site.position, site.as_of, site.known_at, site.kind)
        whole = digest_of(whole, site.since, site.base_url, site.title, site.method)
        for feed in site_feeds(site):
            write.page(feed)
        exported = out / EVENTS.path
        try:
            events = publish_events(store, out, write.manifest, site.digest, site.position)
        except OSError as error:
            raise ReportError(f"cannot write {exported}: {error.strerror or error}") from None
        write.produced.add(exported)
        if events.written:
            result.written.append(exported)
        else:
            result.unchanged += 1
        for path, body in data_files(site, (events.size, events.sha256)):
            write(path, body)
        _database(store, site, write, _database_key(whole, site))
        if not write.kept(METADATA, whole):
            write(METADATA, metadata_json(site), whole)
        write(SERIES_CACHE, cache.body())
        if not site.known_at_given:  # what the next build brings up to date
            wanted = _since(since, site.kind)
            key = made_for(fingerprint, site.as_of, site.kind, wanted, site.base_url, site.title)
            write(MODEL_STATE, state_body(site, key, site.head, cache.keys))
        else:  # a model as known at another time is not the next build's to update
            (out / MODEL_STATE).unlink(missing_ok=True)
        write.remove_stale()
        write(MANIFEST, write.manifest.body())
    result.digest, result.as_of = site.digest, site.as_of
    result.items, result.periods = len(site.items), [p.name for p in site.periods]
    return result


def publish_period(
    store: Store,
    out: Path,
    period: str | Period,
    *,
    as_of: str | date | None = None,
    known_at: str | date | datetime | None = None,
    kind: str = "quarter",
    since: str | Period | None = None,
    base_url: str | None = None,
    title: str = "Reform Ledger",
) -> PublishResult:
    """Write one period's short report (``periods/<P>.html`` and ``.md``) into ``out``,
    with the pages of its lists too long to show inline that it links to
    (``periods/<P>-events.html``, ``periods/<P>-gaps.html``), so a refreshed report never
    links to a missing or older list; such a page the report no longer links to (its list
    got short) is removed.

    The same bytes the whole site's build writes for that period, from a model of that
    period alone (see ``build_site``): the way to refresh or preview one report over a
    large ledger. Nothing else in ``out`` is touched, the build manifest included; the
    next whole build checks these files by their bytes.
    """
    out = Path(out)
    result = PublishResult(out)
    with gc_paused():
        site = build(
            store,
            as_of=as_of,
            known_at=known_at,
            period=kind,
            since=since,
            base_url=base_url,
            title=title,
            only=period,
            cache=SeriesCache(out, code_fingerprint(), keep=False),  # read only
        )
        written: set[str] = set()
        for page in period_report(site, 0):
            path = out / page.path
            written.add(page.path)
            try:
                changed = write_atomic(path, page.text.encode("utf-8"))
            except OSError as error:
                raise ReportError(f"cannot write {path}: {error.strerror or error}") from None
            if changed:
                result.written.append(path)
            else:
                result.unchanged += 1
        name = site.periods[0].name
        for relative in list_pages(name):
            path = out / relative
            if relative not in written and path.is_file():
                path.unlink()
                result.removed.append(path)
    result.digest, result.as_of = site.digest, site.as_of
    result.items, result.periods = len(site.items), [p.name for p in site.periods]
    return result
