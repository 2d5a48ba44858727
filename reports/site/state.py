"""The site model a build made, kept beside the site for the next build to bring up to date.

``.reform-ledger-model.json.gz`` in the site's folder (gzipped JSON) holds what a whole
build derives from every record of the ledger and that a page or data file shows: each
item's status at the site's date and what its records gave its entry (the promise's
statement and actor, the disputes in words, the digest of its timeline's inputs, its
links), its status at each period's end and its linked group's key in the series cache;
each period's entry (counts, changes, lists by item, the positions of the events it
lists); the sources as readers see them and where each is first cited. With the ledger's
head (position and hash) and everything the model was made for (options, code), a
build after new events reads only those events and their items' records instead of the
whole ledger (``reports.site.model.update_site``); anything it cannot bring up to date
exactly sends it back to the whole build. The file is data (JSON), never executed, and
written as the rest of the site: deterministic, and only when its bytes change.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from ledger import ItemStatus
from reports.site.cache import decode_status, encode_status
from reports.site.model import (
    AreaCount,
    Change,
    Cite,
    Dispute,
    EventCounts,
    LinkRef,
    Site,
    SourceInfo,
    StripCell,
)

__all__ = ["MODEL_STATE", "SavedItem", "SavedPeriod", "SavedSite", "read_state", "state_body"]

MODEL_STATE = ".reform-ledger-model.json.gz"
_VERSION = 1


@dataclass
class SavedItem:
    status: ItemStatus  # at the site's date
    statement: str
    actor: str
    inputs: str
    disputes: list[Dispute]
    links_out: list[LinkRef]
    links_in: list[LinkRef]
    strip: list[str]  # its status key at each period's end ("" before it existed)


@dataclass
class SavedPeriod:
    name: str
    end: date
    counts: dict[str, int]
    previous_counts: dict[str, int]
    promises: int
    delivered: int
    late: int
    changes: list[Change]
    news: dict[str, int]
    first_reported: dict[str, int]
    newly_overdue: list[str]
    new_disputes: list[str]
    resolved_disputes: list[str]
    gaps: list[tuple[str, str]]  # (item, note)
    event_counts: EventCounts
    gap_areas: list[AreaCount]
    change_areas: list[AreaCount]
    digest: str
    inputs: str
    listed: list[int]


@dataclass
class SavedSite:
    #: what the model was made for (options, dates, code): see ``publish.build``
    made_for: str
    #: the newest event of the ledger when it was made, and its hash
    head: int
    head_hash: str
    known_at: str
    digest: str
    position: int
    since: str
    areas: dict[str, str]
    packages: dict[str, str]
    items: dict[str, SavedItem]
    periods: list[SavedPeriod]
    sources: list[SourceInfo]
    #: per cited document, where its first citation sorts: (item, first day, position)
    firsts: dict[str, tuple[str, str, int]]
    #: every known item's linked group's key in the series cache (an item the site does
    #: not show yet, one whose events all lie after its date, may be in a shown one's)
    groups: dict[str, str]


def _cite(c: Cite | None) -> list[Any] | None:
    return None if c is None else [c.title, c.anchor, c.published, c.url, c.locator, c.quote]


def _change(c: Change) -> list[Any]:
    return [
        c.period,
        c.item,
        c.title,
        c.area,
        c.before,
        c.after,
        c.after_key,
        c.colour,
        c.cause,
        c.how,
        c.when,
        c.cause_id,
        c.learned,
        _cite(c.cite),
    ]


def _areas(found: list[AreaCount]) -> list[list[Any]]:
    return [[a.area, a.name, a.anchor, a.count] for a in found]


def _strip(cells: list[StripCell], site: Site) -> list[str]:
    """An item's status key at each period's end, "" where it did not exist yet."""
    held = {cell.period: cell.status for cell in cells}
    return [held.get(period.name, "") for period in site.periods]


def state_body(site: Site, made_for: str, head: tuple[int, str], groups: dict[str, str]) -> bytes:
    """The model of ``site`` as the file's bytes (``groups``: each known item's group key,
    shown or not)."""
    items = {
        entry.id: [
            encode_status(entry.status),
            entry.statement,
            entry.actor,
            entry.inputs,
            [[d.text, d.claims] for d in entry.disputes],
            [[r.relation, r.item, r.title, r.status] for r in entry.links_out],
            [[r.relation, r.item, r.title, r.status] for r in entry.links_in],
            _strip(entry.strip, site),
        ]
        for entry in site.items.values()
    }
    periods = [
        [
            p.name,
            p.end.isoformat(),
            list(p.counts.items()),
            list(p.previous_counts.items()),
            p.promises,
            p.delivered,
            p.late,
            [_change(c) for c in p.changes],
            list(p.news.items()),
            list(p.first_reported.items()),
            [line.item for line in p.newly_overdue],
            [line.item for line in p.new_disputes],
            [line.item for line in p.resolved_disputes],
            [[line.item, line.note] for line in p.gaps],
            [p.event_counts.happened, p.event_counts.reported, _areas(p.event_counts.areas)],
            _areas(p.gap_areas),
            _areas(p.change_areas),
            p.digest,
            p.inputs,
            site.listed.get(p.name, []),
        ]
        for p in site.periods
    ]
    sources = [
        [s.key, s.anchor, s.title, s.label, s.author, s.published, s.kind, s.url, s.cited]
        for s in site.sources
    ]
    saved = {
        "version": _VERSION,
        "made_for": made_for,
        "head": list(head),
        "known_at": site.known_at,
        "digest": site.digest,
        "position": site.position,
        "since": site.since.name,
        "areas": site.areas,
        "packages": site.packages,
        "items": items,
        "periods": periods,
        "sources": sources,
        "firsts": site.firsts,
        "groups": dict(sorted(groups.items())),
    }
    return gzip.compress(orjson.dumps(saved) + b"\n", compresslevel=1, mtime=0)


def _cite_of(saved: list[Any] | None) -> Cite | None:
    return None if saved is None else Cite(*saved)


def _areas_of(saved: list[list[Any]]) -> list[AreaCount]:
    return [AreaCount(*a) for a in saved]


def _item_of(saved: list[Any]) -> SavedItem:
    status, statement, actor, inputs, disputes, out, into, strip = saved
    return SavedItem(
        decode_status(status),
        statement,
        actor,
        inputs,
        [Dispute(text, [tuple(claim) for claim in claims]) for text, claims in disputes],
        [LinkRef(*r) for r in out],
        [LinkRef(*r) for r in into],
        strip,
    )


def _period_of(saved: list[Any]) -> SavedPeriod:
    (name, end, counts, previous, promises, delivered, late, changes, news, first) = saved[:10]
    overdue, disputes, resolved, gaps, events, gap_areas, change_areas = saved[10:17]
    digest, inputs, listed = saved[17:]
    return SavedPeriod(
        name,
        date.fromisoformat(end),
        dict(counts),
        dict(previous),
        promises,
        delivered,
        late,
        [Change(*c[:13], _cite_of(c[13])) for c in changes],
        dict(news),
        dict(first),
        overdue,
        disputes,
        resolved,
        [(item, note) for item, note in gaps],
        EventCounts(events[0], events[1], _areas_of(events[2])),
        _areas_of(gap_areas),
        _areas_of(change_areas),
        digest,
        inputs,
        listed,
    )


def read_state(out: Path, made_for: str) -> SavedSite | None:
    """The model the last build into ``out`` kept, when it was made for ``made_for``
    (else, or when missing or unreadable, None)."""
    try:
        saved = orjson.loads(gzip.decompress((out / MODEL_STATE).read_bytes()))
        if saved.get("version") != _VERSION or saved.get("made_for") != made_for:
            return None
        return SavedSite(
            made_for,
            saved["head"][0],
            saved["head"][1],
            saved["known_at"],
            saved["digest"],
            saved["position"],
            saved["since"],
            saved["areas"],
            saved["packages"],
            {item: _item_of(body) for item, body in saved["items"].items()},
            [_period_of(body) for body in saved["periods"]],
            [SourceInfo(*s) for s in saved["sources"]],
            {d: (item, start, position) for d, (item, start, position) in saved["firsts"].items()},
            saved["groups"],
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None  # missing or unreadable: the whole build
