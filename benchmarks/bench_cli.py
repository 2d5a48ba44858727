"""Whole-process times of the commands people type, beside a bare Python start.

Each command runs as its own process (start-up, imports, work, exit), several times; the
median is printed with its ratio to the median of ``python -c pass`` measured in the same
run, so the figures compare across machines. Run on the demo ledger (built first).

    .venv/bin/python benchmarks/bench_cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, "-c", "import cli; cli.main()"]


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        subprocess.run(
            [*TOOL, "--db", db, "demo", "--out", str(Path(folder) / "out")],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        bare = timed([sys.executable, "-c", "pass"], args.runs)
        print(f"{'python -c pass':<44}{bare * 1000:8.0f} ms")
        commands = {
            "reform-ledger --help": ["--help"],
            "reform-ledger status (demo ledger)": ["--db", db, "status"],
            "reform-ledger status --json (demo ledger)": ["--db", db, "status", "--json"],
            "reform-ledger show ITEM (demo ledger)": [
                "--db",
                db,
                "show",
                "death-penalty-abolition",
            ],
            "reform-ledger verify (demo ledger)": ["--db", db, "verify"],
        }
        for name, argv in commands.items():
            seconds = timed([*TOOL, *argv], args.runs)
            print(f"{name:<44}{seconds * 1000:8.0f} ms  {seconds / bare:5.1f}× bare Python")


if __name__ == "__main__":
    main()
