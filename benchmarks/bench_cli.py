"""Whole-process times of the commands people type, beside a bare Python start.

Each command runs as its own process (start-up, imports, work, exit), several times; the
median is printed with its ratio to the median of ``python -c pass`` measured in the same
run, so the figures compare across machines. Run on the demo ledger (built first).

The processes read their bytecode from a cache of their own in the run's temporary folder
(``PYTHONPYCACHEPREFIX``; one warm-up run fills it), as an installed command reads the
``.pyc`` files pip wrote: a developer shell with ``PYTHONDONTWRITEBYTECODE`` set would
otherwise compile every module of ours from source on every run. ``--no-bytecode-cache``
measures that case instead. Output is captured through pipes, as a script would; the rows
marked "on a terminal" give the command a pseudo-terminal instead, where help and tables
are drawn by rich. ``--root`` measures another checkout of the project (with its own
``.venv``) by the same method, for a before/after in one session.

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--root PATH] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEM = "death-penalty-abolition"


def on_terminal(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run ``command`` with a pseudo-terminal as its stdout and stderr, reading what it
    writes (a full terminal buffer would stall it)."""
    main, child = pty.openpty()

    def drain() -> None:
        try:
            while os.read(main, 65536):
                pass
        except OSError:  # the child closed its side
            pass

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(
            command, cwd=cwd, env=env, check=True, stdin=subprocess.DEVNULL, stdout=child,
            stderr=child,
        )  # fmt: skip
    finally:
        os.close(child)
        reader.join()
        os.close(main)


def timed(command: list[str], runs: int, cwd: Path, env: dict[str, str], tty: bool) -> float:
    """The median wall time of ``runs`` runs, after one warm-up run (not counted)."""
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        if tty:
            on_terminal(command, cwd, env)
        else:
            subprocess.run(
                command, cwd=cwd, env=env, check=True, capture_output=True,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        if run:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep the environment's bytecode settings (compile from source if it says so)",
    )
    args = parser.parse_args()
    root = args.root.resolve()
    python = root / ".venv" / "bin" / "python"
    python = str(python) if python.exists() else sys.executable
    tool = [python, "-c", "import cli; cli.main()"]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "COLUMNS": "120", "LINES": "40"}
        env.pop("REFORM_LEDGER_DB", None)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        db = str(Path(folder) / "demo.db")
        subprocess.run(
            [*tool, "--db", db, "demo", "--out", str(Path(folder) / "out")],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
        cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
        print(f"{root} ({cache}; median of {args.runs} runs)")
        bare = timed([python, "-c", "pass"], args.runs, root, env, tty=False)
        print(f"{'python -c pass':<50}{bare * 1000:8.0f} ms")
        record = [
            *("record", "measurement.recorded", "--item", "death-penalty-abolition"),
            *("--effective", "2024-06", "--document", "004_c33d32c60aeb1b7d.txt"),
            *("--locator", "Political modernisation", "--quote", "death penalty"),
            *("--metric", "bench-runs", "--value", "1", "--unit", "runs", "--period", "2024-06"),
        ]
        commands = {
            "reform-ledger --help": (["--help"], False),
            "reform-ledger --help (on a terminal)": (["--help"], True),
            "reform-ledger status (demo ledger)": (["--db", db, "status"], False),
            "reform-ledger status (on a terminal)": (["--db", db, "status"], True),
            "reform-ledger status --json (demo ledger)": (["--db", db, "status", "--json"], False),
            "reform-ledger show ITEM (demo ledger)": (["--db", db, "show", ITEM], False),
            "reform-ledger show ITEM (on a terminal)": (["--db", db, "show", ITEM], True),
            "reform-ledger verify (demo ledger)": (["--db", db, "verify"], False),
            "reform-ledger record (one event, demo ledger)": (["--db", db, *record], False),
        }
        for name, (argv, tty) in commands.items():
            seconds = timed([*tool, *argv], args.runs, root, env, tty)
            print(f"{name:<50}{seconds * 1000:8.0f} ms  {seconds / bare:5.1f}× bare Python")


if __name__ == "__main__":
    main()
