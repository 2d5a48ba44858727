"""Method 1 reproduces the figures published under it.

``tests/fixtures/kazakhstan-2026-11.jsonl`` is the bundled dataset as it stood when method 1
was the only method (532 events, before it was re-edited for method 2), with its five
sources registered first; ``kazakhstan-2026-11-method1.json`` holds, for every quarter end
2019–2024, each item's status under method 1 as that release computed it. Method 1 must
give exactly those, field for field, on today's code, whatever method 2 and the dataset
have become since.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger import import_files, status

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PUBLISHED = json.loads((FIXTURES / "kazakhstan-2026-11-method1.json").read_text("utf-8"))
FIELDS = ("item", "status", "since", "late", "contested", "cause_event", "deadline")


@pytest.fixture
def old_ledger(empty_store):
    import_files(empty_store, [FIXTURES / "kazakhstan-2026-11.jsonl"])
    return empty_store


def test_method_1_gives_every_published_status_of_every_quarter(old_ledger):
    for day, published in PUBLISHED.items():
        items = status(old_ledger, as_of=day, method="reform-ledger/1").items
        now = [[getattr(s, f) for f in FIELDS] + [s.implemented_by] for s in items]
        assert now == published, day


def test_method_2_reads_the_same_old_ledger_without_a_finding_from_silence(old_ledger):
    before = {row[0]: row[1] for row in PUBLISHED["2024-06-30"]}
    after = {s.item: s for s in status(old_ledger, as_of="2024-06-30").items}
    assert set(before) == set(after)
    assert sum(row == "stalled" for row in before.values()) == 36
    assert not [s for s in after.values() if s.status == "stalled"]
    for item, was in before.items():
        if was != "stalled":  # method 2 changes nothing but what the clock decided
            assert after[item].status == was, item
