"""The status cache: the statuses last evaluated at the ledger's latest knowledge.

A ``status`` asks for every item at (as of a day, known now). The answer depends on the
events, the as-of day, the method and the rules' code; so the last answer is kept as a
checkpoint keyed by all of them (the log's position and head hash, the day, the method,
a fingerprint of the rules' source). Asked again with nothing new, ``statuses`` returns
it without loading the folded log. After new events, it re-evaluates only the linked
groups they touch (the items of the new events, of the events they retract, and the
items their links name), whose statuses are the only ones that can differ; a new or
retracted source registration changes every item's evidence grades, so it re-evaluates
everything. Asked for a later day, it re-evaluates only the groups for which a date
lies between the two days (an event happening, the 12-month window or a deadline
passing one of their dates, a target's share of elapsed time moving: ``series.
next_changes``, kept with the answer); an earlier day is evaluated afresh. A cut that
does not know every event (``--known-at`` in the past) is evaluated afresh and not kept.

Like the folded log's checkpoint, the cache lives outside the hash chain: ``verify``
compares it with a fresh evaluation (``check_cached``) and drops it when they differ.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ledger.projections import folded, status, taxonomy, view
from ledger.projections.folded import CHUNK, FoldedLog, fold_log
from ledger.projections.series import NextChange, changed_since, next_changes
from ledger.projections.status import Disagreement, ItemStatus, evaluate
from ledger.projections.view import Cut, Knowledge, View, group_of, link_neighbours

if TYPE_CHECKING:
    from ledger.mapper import Record
    from ledger.store import Store

__all__ = ["CACHE", "Evaluated", "check_cached", "statuses"]

#: Bumped whenever the cached form changes.
CACHE = "statuses:2"
#: Re-evaluating the touched groups pays while they are a small share of the items.
_REFRESH_SHARE = 10
#: Items whose events one query reads (well under the engines' limits on parameters).
_READ_AT_ONCE = 500


@dataclass
class Evaluated:
    """Every existing item's status at a cut, and the position of the log they read."""

    items: list[ItemStatus]
    position: int
    #: the folded log they were evaluated from (loaded only when asked for)
    log: Callable[[], FoldedLog]


@cache
def _rules_fingerprint() -> str:
    """A digest of the code that turns events into statuses, so a changed rule (even
    without a new method version) never reuses an old answer."""
    digest = hashlib.sha256()
    for module in (folded, status, taxonomy, view):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:  # no source to read: never reuse across runs
            digest.update(str(id(module)).encode())
    return digest.hexdigest()[:16]


def _name(method: str) -> str:
    return f"{CACHE}:{method}"


@dataclass
class _Entry:
    position: int
    hash: str
    items: list[ItemStatus]
    #: each item's neighbours along links: those of the log the entry was evaluated from,
    #: and any added since (a superset still gives groups closed under links)
    links: dict[str, list[str]]
    #: each registered source's kind (a change to a source re-evaluates everything)
    source_kinds: dict[str, str]
    #: the day the statuses are as of
    as_of: str
    #: each known item's next dates at which its group's statuses could change
    changes: dict[str, NextChange]
    #: the token of each row of statuses as stored (empty: not stored yet)
    tokens: list[str] = field(default_factory=list)


def _load(store: Store, method: str, cut: Cut) -> _Entry | None:
    # the key has a row of its own: an entry of a later day or of other rules is neither
    # read nor parsed
    key = store.load_checkpoint(_name(method) + ":key")
    if key is None:
        return None
    try:
        said = orjson.loads(key[1])
        if said[0] != _key() or said[2] > cut.day:
            return None
        saved = store.load_checkpoint(_name(method))
        if saved is None or saved[0] != key[0]:
            return None
        written, raw, items = _parse(store, method, saved[1])
        tokens = raw["tokens"]
        if written != key[1]:  # the entry starts with its key: both rows were written
            return None
        changes = {item: NextChange(*dates) for item, dates in raw["changes"].items()}
        return _Entry(
            saved[0], raw["hash"], items, raw["links"], raw["sources"], said[2], changes, tokens
        )
    except (ValueError, KeyError, TypeError, StopIteration):  # unreadable: no cache
        return None


def _parse(
    store: Store, method: str, blob: bytes
) -> tuple[bytes, dict[str, Any], list[ItemStatus]]:
    """An entry's key (as written), its other parts, and its statuses.

    The statuses are kept in rows of their own, ``CHUNK`` a row, read and parsed one at a
    time, so reading never holds them all in stored or parsed form beside the statuses.
    Each row starts with the token the entry names for it: a row of another entry is not
    read as its own.
    """
    key, _, header = blob.partition(b"\n")
    raw = orjson.loads(header)
    items: list[ItemStatus] = []
    for number, token in enumerate(raw["tokens"]):
        row = store.load_checkpoint(f"{_name(method)}:{number}")
        if row is None:
            raise ValueError("a part of the cached statuses is missing")
        written, _, body = row[1].partition(b"\n")
        if written != token.encode():
            raise ValueError("a part of the cached statuses belongs to another entry")
        items.extend(map(_status_of, orjson.loads(body)))
    return key, raw, items


def _key() -> dict[str, Any]:
    """What an entry's form depends on besides the log and the day: the rules' code and
    the fields kept."""
    return {"rules": _rules_fingerprint(), "fields": list(_FIELDS)}


#: An ItemStatus is kept as an array of its fields in this order, then its disagreements.
_FIELDS = tuple(f.name for f in fields(ItemStatus))
_values = attrgetter(*_FIELDS)


def _status_of(row: list[Any]) -> ItemStatus:
    result = ItemStatus(*row[:-1])
    result.disagreements = [
        Disagreement(kind, subject, [(what, tuple(who)) for what, who in claims], detail)
        for kind, subject, claims, detail in row[-1]
    ]
    return result


def _row_of(status: ItemStatus) -> list[Any]:
    found = [[d.kind, d.subject, d.claims, d.detail] for d in status.disagreements]
    return [*_values(status), found]


def _save(
    store: Store,
    method: str,
    entry: _Entry,
    before: _Entry | None = None,
    changed: Collection[str] = (),
) -> None:
    """The entry, its statuses in rows of ``CHUNK``, and its key, in one transaction.

    Given the entry ``before`` it (as stored) and the items whose statuses were derived
    again, only the rows holding those are written, when the items are the same as
    before (otherwise the rows' bounds moved, and every row is written).
    """
    items, position = entry.items, entry.position
    same = (
        before is not None
        and len(before.items) == len(items)
        and all(a.item == b.item for a, b in zip(before.items, items, strict=True))
    )
    if before is not None and same:
        dirty = {index // CHUNK for index, s in enumerate(items) if s.item in changed}
        kept = before.tokens
    else:
        dirty, kept = set(), []
    rows, tokens = [], []
    for number, start in enumerate(range(0, len(items), CHUNK)):
        if number < len(kept) and number not in dirty:
            tokens.append(kept[number])
            continue
        token = secrets.token_hex(8)
        chunk = orjson.dumps(list(map(_row_of, items[start : start + CHUNK])))
        rows.append((f"{_name(method)}:{number}", position, token.encode() + b"\n" + chunk))
        tokens.append(token)
    entry.tokens = tokens
    header = orjson.dumps(
        {
            "hash": entry.hash,
            "links": entry.links,
            "sources": entry.source_kinds,
            "changes": entry.changes,
            "tokens": tokens,
        },
        default=tuple,  # the named tuples of ``changes``
    )
    key = orjson.dumps([_key(), entry.hash, entry.as_of])
    rows.append((_name(method), position, key + b"\n" + header))
    rows.append((_name(method) + ":key", position, key))
    store.save_checkpoints(rows)


def statuses(store: Store, cut: Cut, method: str) -> Evaluated:
    """Every existing item's status at ``cut`` by ``method``, sorted by item id, as
    ``evaluate`` gives it; from the cache where it still holds."""
    from ledger.projections.checkpoint import catch_up  # imports this module: here, not above

    head = store.head()
    knows_all = head.recorded_at is None or cut.knows(head.recorded_at)
    entry = _load(store, method, cut) if knows_all else None
    same_day = entry is not None and entry.as_of == cut.day
    if same_day and (entry.position, entry.hash) == (head.position, head.hash):
        return Evaluated(entry.items, head.position, lambda: catch_up(store).log)
    if (
        entry is not None
        and 0 < entry.position <= head.position
        and store.hash_at(entry.position) == entry.hash
    ):
        dated = set() if same_day else changed_since(entry.changes, entry.items, cut.as_of)
        refreshed = _refresh(store, cut, method, entry, head.position, dated)
        if refreshed is not None:
            fresh, group = refreshed
            fresh.hash = head.hash
            _save(store, method, fresh, entry, group)
            return Evaluated(fresh.items, head.position, lambda: catch_up(store).log)
    caught = catch_up(store)
    knowledge = Knowledge(caught.log, cut.known_at)
    items = evaluate(View(knowledge, cut), method)
    if knows_all and caught.position == head.position:  # later events: maybe not known
        links = link_neighbours(caught.log, cut.known_at)
        head_hash = (store.hash_at(caught.position) if caught.position else "") or ""
        changes = next_changes(knowledge, cut.as_of, items, links)
        sources = knowledge.source_kinds
        fresh = _Entry(caught.position, head_hash, items, links, sources, cut.day, changes)
        _save(store, method, fresh)
    return Evaluated(items, caught.position, lambda: caught.log)


def _refresh(
    store: Store, cut: Cut, method: str, entry: _Entry, position: int, dated: set[str]
) -> tuple[_Entry, set[str]] | None:
    """The entry brought to ``position`` and to the cut's day, and the items evaluated
    again: the linked groups the
    events since touch, and those of the ``dated`` items (whose statuses the day may
    change), read from the store (only their items' events) and evaluated again, the
    other items' statuses kept; None when everything must be evaluated (a source
    changed, an old ledger's retraction sits on another item, or too much changed)."""
    limit = max(len(entry.items) // _REFRESH_SHARE, 100)
    if len(dated) > limit:
        return None
    links = {item: list(others) for item, others in entry.links.items()}
    touched: set[str] = set(dated)
    # more new events than items: evaluating everything costs no more
    most = max(len(entry.items), limit)
    new = store.read_few(after=entry.position, upto=position, limit=most + 1)
    if len(new) > most:
        return None
    for record in new:
        changed = [record]
        if record.type == "event.retracted":
            retracted = store.find_event(record.data["retracted"])
            if retracted is None or retracted.item != record.item:
                return None
            changed.append(retracted)
        for event in changed:
            if event.type == "source.registered" or event.item in entry.source_kinds:
                return None  # every item's evidence grades read the sources
            touched.add(event.item)
            if event.type == "link.added":
                touched.add(event.data["to"])
                links.setdefault(event.item, []).append(event.data["to"])
                links.setdefault(event.data["to"], []).append(event.item)
        if len(touched) > limit:
            return None
    group = group_of(links, touched)
    if len(group) > limit:
        return None
    per_item: dict[str, list[Record]] = {}  # in the log's order of items, as a replay
    members = sorted(group)
    for start in range(0, len(members), _READ_AT_ONCE):
        for record in store.read_few(upto=position, items=members[start : start + _READ_AT_ONCE]):
            per_item.setdefault(record.item, []).append(record)
    streams = sorted(per_item.values(), key=lambda records: records[0].position)
    if any(records[0].type == "source.registered" for records in streams):
        return None
    log = FoldedLog()
    for records in streams:
        fold_log(log, records)
    knowledge = Knowledge(log, cut.known_at)
    knowledge.source_kinds = entry.source_kinds  # unchanged, or we would not be here
    fresh = evaluate(View(knowledge, cut), method)
    kept = [s for s in entry.items if s.item not in group]
    items = sorted(kept + fresh, key=lambda s: s.item)
    changes = {item: dates for item, dates in entry.changes.items() if item not in group}
    changes.update(next_changes(knowledge, cut.as_of, fresh, links))
    fresh_entry = _Entry(position, entry.hash, items, links, entry.source_kinds, cut.day, changes)
    return fresh_entry, group


def _edges(links: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(item, other) for item, others in links.items() for other in others}


def _no_later(cached: dict[str, NextChange], fresh: dict[str, NextChange]) -> bool:
    """Whether every date the cache keeps comes no later than a fresh evaluation's (an
    earlier one, from a group widened by a link since retracted, only re-derives sooner)."""
    for item, dates in fresh.items():
        kept = cached.get(item)
        if kept is None:
            return False
        for date_kept, date_fresh in zip(kept, dates, strict=True):
            if date_fresh is not None and (date_kept is None or date_kept > date_fresh):
                return False
    return True


def check_cached(store: Store, log: FoldedLog, position: int) -> bool:
    """Whether the cached answers of the log at ``position`` (its head) match a fresh
    evaluation; a wrong one (someone altered it) is dropped, and so is one of an earlier
    position, which the next ``statuses`` would carry forward unchecked. True when every
    answer at ``position`` matched."""
    intact = True
    for method in taxonomy.METHODS:
        saved = store.load_checkpoint(_name(method))
        if saved is None or not saved[1]:
            continue
        if saved[0] != position:  # an older answer would be carried forward: drop it
            store.save_checkpoint(_name(method), 0, b"")
            continue
        try:
            key, raw, cached = _parse(store, method, saved[1])
            cut = Cut.of(orjson.loads(key)[2], store.head().recorded_at or None)
            links, sources = _edges(raw["links"]), raw["sources"]
            changes = {item: NextChange(*dates) for item, dates in raw["changes"].items()}
        except (ValueError, KeyError, TypeError, IndexError, StopIteration):
            cached, links, sources, cut, changes = None, set(), None, Cut.of(), {}
        knowledge = Knowledge(log, cut.known_at)
        fresh = evaluate(View(knowledge, cut), method)
        neighbours = link_neighbours(log, cut.known_at)
        same = (
            cached == fresh
            and [c.disagreements for c in cached or []] == [f.disagreements for f in fresh]
            and sources == knowledge.source_kinds
            and _no_later(changes, next_changes(knowledge, cut.as_of, fresh, neighbours))
            # more links than the log holds only widen the groups evaluated again
            and links.issuperset(_edges(neighbours))
        )
        if not same:
            store.save_checkpoint(_name(method), 0, b"")
            intact = False
    return intact
