"""Report benchmark: the demo's quarterly series, and one quarter over a large ledger.

Prints (figures for the notes, not test assertions; the machine is noisy):

1. the demo: the bundled dataset's 22 quarterly reports 2019-Q1 … 2024-Q2 plus the
   index, in Markdown and HTML (target < 3 s);
2. a synthetic ledger of 10,000 items and 200,000 events: one quarterly report (2024-Q2)
   in both formats, with its chart over every earlier quarter (target < 5 s), split into
   reading and folding the log once, evaluating the status at every quarter's end in one
   walk (``ledger.evaluate_series``), and building and rendering the context.

    .venv/bin/python benchmarks/bench_reports.py [--items 10000] [--events 200000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import evaluate_series, import_files, load_dataset, open_store  # noqa: E402
from ledger.memory import gc_paused  # noqa: E402
from reports import parse_period, render_period, render_series  # noqa: E402
from reports.report import chart_periods, period_context, series_dates, write_report  # noqa: E402
from reports.snapshot import load_snapshot  # noqa: E402

SOURCES = [
    {"document": f"source-{n}.txt", "locator": f"Section {n}", "quote": "the verbatim words"}
    for n in range(4)
]
#: Each cited document is registered once, before the events that cite it.
REGISTRATIONS = [
    {
        "id": str(uuid.uuid5(uuid.UUID(int=2025), source["document"])),
        "type": "source.registered",
        "item": source["document"],
        "title": f"Synthetic source document {n}",
        "short_title": f"Source {n} (2019)",
        "publisher": "Synthetic Publisher",
        "published": "2019-01",
        "kind": "news",
        "language": "en",
    }
    for n, source in enumerate(SOURCES)
]


def synthetic_events(items: int, count: int) -> list[dict]:
    """``items`` items as promise/law pairs, ``count`` events, spread over 2019–2024."""
    rng = uuid.UUID(int=2024)
    pairs = items // 2
    per_pair = count // pairs
    events: list[dict] = []
    for pair in range(pairs):
        p, law = f"promise-{pair:05d}", f"law-{pair:05d}"
        year = 2019 + pair % 5
        month = 1 + pair % 12
        source = SOURCES[pair % 4]

        def add(type_: str, item: str, effective: str, source=source, **data) -> None:
            events.append(
                {
                    "id": str(uuid.uuid5(rng, str(len(events)))),
                    "type": type_,
                    "item": item,
                    "effective": effective,
                    "source": source,
                    **data,
                }
            )

        add(
            "promise.made",
            p,
            f"{year}-{month:02d}-05",
            title=f"Promise {pair}",
            statement="Do the thing.",
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
        fixed = 8  # promise.made, five law events, two assessments
        if pair % 3:
            add("law.drafted", law, f"{year}-{month:02d}-20", title=f"Law {pair}")
            add("link.added", law, f"{year}-{month:02d}-20", to=p, relation="implements")
            add("law.passed", law, f"{year + 1}-{month:02d}", chamber="Mazhilis")
            add("law.signed", law, f"{year + 1}-{month:02d}-28", number=f"{pair}-VII")
            if pair % 3 == 1:
                add("law.in_force", law, f"{year + 2}-01-01")
            else:
                add("law.amended", law, f"{year + 2}-01", summary="Technical amendment.")
        else:
            add("milestone.reached", law, f"{year + 1}-06", what="Pilot held.")
            add("link.added", law, f"{year + 1}-06", to=p, relation="partially_implements")
            fixed = 5  # promise.made, milestone, link, two assessments
        for a, verdict in enumerate(("in_progress", "delivered")):
            add(
                "assessment.recorded",
                p,
                f"{year + 1}-{3 + 6 * a:02d}",
                assessor=f"Assessor {a}",
                verdict=verdict,
                rationale="Their judgement.",
            )
        for q in range(per_pair - fixed):
            add(
                "measurement.recorded",
                p if q % 2 else law,
                f"{year + q // 12}-{1 + q % 12:02d}",
                metric="signatures",
                value=20000 - 400 * q,
                unit="signatures",
                period=f"{year + q // 12}-{1 + q % 12:02d}",
            )
    return events[:count]


def timed(label: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{label:<44}{time.perf_counter() - started:8.2f} s")
    return result


def demo(folder: Path) -> None:
    store = open_store(f"sqlite:///{folder / 'demo.db'}", create=True)
    result = load_dataset(store)
    if not result.appended:
        print("demo: the bundled dataset has no events yet; skipped")
        return
    print(f"demo: {len(result.appended)} events")
    written = timed(
        "22 quarterly reports + index, md and html",
        render_series,
        store,
        "2019-Q1",
        "2024-Q2",
        out=folder / "demo-out",
    )
    print(f"  {len(written)} files")
    store.close()


def synthetic(folder: Path, items: int, count: int) -> None:
    events = REGISTRATIONS + synthetic_events(items, count)
    path = folder / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'big.db'}", create=True)
    started = time.perf_counter()
    import_files(store, [path])
    print(
        f"\nsynthetic: {len(events):,} events over {len({e['item'] for e in events}):,} items "
        f"(import {time.perf_counter() - started:.1f} s, not counted)"
    )
    period = parse_period("2024-Q2")
    total = time.perf_counter()
    written = render_period(store, "2024-Q2", out=folder / "big-out")
    print(f"{'one quarterly report, md and html (total)':<44}{time.perf_counter() - total:8.2f} s")
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in written)
    print(f"  {sizes}")
    with gc_paused():  # as render_period runs, so that the parts add up to the total
        breakdown(store, period, folder)
    store.close()


def breakdown(store, period, folder: Path) -> None:
    snapshot = timed("  of which: read and fold the log once", load_snapshot, store)
    known = snapshot.latest_recorded_at
    timed("  what was known (the read model's first step)", snapshot.knowledge, known)
    history = chart_periods(snapshot, period, known)
    dates = series_dates(history, period.end)
    series = timed(
        f"  evaluate at {len(dates)} quarter ends in one walk",
        evaluate_series,
        snapshot.knowledge(known),
        dates,
        exact={period.end},
    )
    context = timed(
        "  build the context",
        period_context,
        snapshot,
        period,
        as_of=period.end,
        known_at=None,
        series=series,
    )
    timed("  render and write md", write_report, context, ["md"], folder / "md-only")
    timed("  render and write html", write_report, context, ["html"], folder / "html-only")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo(Path(folder))
        synthetic(Path(folder), args.items, args.events)


if __name__ == "__main__":
    main()
