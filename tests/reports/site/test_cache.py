"""The series cache: statuses read back from the previous build are the statuses a fresh
walk gives, and only the linked groups whose events changed are evaluated again."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from ledger import Store, evaluate_series, linked_groups
from reports.site.cache import SERIES_CACHE, SeriesCache
from reports.snapshot import load_snapshot
from tests.reports.conftest import add_2024_event, build_ledger, event

DATES = [date(2022, 12, 31), date(2023, 3, 31), date(2023, 9, 30), date(2024, 6, 30)]


def knowledge_of(store: Store, known_at: str | None = None):
    snapshot = load_snapshot(store)
    return snapshot.knowledge(known_at or snapshot.latest_recorded_at)


def same(series: dict, fresh: dict) -> None:
    assert list(series) == list(fresh)
    for day in fresh:
        assert series[day] == fresh[day]
        assert [s.disagreements for s in series[day]] == [s.disagreements for s in fresh[day]]


def cached(folder, knowledge, fingerprint: str = "code", dates=DATES) -> SeriesCache:
    cache = SeriesCache(folder, fingerprint)
    same(cache.series(knowledge, dates), evaluate_series(knowledge, dates, exact=set(dates)))
    (folder / SERIES_CACHE).write_bytes(cache.body())
    return cache


def group_of(knowledge, item: str) -> list[str]:
    return next(group for group in linked_groups(knowledge) if item in group)


def test_only_the_groups_whose_events_changed_are_evaluated_again(store, tmp_path):
    build_ledger(store)
    before = knowledge_of(store)
    groups = len(linked_groups(before))
    first = cached(tmp_path, before)
    assert (first.reused, first.evaluated) == (0, groups)

    again = cached(tmp_path, before)
    assert (again.reused, again.evaluated) == (groups, 0)

    add_2024_event(store)  # party-signatures, linked to the parties law
    retracted = event("law.in_force", "law-media", "2023-03-01")
    store.append(
        [
            event(
                "event.retracted",
                "law-media",
                "2023-03-01",
                recorded_at="2024-07-02T00:00:00Z",
                retracted=str(retracted.id),
                reason="Wrong date.",
            )
        ]
    )
    after = knowledge_of(store)
    assert "law-parties" in group_of(after, "party-signatures")
    changed = cached(tmp_path, after)
    assert (changed.reused, changed.evaluated) == (groups - 2, 2)


def test_a_cut_at_an_earlier_known_at_does_not_reuse_later_events(store, tmp_path):
    build_ledger(store)
    add_2024_event(store)
    cached(tmp_path, knowledge_of(store))
    earlier = knowledge_of(store, "2024-06-30T12:00:00.000000Z")  # before the 2024 event
    cache = cached(tmp_path, earlier)
    assert cache.evaluated == 1 and cache.reused == len(linked_groups(earlier)) - 1


@pytest.mark.parametrize("change", ["code", "dates", "not gzip", "broken json"])
def test_other_code_or_dates_or_a_broken_file_mean_evaluating_again(store, tmp_path, change):
    build_ledger(store)
    knowledge = knowledge_of(store)
    cached(tmp_path, knowledge)
    groups = len(linked_groups(knowledge))
    if change == "code":
        cache = cached(tmp_path, knowledge, fingerprint="other code")
    elif change == "dates":
        cache = cached(tmp_path, knowledge, dates=[*DATES, date(2024, 7, 31)])
    else:
        broken = b'{"version": 1, "code": "code", "groups": ['
        saved = broken if change == "not gzip" else gzip.compress(broken)
        (tmp_path / SERIES_CACHE).write_bytes(saved)
        cache = cached(tmp_path, knowledge)
    assert (cache.reused, cache.evaluated) == (0, groups)
