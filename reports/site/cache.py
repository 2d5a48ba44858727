"""The status series a build computed, kept beside the site for the next build to reuse.

``.reform-ledger-series.json.gz`` in the site's folder (gzipped JSON) holds, for every
linked group of items (``ledger.linked_groups``: an item's status depends only on its
group's events), the group's statuses at every date the build evaluated. Each group is
keyed by a digest of everything its statuses are computed from: the group's known events as the read
model folds them (ids, positions, effective dates, recorded times, the fields the rules
read; a retracted event is simply absent), the kinds of the registered sources (they
grade evidence), the method, and the fingerprint of the code. A key that matches is the
same input, so a cached status cannot go stale; a group whose events changed gets a new
key and is evaluated again, the others are read back. The file is written as the rest
of the site: deterministic (it holds only the groups and dates of this build, sorted),
and only when its bytes change. It is read as data (JSON), never executed.

Who calls it: ``publish_site`` (reads and writes it) and ``publish_period`` (reads it
only, ``keep=False``: what it lacks is evaluated, not cached).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from ledger import METHOD, Disagreement, ItemStatus, Knowledge, evaluate_series, linked_groups

__all__ = ["SERIES_CACHE", "SeriesCache", "decode_status", "encode_status"]

SERIES_CACHE = ".reform-ledger-series.json.gz"
_VERSION = 1
_FIELDS = tuple(f.name for f in fields(ItemStatus))


def encode_status(status: ItemStatus) -> list[Any]:
    values = [getattr(status, name) for name in _FIELDS]
    found = [[d.kind, d.subject, d.claims, d.detail] for d in status.disagreements]
    return [values, found]


def decode_status(saved: list[Any]) -> ItemStatus:
    values, found = saved
    if len(values) != len(_FIELDS):
        raise ValueError("a kept status has the wrong number of fields")
    status = ItemStatus(*values)  # the fields in their order: no keyword dict each
    status.disagreements = [
        Disagreement(kind, subject, [(what, tuple(who)) for what, who in claims], detail)
        for kind, subject, claims, detail in found
    ]
    return status


def _read_back(saved: dict[str, Any], wanted: list[str]) -> list[list[ItemStatus]]:
    """A group's statuses at the wanted dates; each status decoded once, and only when
    one of those dates shows it."""
    made: dict[int, ItemStatus] = {}
    statuses = saved["statuses"]
    per_day = []
    for day in wanted:
        indexes = saved["dates"][day]
        for index in indexes:
            if index not in made:
                made[index] = decode_status(statuses[index])
        per_day.append([made[index] for index in indexes])
    return per_day


def _covers(saved: dict[str, Any] | None, wanted: list[str]) -> bool:
    """Whether a kept group holds its statuses at every wanted date."""
    return saved is not None and all(day in saved["dates"] for day in wanted)


class SeriesCache:
    """The previous build's series per group (when readable) and the one being made."""

    def __init__(self, out: Path | None, fingerprint: str, *, keep: bool = True) -> None:
        self.fingerprint, self.keep = fingerprint, keep
        self.previous: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        #: how many groups were read back and how many evaluated, for the curious
        self.reused = self.evaluated = 0
        #: each item's group's key, as the last ``series`` found it
        self.keys: dict[str, str] = {}
        if out is None:
            return
        try:
            saved = orjson.loads(gzip.decompress((out / SERIES_CACHE).read_bytes()))
            if saved.get("version") == _VERSION and saved.get("code") == fingerprint:
                self.previous = dict(saved["groups"])
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            self.previous = {}  # missing or unreadable: everything is evaluated

    def reset(self) -> None:
        """Forget what this build found or kept so far (an update given up)."""
        self.groups, self.keys = {}, {}
        self.reused = self.evaluated = 0

    def series(self, knowledge: Knowledge, dates: list[date]) -> dict[date, list[ItemStatus]]:
        """What ``evaluate_series(knowledge, dates, exact=dates)`` gives, groups whose key
        is cached with every date read back instead of evaluated."""
        days = sorted(set(dates))
        if not self.previous and not self.keep:  # nothing to read back, nothing to keep:
            groups = linked_groups(knowledge)  # no group needs its key
            self.evaluated += len(groups)
            return evaluate_series(knowledge, days, exact=set(days), groups=groups)
        wanted = [day.isoformat() for day in days]
        common = orjson.dumps(
            [_VERSION, self.fingerprint, METHOD, sorted(knowledge.source_kinds.items())]
        )
        streams = knowledge.streams
        chosen: dict[str, list[list[ItemStatus]]] = {}  # key -> statuses per date
        stale: dict[str, str] = {}  # item -> key of a group to evaluate
        for group in linked_groups(knowledge):
            digest = hashlib.sha256(common)
            events = [[item, streams[item].kind, streams[item].events] for item in group]
            digest.update(orjson.dumps(events, default=tuple))
            key = digest.hexdigest()
            self.keys.update(dict.fromkeys(group, key))
            saved = self.previous.get(key)
            if _covers(saved, wanted):
                chosen[key] = _read_back(saved, wanted)
                if self.keep and list(saved["dates"]) == wanted:
                    self.groups[key] = saved  # the same dates: kept as read
                self.reused += 1
            else:
                chosen[key] = [[] for _ in wanted]
                stale.update(dict.fromkeys(group, key))
                self.evaluated += 1
        if stale:
            fresh = evaluate_series(knowledge, days, exact=set(days), items=stale)
            for index, day in enumerate(days):
                for status in fresh[day]:
                    chosen[stale[status.item]][index].append(status)
        if self.keep:
            for key, per_day in chosen.items():
                if key not in self.groups:
                    self._keep(key, wanted, per_day)
        series: dict[date, list[ItemStatus]] = {}
        for index, day in enumerate(days):
            results = [s for per_day in chosen.values() for s in per_day[index]]
            results.sort(key=lambda status: status.item)
            series[day] = results
        return series

    def saved_series(self, key: str, dates: list[date]) -> list[list[ItemStatus]] | None:
        """The previous build's statuses of group ``key`` at each of ``dates`` (sorted),
        or None when it did not keep them all."""
        saved = self.previous.get(key)
        wanted = [day.isoformat() for day in dates]
        return _read_back(saved, wanted) if _covers(saved, wanted) else None

    def carry(self, keys: Iterable[str], dates: list[date]) -> bool:
        """Keep the previous build's groups ``keys`` as they are (their events did not
        change); False, keeping none, when one of them is missing or lacks a date."""
        wanted = [day.isoformat() for day in dates]
        found = [self.previous.get(key) for key in keys]
        if any(saved is None or list(saved["dates"]) != wanted for saved in found):
            return False
        self.groups.update(zip(keys, found, strict=True))  # type: ignore[arg-type]
        return True

    def _keep(self, key: str, wanted: list[str], per_day: list[list[ItemStatus]]) -> None:
        """Record a group's statuses for the next build, each distinct value once (by
        value, not identity, so the file depends on the statuses alone)."""
        encoded: dict[int, bytes] = {}
        index: dict[bytes, int] = {}
        statuses: list[list[Any]] = []
        days: dict[str, list[int]] = {}
        for day, results in zip(wanted, per_day, strict=True):
            indexes = []
            for status in results:
                body = encoded.get(id(status))
                if body is None:
                    body = encoded[id(status)] = orjson.dumps(encode_status(status))
                if body not in index:
                    index[body] = len(statuses)
                    statuses.append(encode_status(status))
                indexes.append(index[body])
            days[day] = indexes
        self.groups[key] = {"statuses": statuses, "dates": days}

    def body(self) -> bytes:
        # groups sorted by key; a status's own dicts keep their order (it can show)
        groups = dict(sorted(self.groups.items()))
        saved = {"version": _VERSION, "code": self.fingerprint, "groups": groups}
        # gzip without a time stamp: the same statuses give the same bytes; the fastest
        # level, as the JSON shrinks about tenfold at any level
        return gzip.compress(orjson.dumps(saved) + b"\n", compresslevel=1, mtime=0)
