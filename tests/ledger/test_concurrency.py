"""Four OS processes append to one ledger at once; the chain must come out whole.

Each writer is a separate process (``spawn``: nothing is shared but the database) that
appends 500 events, one ``append`` call each, to a handful of shared items. They start
together behind a barrier. Afterwards the ledger holds exactly 2,000 events after the
registration of the source they cite, positions 2..2001, every item's versions 1..n in
position order, each writer's events in its own order, and ``verify`` passes. Runs on a
SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from typing import Any

from ledger import ConcurrencyError, open_store, verify
from tests.conftest import make, registered

WRITERS = 4
EVENTS_PER_WRITER = 500
ITEMS = [f"milestone-{n}" for n in range(5)]
MAX_RETRIES = 100
PHASE = 100  # the writers meet after every PHASE events, so none can run through alone


def _writer(url: str, writer: int, barrier: Any, phases: Any, results: Any) -> None:
    """Append this writer's events one by one; retry an append refused as a version clash.

    The writers meet at `phases` every PHASE events: on a busy machine one process could
    otherwise finish all its appends before another is scheduled, and the test would
    prove nothing about concurrent appends.
    """
    store = open_store(url)
    try:
        events = [
            # milestone.reached may open its item, so the first writer to get there creates it
            make(
                "milestone.reached",
                ITEMS[(writer + n) % len(ITEMS)],
                "2023-01",
                what=f"writer {writer} event {n}",
                value=float(writer * EVENTS_PER_WRITER + n),
            )
            for n in range(EVENTS_PER_WRITER)
        ]
        store.count()  # connect before the start, so the race is between appends
        barrier.wait(timeout=120)
        retries = 0
        for n, event in enumerate(events):
            if n and n % PHASE == 0:
                phases.wait(timeout=120)
            for _attempt in range(MAX_RETRIES):
                try:
                    result = store.append([event])
                except ConcurrencyError:
                    retries += 1
                    continue
                assert len(result.appended) == 1
                break
            else:
                raise RuntimeError(f"writer {writer}: gave up after {MAX_RETRIES} retries")
        results.put((writer, retries, None))
    except BaseException as error:  # report it to the parent, which fails the test
        results.put((writer, -1, repr(error)))
        raise
    finally:
        store.close()


def test_four_processes_append_500_events_each(ledger_url: str) -> None:
    registered(open_store(ledger_url, create=True)).close()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS + 1)
    phases = context.Barrier(WRITERS)
    results = context.Queue()
    processes = [
        context.Process(target=_writer, args=(ledger_url, writer, barrier, phases, results))
        for writer in range(WRITERS)
    ]
    for process in processes:
        process.start()
    try:
        barrier.wait(timeout=120)  # all writers connected: go
        outcomes = [results.get(timeout=300) for _ in processes]
        for process in processes:
            process.join(timeout=60)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    assert [error for _, _, error in outcomes if error] == []
    assert sorted(writer for writer, _, _ in outcomes) == list(range(WRITERS))
    assert all(process.exitcode == 0 for process in processes)

    store = open_store(ledger_url)
    try:
        records = list(store.read(after=1))  # after the registration of the cited source
        assert store.count() - 1 == WRITERS * EVENTS_PER_WRITER == 2_000
        report = verify(store)
    finally:
        store.close()
    assert report.events == 2_001

    # positions: unique and contiguous
    assert [r.position for r in records] == list(range(2, 2_002))
    # per item: versions 1..n, in position order (read() is in position order)
    versions: dict[str, list[int]] = defaultdict(list)
    for r in records:
        versions[r.item].append(r.version)
    assert set(versions) == set(ITEMS)
    for item_versions in versions.values():
        assert item_versions == list(range(1, len(item_versions) + 1))
    # every event exactly once, and each writer's events in the order it appended them
    assert len({r.id for r in records}) == 2_000
    by_writer: dict[int, list[int]] = defaultdict(list)
    for r in records:
        writer, n = divmod(int(r.data["value"]), EVENTS_PER_WRITER)
        by_writer[writer].append(n)
    assert dict(by_writer) == {w: list(range(EVENTS_PER_WRITER)) for w in range(WRITERS)}
    # the writers really interleaved: every phase holds all four writers' events
    owners = [int(r.data["value"]) // EVENTS_PER_WRITER for r in records]
    switches = sum(1 for a, b in zip(owners, owners[1:], strict=False) if a != b)
    assert switches >= (WRITERS - 1) * (EVENTS_PER_WRITER // PHASE), "the writers did not meet"
