"""Site benchmark: ``publish_site`` over the demo and over a large synthetic ledger.

Prints (figures for the notes, not test assertions; the machine is noisy):

1. the demo: a fresh build of the bundled dataset's site (target < 3 s), and a rebuild
   with nothing changed;
2. a synthetic ledger (default 10,000 items, 200,000 events; the generator of
   ``bench_reports.py``): a fresh build (target < 60 s), a rebuild after one new event
   (target < 5 s), the files it rewrote, and one period's short report alone: rendered
   from the whole model already built, and written by ``publish_period`` from the store
   (the one-period model; target < 2 s), into an empty folder and into the site's own
   folder (where it reads the statuses the build kept).

    .venv/bin/python benchmarks/bench_site.py [--items 10000] [--events 200000]
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

from bench_reports import REGISTRATIONS, synthetic_events  # noqa: E402

from events import parse_event  # noqa: E402
from ledger import import_files, load_dataset, open_store  # noqa: E402
from ledger.memory import gc_paused  # noqa: E402
from reports import publish_site  # noqa: E402
from reports.site.cache import SeriesCache  # noqa: E402
from reports.site.manifest import code_fingerprint  # noqa: E402
from reports.site.pages import period_report  # noqa: E402
from reports.site.publish import build, publish_period  # noqa: E402


def timed(label: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{label:<48}{time.perf_counter() - started:8.2f} s")
    return result


def demo(folder: Path) -> None:
    store = open_store(f"sqlite:///{folder / 'demo.db'}", create=True)
    result = load_dataset(store)
    print(f"demo: {len(result.appended)} events")
    out = folder / "demo-site"
    first = timed("demo site, fresh build", publish_site, store, out, as_of="2024-06-30")
    print(f"  {len(first.written)} files")
    again = timed(
        "demo site, rebuild with nothing changed", publish_site, store, out, as_of="2024-06-30"
    )
    print(f"  {len(again.written)} files rewritten")
    store.close()


def synthetic(folder: Path, items: int, count: int) -> None:
    events = REGISTRATIONS + synthetic_events(items, count)
    path = folder / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'big.db'}", create=True)
    import_files(store, [path])
    print(f"\nsynthetic: {len(events):,} events over {len({e['item'] for e in events}):,} items")
    out = folder / "big-site"
    first = timed("fresh build", publish_site, store, out, as_of="2024-06-30")
    print(f"  {len(first.written):,} files, {len(first.periods)} periods")
    store.append(
        [
            parse_event(
                {
                    "id": str(uuid.uuid5(uuid.UUID(int=7), "one more")),
                    "type": "law.in_force",
                    "item": "law-00001",
                    "effective": "2024-05-02",
                    "source": {"document": "source-1.txt", "locator": "s", "quote": "q"},
                }
            )
        ]
    )
    again = timed("rebuild after one new event", publish_site, store, out, as_of="2024-06-30")
    print(
        f"  {len(again.written)} files rewritten: "
        + ", ".join(sorted(p.relative_to(out).as_posix() for p in again.written))[:300]
    )
    with gc_paused():
        # the rebuild brought the kept model up to date; for comparison, the whole model
        # from every event (with the series cache), what a rebuild that cannot do so makes
        kept = SeriesCache(out, code_fingerprint(), keep=False)
        site = timed(
            "  the whole model, for comparison", build, store, as_of="2024-06-30", cache=kept
        )
        timed(
            "one period's short report (md and html, and its list pages)",
            lambda: [page.text for page in period_report(site, len(site.periods) - 1)],
        )
    latest = site.periods[-1].name
    alone = timed(
        f"one period alone (publish_period, {latest})",
        publish_period,
        store,
        folder / "one-period",
        latest,
        as_of="2024-06-30",
    )
    same = all(
        path.read_bytes() == (out / path.relative_to(folder / "one-period")).read_bytes()
        for path in alone.written
    )
    print(f"  {len(alone.written)} files, the same bytes as the whole build's: {same}")
    again = timed(
        "one period alone, into the site (its series cache)",
        publish_period,
        store,
        out,
        latest,
        as_of="2024-06-30",
    )
    print(f"  {len(again.written)} files rewritten (the whole build wrote the same bytes)")
    store.close()


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
