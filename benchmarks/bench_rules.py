"""Status rules benchmark: what deriving every item's status costs, per item and date.

Over a copy of an existing SQLite ledger (for instance the synthetic one ``bench_site.py``
builds: 10,000 items, 200,000 events), after catch-up, prints the CPU time (best of
``--repeats``, the collector paused as the callers pause it) of ``Knowledge`` (the known
streams), ``evaluate`` at one date, and ``evaluate_series`` at one and at two dates, each
in microseconds per item and date, and a digest of every answer, so two versions of the
code can be compared on the same ledger (same digest: same answers). ``--root`` imports
the code of another checkout (an older commit, say) with this one's environment.

    .venv/bin/python benchmarks/bench_rules.py --ledger big.db [--root PATH] [--repeats 5]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

#: the dates of a quarterly report's two ends over the synthetic ledger (2019-2024)
FIRST, LAST = date(2024, 3, 31), date(2024, 6, 30)
KNOWN_AT = "9999-12-31T23:59:59.999999Z"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=Path, required=True, help="a SQLite ledger (copied)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))

    from ledger import open_store
    from ledger.memory import gc_paused
    from ledger.projections import catch_up
    from ledger.projections.series import evaluate_series
    from ledger.projections.status import evaluate
    from ledger.projections.view import Knowledge

    def best(function):
        seconds, result = float("inf"), None
        for _ in range(args.repeats):
            with gc_paused():
                started = time.process_time()
                result = function()
                seconds = min(seconds, time.process_time() - started)
        return seconds, result

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "ledger.db"
        shutil.copy(args.ledger, copy)
        store = open_store(f"sqlite:///{copy}")
        log = catch_up(store).log
        knowledge = Knowledge(log, KNOWN_AT)
        rows = [
            ("knowledge", 1, best(lambda: Knowledge(log, KNOWN_AT))),
            ("evaluate, one date", 1, best(lambda: evaluate(knowledge.at(LAST)))),
            ("series, one date", 1, best(lambda: evaluate_series(knowledge, [LAST]))),
            ("series, two dates", 2, best(lambda: evaluate_series(knowledge, [FIRST, LAST]))),
        ]
        store.close()
    items = len(rows[1][2][1])
    print(f"{args.root}: {items:,} items, CPU seconds (best of {args.repeats})")
    for label, dates, (seconds, _) in rows:
        per = seconds / (items * dates) * 1e6
        print(f"  {label:<20} {seconds:6.3f} s  {per:5.1f} µs per item and date")
    answers = repr([(s.to_dict(), [d.text() for d in s.disagreements]) for s in rows[1][2][1]])
    series = repr({day: [s.to_dict() for s in found] for day, found in rows[3][2][1].items()})
    print(f"  answers' digest {hashlib.sha256((answers + series).encode()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
