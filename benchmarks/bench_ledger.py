"""Ledger benchmark: import, single appends, replay and status on synthetic events.

Prints, for N synthetic events over N/10 items (default 100,000 over 10,000):
batch import events/s (file parse, validation and hash chain included), 1,000 single
appends events/s, full replay into the status projection events/s, the times of
`status` (first, cached, after one new event, at an earlier date) and the peak memory of
a `status` process, and the wall time of one `reform-ledger record` (start-up
included); and, in the same run on the same events, two raw-sqlite3 limits with the
ratios to them. The machine is noisy, so compare ratios, not absolute figures.

    .venv/bin/python benchmarks/bench_ledger.py [--events 100000] [--pg URL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events import canonical_json, parse_event  # noqa: E402
from ledger import catch_up, import_files, open_store, status  # noqa: E402

SOURCE = {
    "document": "synthetic-source-document.txt",
    "locator": "Section 4, paragraph 2: On political parties",
    "quote": "the government will reduce the number of signatures required to register a "
    "political party from twenty thousand to five thousand, and lower the minimum size of "
    "regional branches",
}


REGISTRATION = {
    "id": str(uuid.UUID(int=54321)),
    "type": "source.registered",
    "item": SOURCE["document"],
    "effective": "2019",
    "source": {"document": SOURCE["document"], "locator": "title", "quote": "Synthetic"},
    "title": "Synthetic source document",
    "publisher": "Synthetic Publisher",
    "published": "2019",
    "kind": "news",
    "language": "en",
}


def synthetic_events(count: int) -> list[dict]:
    """About 480-byte events: 20 per promise/law pair, so count/10 items; the first one
    registers the source they all cite."""
    rng = uuid.UUID(int=12345)
    events = [REGISTRATION]
    pairs = max(count // 20, 1)
    for pair in range(pairs):
        p, law = f"promise-{pair:05d}", f"law-{pair:05d}"
        year = 2019 + pair % 5

        def add(type_: str, item: str, effective: str, **data) -> None:
            n = len(events)
            events.append(
                {
                    "id": str(uuid.uuid5(rng, str(n))),
                    "type": type_,
                    "item": item,
                    "effective": effective,
                    "source": SOURCE,
                    **data,
                }
            )

        add(
            "promise.made",
            p,
            f"{year}-03-16",
            title=f"Promise number {pair} on reform",
            statement="Reduce the number of signatures needed to register a party.",
            actor="President",
            area=f"area-{pair % 12}",
            package=f"package-{pair % 4}",
            deadline=f"{year + 2}",
            target={
                "metric": "signatures",
                "unit": "signatures",
                "baseline": 20000,
                "baseline_date": f"{year}",
                "goal": 5000,
                "direction": "down",
            },
        )
        add("law.drafted", law, f"{year}-04", title=f"Law {pair} on political parties")
        add("link.added", law, f"{year}-04", to=p, relation="implements")
        add("promise.revised", p, f"{year}-05", change="restated", summary="Restated in a speech.")
        for q in range(8):
            add(
                "measurement.recorded",
                p,
                f"{year + 1}-{q + 1:02d}",
                metric="signatures",
                value=20000 - 1500 * q,
                unit="signatures",
                period=f"{year + 1}-{q + 1:02d}",
            )
        add("law.passed", law, f"{year}-09", chamber="Mazhilis")
        add("law.signed", law, f"{year}-10-01", number=f"{pair}-VII")
        add("law.in_force", law, f"{year + 1}-01-01")
        add("law.amended", law, f"{year + 1}-06", summary="Technical amendment.")
        for a, verdict in enumerate(("in_progress", "delivered", "partial")):
            add(
                "assessment.recorded",
                p,
                f"{year + 1}-1{a}",
                assessor=f"Assessor {a}",
                verdict=verdict,
                rationale="The source's own judgement of this promise.",
            )
        add(
            "measurement.recorded",
            law,
            f"{year + 1}-12",
            metric="cases",
            value=pair,
            unit="cases",
            period=f"{year + 1}",
        )
    return events[:count]


def raw_import(path: Path, events: list[dict]) -> float:
    """The limit: executemany of the same rows with the same sha256 chain, one transaction.

    Canonical JSON by the standard library's json.dumps, as the limit was first defined.
    """
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, "
        "item TEXT, version INTEGER, type TEXT, schema_version INTEGER, "
        "effective TEXT, recorded_at TEXT, body TEXT, prev_hash TEXT, hash TEXT, "
        "UNIQUE (item, version))"
    )
    started = time.perf_counter()
    rows, prev, versions = [], "0" * 64, {}
    for position, event in enumerate(events, start=1):
        version = versions[event["item"]] = versions.get(event["item"], 0) + 1
        stored = {
            **event,
            "position": position,
            "version": version,
            "recorded_at": "2024-01-01T00:00:00.000000Z",
            "schema": 1,
        }
        body = json.dumps(stored, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        rows.append(
            (
                position,
                event["id"],
                event["item"],
                version,
                event["type"],
                1,
                event["effective"],
                "2024-01-01T00:00:00.000000Z",
                body,
                prev,
                digest,
            )
        )
        prev = digest
    with connection:
        connection.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def raw_singles(path: Path, events: list[dict]) -> float:
    """The limit for single appends: one transaction per event (BEGIN IMMEDIATE, read the
    chain head, check the item's version, hash, insert, commit), synchronous=NORMAL, on
    the ledger ``raw_import`` made."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for event in events:
        connection.execute("BEGIN IMMEDIATE")
        position, prev = connection.execute(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"
        ).fetchone()
        (version,) = connection.execute(
            "SELECT MAX(version) FROM events WHERE item = ?", (event["item"],)
        ).fetchone()
        version = (version or 0) + 1
        stored = {**event, "position": position + 1, "version": version, "schema": 1}
        body = json.dumps(stored, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        connection.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                position + 1,
                event["id"],
                event["item"],
                version,
                event["type"],
                1,
                event["effective"],
                "2024-01-01T00:00:00.000000Z",
                body,
                prev,
                digest,
            ),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def raw_replay(path: Path) -> float:
    """The limit: SELECT in position order, json.loads, fold the latest status per item."""
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    latest: dict[str, str] = {}
    for (body,) in connection.execute("SELECT body FROM events ORDER BY position"):
        event = json.loads(body)
        latest[event["item"]] = event["type"]
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} events/s  ({seconds:.2f} s)"


def run(url: str, events: list[dict], folder: Path, *, raw: bool) -> None:
    count = len(events)
    source = folder / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    store = open_store(url, create=True)

    started = time.perf_counter()
    import_files(store, [source])
    import_s = time.perf_counter() - started
    print(f"batch import          {rate(count, import_s)}")
    if raw:
        raw_import_s = raw_import(folder / "raw.db", events)
        print(f"  raw sqlite3 import  {rate(count, raw_import_s)}")
        print(f"  ratio to raw        {raw_import_s / import_s:10.2f}   (target >= 0.5)")

    singles = [
        parse_event(
            {
                "type": "measurement.recorded",
                "item": f"promise-{i % 500:05d}",
                "effective": "2024-01",
                "source": SOURCE,
                "metric": "signatures",
                "value": i,
                "unit": "signatures",
                "period": "2024-01",
            }
        )
        for i in range(1000)
    ]
    started = time.perf_counter()
    for event in singles:
        store.append([event])
    single_s = time.perf_counter() - started
    print(f"1,000 single appends  {rate(1000, single_s)}")
    if raw:
        raw_single_s = raw_singles(folder / "raw.db", [e.envelope() for e in singles])
        print(f"  raw per-event loop  {rate(1000, raw_single_s)}")
        print(f"  ratio to raw        {raw_single_s / single_s:10.2f}   (target >= 0.5)")

    total = count + 1000
    started = time.perf_counter()
    rebuilt = catch_up(store, save=False)  # no checkpoint yet: a full replay
    assert rebuilt.folded == total, (rebuilt.folded, total)  # the registration is folded too
    replay_s = time.perf_counter() - started
    print(f"replay into status    {rate(total, replay_s)}")
    if raw:
        raw_replay_s = raw_replay(folder / "raw.db") * total / count
        print(f"  raw sqlite3 replay  {rate(total, raw_replay_s)}")
        print(f"  ratio to raw        {raw_replay_s / replay_s:10.2f}   (target >= 0.75)")

    catch_up(store)
    status_rows(store, url)

    env = {**os.environ, "REFORM_LEDGER_DB": url}
    command = [
        sys.executable,
        "-m",
        "cli",
        "record",
        "measurement.recorded",
        "--item",
        "promise-00001",
        "--effective",
        "2024-02",
        "--document",
        SOURCE["document"],
        "--locator",
        "Table 1",
        "--quote",
        "signatures",
        "--metric",
        "signatures",
        "--value",
        "4000",
        "--unit",
        "signatures",
        "--period",
        "2024-02",
    ]
    started = time.perf_counter()
    subprocess.run(
        command,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
    )
    record_s = time.perf_counter() - started
    print(f"one `record` (wall)   {record_s:10.3f} s into {total:,} events (target < 1.5 s)")
    store.close()


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def status_rows(store, url: str) -> None:
    """``status`` after catch-up: the first (nothing cached: the folded log is loaded and
    every item evaluated), again (the cached statuses), after one new event (only its
    linked group is evaluated again), at an earlier date (first and again), and the peak
    memory of a process that only runs a first ``status``."""
    view, first_s = timed(lambda: status(store))
    items = f"{len(view.items):,} items"
    print(f"status after catch-up {first_s:10.3f} s for {items}, nothing cached")
    _, again_s = timed(lambda: status(store))
    print(f"  again (cached)      {again_s:10.3f} s (target < 0.25 s)")
    event = parse_event(
        {
            "type": "measurement.recorded",
            "item": "promise-00002",
            "effective": "2024-03",
            "source": SOURCE,
            "metric": "signatures",
            "value": 3000,
            "unit": "signatures",
            "period": "2024-03",
        }
    )
    store.append([event])
    _, one_s = timed(lambda: status(store))
    print(f"  after one new event {one_s:10.3f} s")
    _, dated_s = timed(lambda: status(store, as_of="2024-06-30"))
    _, dated_again_s = timed(lambda: status(store, as_of="2024-06-30"))
    print(f"  as of 2024-06-30    {dated_s:10.3f} s, again {dated_again_s:.3f} s")
    # the high-water mark of this process's own memory (VmHWM; ru_maxrss can carry the
    # parent's over the exec on Linux)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ledger import open_store, status\n"
        "status(open_store(sys.argv[1]), as_of=sys.argv[2])\n"
        "lines = Path('/proc/self/status').read_text().splitlines()\n"
        "print(next(int(l.split()[1]) for l in lines if l.startswith('VmHWM')))\n"
    )
    for label, as_of in (("nothing cached", "2024-09-30"), ("cached", "2024-09-30")):
        done = subprocess.run(
            [sys.executable, "-c", code, url, as_of],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        peak = int(done.stdout.split()[-1]) / 1024
        print(f"  peak RSS, a `status` process, {label}: {peak:,.0f} MB (target < 600 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--pg", help="also run against this PostgreSQL server URL (an empty database)"
    )
    args = parser.parse_args()
    events = synthetic_events(args.events)
    size = sum(len(canonical_json(e)) for e in events[:1000]) / 1000
    print(
        f"{len(events):,} synthetic events over {len({e['item'] for e in events}):,} items "
        f"(about {size:.0f} bytes each)\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        run(f"sqlite:///{folder}/ledger.db", events, Path(folder), raw=True)
        if args.pg:
            print("\nPostgreSQL")
            run(args.pg, events, Path(folder), raw=False)


if __name__ == "__main__":
    main()
