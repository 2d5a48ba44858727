"""The status cache: the statuses last evaluated at the ledger's latest knowledge.

A ``status`` asks for every item at (as of a day, known now). The answer depends on the
events, the as-of day, the method and the rules' code; so the last answer is kept as a
checkpoint keyed by all of them (the log's position and head hash, the day, the method,
a fingerprint of the rules' source). Asked again with nothing new, ``statuses`` returns
it without loading the folded log. After new events, it re-evaluates only the linked
groups they touch (the items of the new events, of the events they retract, and the
items their links name), whose statuses are the only ones that can differ; a new or
retracted source registration changes every item's evidence grades, so it re-evaluates
everything. A cut that does not know every event (``--known-at`` in the past) is
evaluated afresh and not kept.

Like the folded log's checkpoint, the cache lives outside the hash chain: ``verify``
compares it with a fresh evaluation (``check_cached``) and drops it when they differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ledger.projections import folded, status, taxonomy, view
from ledger.projections.folded import FoldedLog
from ledger.projections.status import Disagreement, ItemStatus, evaluate
from ledger.projections.view import Cut, Knowledge, View, linked_group

if TYPE_CHECKING:
    from ledger.store import Store

__all__ = ["CACHE", "Evaluated", "check_cached", "statuses"]

#: Bumped whenever the cached form changes.
CACHE = "statuses:1"
#: Re-evaluating the touched groups pays while they are a small share of the items.
_REFRESH_SHARE = 10


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


def _load(store: Store, method: str, cut: Cut) -> _Entry | None:
    saved = store.load_checkpoint(_name(method))
    if saved is None:
        return None
    try:
        raw = orjson.loads(saved[1])
        if (raw["as_of"], raw["rules"], tuple(raw["fields"])) != (
            cut.day,
            _rules_fingerprint(),
            _FIELDS,
        ):
            return None
        return _Entry(saved[0], raw["hash"], [_status_of(d) for d in raw["items"]])
    except (ValueError, KeyError, TypeError):  # an unreadable cache is no cache
        return None


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


def _save(store: Store, method: str, cut: Cut, position: int, items: list[ItemStatus]) -> None:
    head_hash = store.hash_at(position) if position else ""
    blob = orjson.dumps(
        {
            "as_of": cut.day,
            "rules": _rules_fingerprint(),
            "hash": head_hash,
            "fields": _FIELDS,
            "items": list(map(_row_of, items)),
        }
    )
    store.save_checkpoint(_name(method), position, blob)


def statuses(store: Store, cut: Cut, method: str) -> Evaluated:
    """Every existing item's status at ``cut`` by ``method``, sorted by item id, as
    ``evaluate`` gives it; from the cache where it still holds."""
    from ledger.projections import catch_up  # the package's own catch-up

    head = store.head()
    knows_all = head.recorded_at is None or cut.knows(head.recorded_at)
    entry = _load(store, method, cut) if knows_all else None
    if entry is not None and (entry.position, entry.hash) == (head.position, head.hash):
        return Evaluated(entry.items, head.position, lambda: catch_up(store).log)
    caught = catch_up(store)
    items = None
    if (
        entry is not None
        and entry.position < caught.position
        and store.hash_at(entry.position) == entry.hash
    ):
        items = _refresh(store, caught.log, cut, method, entry)
    if items is None:
        items = evaluate(View.of(caught.log, cut), method)
    if knows_all:
        _save(store, method, cut, caught.position, items)
    return Evaluated(items, caught.position, lambda: caught.log)


def _refresh(
    store: Store, log: FoldedLog, cut: Cut, method: str, entry: _Entry
) -> list[ItemStatus] | None:
    """The cached statuses with the linked groups of the events since re-evaluated; None
    when everything must be (a source changed, or too much did)."""
    limit = max(len(entry.items) // _REFRESH_SHARE, 100)
    touched: set[str] = set()
    for record in store.read(after=entry.position):
        changed = [record]
        if record.type == "event.retracted":
            retracted = store.find_event(record.data["retracted"])
            if retracted is None:
                return None
            changed.append(retracted)
        for event in changed:
            stream = log.streams.get(event.item)
            if stream is None or stream.kind == "source" or event.type == "source.registered":
                return None
            touched.add(event.item)
            if event.type == "link.added":
                touched.add(event.data["to"])
        if len(touched) > limit:
            return None
    group = linked_group(log, cut.known_at, touched)
    fresh = evaluate(View(Knowledge(log, cut.known_at, items=group), cut), method)
    kept = [s for s in entry.items if s.item not in group]
    return sorted(kept + fresh, key=lambda s: s.item)


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
            raw = orjson.loads(saved[1])
            cut = Cut.of(raw["as_of"], store.head().recorded_at or None)
            cached = [_status_of(d) for d in raw["items"]]
        except (ValueError, KeyError, TypeError):
            cached, cut = None, Cut.of()
        fresh = evaluate(View.of(log, cut), method)
        same = cached == fresh and all(
            c.disagreements == f.disagreements for c, f in zip(cached or [], fresh, strict=False)
        )
        if not same:
            store.save_checkpoint(_name(method), 0, b"")
            intact = False
    return intact
