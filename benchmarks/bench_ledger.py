"""Ledger benchmark: import, single appends, replay and status on synthetic events.

Prints, for N synthetic events over N/10 items (default 100,000 over 10,000):
batch import events/s (file parse, validation and hash chain included), 1,000 single
appends events/s, full replay into the status projection events/s, the times of
`status` (first, cached, after one new event, the next day, at an earlier date), one
period's report (`publish --period-only`), and the wall time of one `reform-ledger
record` (start-up included); and, in the same run on the same events,
the raw-sqlite3 limits with the ratios to them, and the `eventsourcing` library's best
batching and notification-log replay when it is installed (`pip install -e '.[bench]'`).
Each phase runs in a process of its own, so the peak memory (RSS) printed beside it is
that phase's. The machine is noisy, so compare ratios, not absolute figures.

    .venv/bin/python benchmarks/bench_ledger.py [--events 100000] [--pg URL] [--only import]

``--only import`` stops after the import figures (the batch import, the raw limit and the
peer, measured as in a whole run), for a quick before/after of the import alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
    return list(synthetic_stream(count))


def synthetic_stream(count: int) -> Iterator[dict]:
    """``synthetic_events`` one at a time (a million of them need not be held)."""
    produced = 0
    for chunk in _synthetic_pairs(count):
        for event in chunk:
            if produced == count:
                return
            produced += 1
            yield event


def _synthetic_pairs(count: int) -> Iterator[list[dict]]:
    rng = uuid.UUID(int=12345)
    events = [REGISTRATION]
    n = 0
    pairs = max(count // 20, 1)
    for pair in range(pairs):
        p, law = f"promise-{pair:05d}", f"law-{pair:05d}"
        year = 2019 + pair % 5

        def add(type_: str, item: str, effective: str, **data) -> None:
            nonlocal n
            n += 1
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
        yield events[:]
        events.clear()


RAW_RECORDED_AT = "2024-01-01T00:00:00.000000Z"


def raw_row(event: dict, position: int, version: int, prev: str) -> tuple:
    """One events-table row of the raw limits: the body as canonical JSON by the standard
    library's json.dumps (as the limit was first defined), chained to ``prev``."""
    stored = {
        **event,
        "position": position,
        "version": version,
        "recorded_at": RAW_RECORDED_AT,
        "schema": 1,
    }
    body = json.dumps(stored, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256((prev + body).encode()).hexdigest()
    return (
        position,
        event["id"],
        event["item"],
        version,
        event["type"],
        1,
        event["effective"],
        RAW_RECORDED_AT,
        body,
        prev,
        digest,
    )


def raw_import(path: Path, events: Iterable[dict]) -> float:
    """The limit: executemany of the same rows with the same sha256 chain, one transaction."""
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
        rows.append(raw_row(event, position, version, prev))
        prev = rows[-1][-1]
    with connection:
        connection.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def raw_singles(path: Path, events: list[dict], synchronous: str = "NORMAL") -> float:
    """The limit for single appends: one transaction per event (BEGIN IMMEDIATE, read the
    chain head, check the item's version, hash, insert, commit), synchronous=NORMAL, on
    the ledger ``raw_import`` made. With FULL (the store's setting), each commit also
    waits for the disk."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
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
        row = raw_row(event, position + 1, version, prev)
        connection.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
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


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    try:  # this process's own high-water mark (ru_maxrss may carry the parent's over exec)
        lines = Path("/proc/self/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in lines if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def single_event(value: int, period: str) -> Any:
    """One measurement on a promise, as a single append adds it."""
    return parse_event(
        {
            "type": "measurement.recorded",
            "item": f"promise-{value % 500:05d}",
            "effective": period,
            "source": SOURCE,
            "metric": "signatures",
            "value": value,
            "unit": "signatures",
            "period": period,
        }
    )


def single_events() -> list:
    """The 1,000 events of the single-append phase: measurements on 500 promises."""
    return [single_event(i, "2024-01") for i in range(1000)]


# -- the phases, each run in a process of its own (`--phase NAME`), printing one JSON line ----


def phase_import(url: str, folder: Path, count: int) -> dict:
    store = open_store(url, create=True)
    cpu, started = time.process_time(), time.perf_counter()
    import_files(store, [folder / "events.jsonl"])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    store.close()
    return {"seconds": seconds, "cpu": cpu}


def phase_singles(url: str, folder: Path, count: int) -> dict:
    store = open_store(url)
    singles = single_events()
    cpu, started = time.process_time(), time.perf_counter()
    for event in singles:
        store.append([event])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    store.close()
    return {"seconds": seconds, "cpu": cpu}


def phase_raw_import(url: str, folder: Path, count: int) -> dict:
    cpu = time.process_time()  # the table's creation too: a few milliseconds
    seconds = raw_import(folder / "raw.db", synthetic_stream(count))
    return {"seconds": seconds, "cpu": time.process_time() - cpu}


def phase_raw_singles(url: str, folder: Path, count: int) -> dict:
    events = [e.envelope() for e in single_events()]
    normal = raw_singles(folder / "raw.db", events)
    again = [{**event, "id": str(uuid.uuid4())} for event in events]
    full = raw_singles(folder / "raw.db", again, synchronous="FULL")
    return {"seconds": normal, "full": full}


def phase_replay(url: str, folder: Path, count: int) -> dict:
    store = open_store(url)
    started = time.perf_counter()
    rebuilt = catch_up(store, save=False)  # no checkpoint yet: a full replay
    seconds = time.perf_counter() - started
    assert rebuilt.folded == count + 1000, (rebuilt.folded, count)  # the registration too
    store.close()
    return {"seconds": seconds}


def phase_raw_replay(url: str, folder: Path, count: int) -> dict:
    return {"seconds": raw_replay(folder / "raw.db")}


def phase_checkpoint(url: str, folder: Path, count: int) -> dict:
    """Bring the folded log's checkpoint up to date, so ``status`` starts after catch-up."""
    store = open_store(url)
    catch_up(store)
    store.close()
    return {"seconds": 0.0}


def phase_status(url: str, folder: Path, count: int) -> dict:
    """The first ``status`` (nothing cached: the folded log is loaded, every item
    evaluated), alone in its process so its peak memory is its own."""
    store = open_store(url)
    started = time.perf_counter()
    view = status(store)
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "items": len(view.items)}


def phase_status_again(url: str, folder: Path, count: int) -> dict:
    """``status`` again in a new process (the cached statuses), then after one new event
    (only its linked group evaluated again) and at an earlier date (first and again)."""
    store = open_store(url)
    _, again = timed(lambda: status(store))
    rss = peak_rss_mb()
    store.append([single_event(3000, "2024-03")])
    _, one = timed(lambda: status(store))
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    _, next_day = timed(lambda: status(store, as_of=tomorrow))
    _, dated = timed(lambda: status(store, as_of="2024-06-30"))
    _, dated_again = timed(lambda: status(store, as_of="2024-06-30"))
    store.close()
    return {
        "seconds": again,
        "cached_rss_mb": rss,
        "one": one,
        "next_day": next_day,
        "dated": dated,
        "dated_again": dated_again,
    }


def phase_report(url: str, folder: Path, count: int) -> dict:
    """One period's short report at scale (``publish --period-only 2024-Q2``): the model of
    that period alone, read from the store, written into an empty folder."""
    from reports.site.publish import publish_period

    store = open_store(url)
    out = folder / f"period-{uuid.uuid4().hex[:8]}"
    result, seconds = timed(lambda: publish_period(store, out, "2024-Q2", as_of="2024-06-30"))
    store.close()
    size = sum(path.stat().st_size for path in result.written)
    return {"seconds": seconds, "files": len(result.written), "bytes": size}


def timed(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def phase_peer_import(url: str, folder: Path, count: int) -> dict:
    """`eventsourcing`'s best batching: every event a pending event of its item's
    aggregate, then one ``save()`` of all aggregates (one transaction), SQLite, no chain."""
    from eventsourcing.application import Application

    stream_class = peer_stream_class()
    app = Application(env=_peer_env(folder))
    events = list(synthetic_stream(count))
    started = time.perf_counter()
    streams: dict[str, Any] = {}
    for event in events:
        stream = streams.get(event["item"])
        if stream is None:
            stream = streams[event["item"]] = stream_class()
        stream.trigger_event(stream_class.Happened, data=event)
    app.save(*streams.values())
    seconds = time.perf_counter() - started
    app.close()
    return {"seconds": seconds}


def phase_peer_replay(url: str, folder: Path, count: int) -> dict:
    """`eventsourcing`'s notification-log replay: every event in order, decoded, the
    latest type per item folded (as the raw replay)."""
    from eventsourcing.application import Application

    peer_stream_class()
    app = Application(env=_peer_env(folder))
    started = time.perf_counter()
    latest: dict[str, str] = {}
    start, folded = 1, 0
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=10_000)
        if not notifications:
            break
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            if hasattr(event, "data"):  # not an aggregate's Created event
                latest[event.data["item"]] = event.data["type"]
                folded += 1
        start = notifications[-1].id + 1
    seconds = time.perf_counter() - started
    assert folded == count, (folded, count)
    app.close()
    return {"seconds": seconds}


def peer_stream_class() -> Any:
    """An `eventsourcing` aggregate per item, with one event type carrying the event;
    its topics registered, so that another process can decode what this one saved."""
    from eventsourcing.domain import Aggregate
    from eventsourcing.utils import get_topic, register_topic

    class Stream(Aggregate):
        class Happened(Aggregate.Event):
            data: dict

            def apply(self, aggregate: Aggregate) -> None:
                pass

    for cls in (Stream, Stream.Created, Stream.Happened):
        register_topic(get_topic(cls), cls)
    return Stream


def _peer_env(folder: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(folder / "peer.db"),
    }


PHASES = {
    "import": phase_import,
    "singles": phase_singles,
    "raw-import": phase_raw_import,
    "raw-singles": phase_raw_singles,
    "replay": phase_replay,
    "raw-replay": phase_raw_replay,
    "checkpoint": phase_checkpoint,
    "status": phase_status,
    "status-again": phase_status_again,
    "report": phase_report,
    "peer-import": phase_peer_import,
    "peer-replay": phase_peer_replay,
}


def in_process(phase: str, url: str, folder: Path, count: int) -> dict:
    """Run one phase in a new Python process; its result, with that process's peak RSS."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--url", url, "--folder", str(folder)]
        + ["--events", str(count)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def peer_installed() -> bool:
    try:
        import eventsourcing  # noqa: F401
    except ImportError:
        return False
    return True


def ratio(label: str, value: float, note: str) -> str:
    return f"  {label:<19} {value:10.2f}   ({note})"


def line(label: str, count: int, result: dict) -> str:
    return f"{label:<21} {rate(count, result['seconds'])}  peak RSS {result['rss_mb']:,.0f} MB"


def cpu_note(count: int, result: dict) -> str:
    """The phase's CPU time an event (the wall time less waits for the disk and others)."""
    return f"  {1e6 * result['cpu'] / count:.1f} µs CPU an event"


def run(url: str, count: int, folder: Path, *, raw: bool, only: str | None = None) -> None:
    total = count + 1000
    imported = in_process("import", url, folder, count)
    print(line("batch import", count, imported) + cpu_note(count, imported))
    if raw:
        limit = in_process("raw-import", url, folder, count)
        print(f"  raw sqlite3 import  {rate(count, limit['seconds'])}" + cpu_note(count, limit))
        print(ratio("ratio to raw", limit["seconds"] / imported["seconds"], "target >= 0.75"))
        if peer_installed():
            peer = in_process("peer-import", url, folder, count)
            print(line("  eventsourcing save", count, peer))
            print(ratio("ratio to it", peer["seconds"] / imported["seconds"], "target >= 2.5"))
    if only == "import":
        return

    singles = in_process("singles", url, folder, count)
    print(line("1,000 single appends", 1000, singles) + cpu_note(1000, singles))
    if raw:
        limit = in_process("raw-singles", url, folder, count)
        print(f"  raw per-event loop  {rate(1000, limit['seconds'])}")
        print(ratio("ratio to raw", limit["seconds"] / singles["seconds"], "target >= 0.5"))
        print(f"  the loop, sync FULL {rate(1000, limit['full'])}")
        print(ratio("ratio to it", limit["full"] / singles["seconds"], "the store's own sync"))

    replayed = in_process("replay", url, folder, count)
    print(line("replay into status", total, replayed))
    if raw:
        limit = in_process("raw-replay", url, folder, count)
        raw_replay_s = limit["seconds"] * total / count
        print(f"  raw sqlite3 replay  {rate(total, raw_replay_s)}")
        print(ratio("ratio to raw", raw_replay_s / replayed["seconds"], "target >= 0.75"))
        if peer_installed():
            peer = in_process("peer-replay", url, folder, count)
            peer_replay_s = peer["seconds"] * total / count
            print(line("  eventsourcing log", total, {**peer, "seconds": peer_replay_s}))
            print(ratio("ratio to it", peer_replay_s / replayed["seconds"], "faster when > 1"))

    in_process("checkpoint", url, folder, count)
    shown = in_process("status", url, folder, count)
    print(
        f"status after catch-up {shown['seconds']:10.3f} s for {shown['items']:,} items, "
        f"nothing cached  peak RSS {shown['rss_mb']:,.0f} MB"
    )
    again = in_process("status-again", url, folder, count)
    print(
        f"  again (cached)      {again['seconds']:10.3f} s (target < 0.25 s)  "
        f"peak RSS {again['cached_rss_mb']:,.0f} MB (target < 600 MB)"
    )
    print(f"  after one new event {again['one']:10.3f} s")
    print(f"  the next day        {again['next_day']:10.3f} s (the first status of a day)")
    print(f"  as of 2024-06-30    {again['dated']:10.3f} s, again {again['dated_again']:.3f} s")
    report = in_process("report", url, folder, count)
    print(
        f"one period's report   {report['seconds']:10.3f} s (publish --period-only 2024-Q2, "
        f"{report['files']} files, {report['bytes'] / 1e6:.1f} MB; target < 10 s at a "
        f"million)  peak RSS {report['rss_mb']:,.0f} MB"
    )

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
    print(f"one `record` (wall)   {record_s:10.3f} s into {total + 1:,} events (target < 1.5 s)")


def write_events(path: Path, count: int) -> float:
    """The import file, written an event at a time; the average canonical size."""
    size = 0
    with path.open("w", encoding="utf-8") as file:
        for n, event in enumerate(synthetic_stream(count)):
            file.write(json.dumps(event) + "\n")
            if n < 1000:
                size += len(canonical_json(event))
    return size / min(count, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--pg", help="also run against this PostgreSQL server URL (an empty database)"
    )
    parser.add_argument(
        "--only",
        choices=["import"],
        help="measure only the import figures (the batch import, its raw limit and the peer)",
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.events < 10_000:  # the single appends measure 500 promises, one per 20 events
        parser.error("--events: at least 10,000")
    if args.phase:
        result = PHASES[args.phase](args.url, args.folder, args.events)
        print(json.dumps({**result, "rss_mb": peak_rss_mb()}))
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        size = write_events(folder / "events.jsonl", args.events)
        items = 2 * max(args.events // 20, 1) + 1  # a promise and a law a pair, and the source
        print(f"{args.events:,} synthetic events over {items:,} items (about {size:.0f} bytes)")
        print(f"the benchmark's own process: peak RSS {peak_rss_mb():,.0f} MB\n")
        print("SQLite")
        run(f"sqlite:///{folder}/ledger.db", args.events, folder, raw=True, only=args.only)
        if args.pg:
            print("\nPostgreSQL")
            run(args.pg, args.events, folder, raw=False, only=args.only)


if __name__ == "__main__":
    main()
