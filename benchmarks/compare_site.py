"""Compare checkouts on a large site's incremental figures, over one fixed ledger.

``bench_site.py`` measures one checkout from scratch; comparing two (before and after a
change) needs the same ledger and each checkout's own previous build. For each
``--root`` (a checkout of this project; default this one), in a process of its own that
imports that checkout's code:

1. the site is built fresh from a copy of the ledger (once per checkout and commit: the
   build is kept under ``--work`` and reused by the next run of the same code);
2. one event is appended (the same for every checkout) and the rebuild is timed: wall,
   CPU (``time.process_time``) and the files rewritten;
3. one period's report alone (``publish_period`` 2024-Q2) is written into an empty folder
   ``--repeats`` times, each timed.

The ledger (``--ledger``) is the synthetic one of ``bench_site.py`` (10,000 items,
200,000 events), made on first use. The checkouts take turns, so a busy machine slows
them alike; compare CPU times and same-run ratios.

    .venv/bin/python benchmarks/compare_site.py --root ../before --root . [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2024-06-30"


def make_ledger(path: Path, items: int, count: int) -> None:
    """The synthetic ledger of ``bench_site.py``, written once."""
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from bench_reports import REGISTRATIONS, synthetic_events

    from ledger import import_files, open_store

    events = REGISTRATIONS + synthetic_events(items, count)
    lines = path.with_suffix(".jsonl")
    lines.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    store = open_store(f"sqlite:///{path}", create=True)
    import_files(store, [lines])
    store.close()
    lines.unlink()


def commit_of(root: Path) -> tuple[str, bool]:
    """The checkout's commit, and whether its files differ from it (a build of changed
    files is never reused)."""
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return head.stdout.strip() or "unknown", bool(dirty.stdout.strip())


def child(root: Path, ledger: Path, work: Path, repeats: int) -> dict:
    """The figures of one checkout (runs in its own process, its code first on the path)."""
    sys.path.insert(0, str(root))
    from events import parse_event
    from ledger import open_store
    from reports import publish_site
    from reports.site.publish import publish_period

    commit, changed = commit_of(root)
    built = work / f"built-{root.resolve().name}-{commit}"
    if changed or not (built / "done").is_file():
        shutil.rmtree(built, ignore_errors=True)
        built.mkdir(parents=True)
        shutil.copy(ledger, built / "ledger.db")
        store = open_store(f"sqlite:///{built / 'ledger.db'}")
        publish_site(store, built / "site", as_of=AS_OF)
        store.close()
        (built / "done").write_text("", encoding="utf-8")
    run = work / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    shutil.copy(built / "ledger.db", run / "ledger.db")
    shutil.copytree(built / "site", run / "site")
    store = open_store(f"sqlite:///{run / 'ledger.db'}")
    one_more = {
        "id": str(uuid.uuid5(uuid.UUID(int=7), "one more")),
        "type": "law.in_force",
        "item": "law-00001",
        "effective": "2024-05-02",
        "source": {"document": "source-1.txt", "locator": "s", "quote": "q"},
    }
    store.append([parse_event(one_more)])
    wall, cpu = time.perf_counter(), time.process_time()
    result = publish_site(store, run / "site", as_of=AS_OF)
    rebuild = (time.perf_counter() - wall, time.process_time() - cpu, len(result.written))
    alone = []
    for index in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        publish_period(store, run / f"alone-{index}", "2024-Q2", as_of=AS_OF)
        alone.append((time.perf_counter() - wall, time.process_time() - cpu))
    store.close()
    shutil.rmtree(run)
    if changed:
        shutil.rmtree(built)
    return {"rebuild": rebuild, "alone": alone}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", action="append", type=Path, help="a checkout (repeatable)")
    parser.add_argument("--ledger", type=Path, default=Path("/tmp/reform-ledger-compare.db"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/reform-ledger-compare"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.ledger, args.work, args.repeats)))
        return
    if not args.ledger.is_file():
        print(f"making the ledger {args.ledger} ({args.events:,} events)…", flush=True)
        make_ledger(args.ledger, args.items, args.events)
    for root in args.root or [HERE.parent]:
        command = [sys.executable, __file__, "--child", str(root.resolve())]
        command += ["--ledger", str(args.ledger), "--work", str(args.work)]
        command += ["--repeats", str(args.repeats)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(f"{root}: {done.stderr.strip().splitlines()[-1]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        wall, cpu, files = figures["rebuild"]
        alone = ", ".join(f"{w:.2f} s (CPU {c:.2f})" for w, c in figures["alone"])
        commit, changed = commit_of(root)
        print(f"{root} ({commit}{', with changes' if changed else ''})")
        print(f"  rebuild after one new event   {wall:6.2f} s (CPU {cpu:.2f}), {files} files")
        print(f"  one period alone, 2024-Q2     {alone}")


if __name__ == "__main__":
    main()
