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
are drawn by rich. ``--root`` (repeatable) measures other checkouts of the project, each
with its own ``.venv``: they take turns run by run, beside the same bare starts, so a
before/after shares the machine's busy and quiet moments.

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


def once(command: list[str], cwd: Path, env: dict[str, str], tty: bool) -> float:
    """The wall time of one run of ``command``."""
    started = time.perf_counter()
    if tty:
        on_terminal(command, cwd, env)
    else:
        subprocess.run(
            command, cwd=cwd, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="a checkout to measure (repeat to compare several, run by run); default this one",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep the environment's bytecode settings (compile from source if it says so)",
    )
    args = parser.parse_args()
    roots = [root.resolve() for root in args.root or [ROOT]]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "COLUMNS": "120", "LINES": "40"}
        env.pop("REFORM_LEDGER_DB", None)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        tools, dbs = [], []
        for number, root in enumerate(roots):
            python = root / ".venv" / "bin" / "python"
            tools.append([str(python) if python.exists() else sys.executable, "-c"])
            dbs.append(str(Path(folder) / f"demo-{number}.db"))
            subprocess.run(
                [*tools[-1], "import cli; cli.main()", "--db", dbs[-1], "demo", "--out",
                 str(Path(folder) / f"out-{number}")],
                cwd=root, env=env, check=True, capture_output=True,
            )  # fmt: skip
        record = [
            *("record", "measurement.recorded", "--item", "death-penalty-abolition"),
            *("--effective", "2024-06", "--document", "004_c33d32c60aeb1b7d.txt"),
            *("--locator", "Political modernisation", "--quote", "death penalty"),
            *("--metric", "bench-runs", "--value", "1", "--unit", "runs", "--period", "2024-06"),
        ]
        commands = {
            "--help": (["--help"], False),
            "--help (on a terminal)": (["--help"], True),
            "status (demo ledger)": (["status"], False),
            "status (on a terminal)": (["status"], True),
            "status --json (demo ledger)": (["status", "--json"], False),
            "show ITEM (demo ledger)": (["show", ITEM], False),
            "show ITEM (on a terminal)": (["show", ITEM], True),
            "verify (demo ledger)": (["verify"], False),
            "record (one event, demo ledger)": (record, False),
        }
        cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cached"
        print(f"median of {args.runs} runs after a warm-up, {cache}; the checkouts take turns")
        for number, root in enumerate(roots):
            print(f"  [{number}] {root}")
        bare: list[float] = []
        times: dict[str, list[list[float]]] = {name: [[] for _ in roots] for name in commands}
        for _ in range(args.runs + 1):  # the first round warms the bytecode cache
            bare.append(once([tools[0][0], "-c", "pass"], roots[0], env, tty=False))
            for name, (argv, tty) in commands.items():
                for number, root in enumerate(roots):
                    db = [] if argv == ["--help"] else ["--db", dbs[number]]
                    command = [*tools[number], "import cli; cli.main()", *db, *argv]
                    times[name][number].append(once(command, root, env, tty))
        base = statistics.median(bare[1:])
        print(f"{'python -c pass':<46}{base * 1000:8.0f} ms")
        for name, per_root in times.items():
            cells = []
            for number, samples in enumerate(per_root):
                seconds = statistics.median(samples[1:])
                label = f"[{number}] " if len(roots) > 1 else ""
                cells.append(f"{label}{seconds * 1000:5.0f} ms {seconds / base:5.1f}×")
            print(f"{'reform-ledger ' + name:<46}" + "   ".join(cells))


if __name__ == "__main__":
    main()
