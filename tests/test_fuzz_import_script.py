"""benchmarks/fuzz_import.py runs: a short, seeded round of mutated imports finds nothing.

The script is how new corpus cases are found; this keeps it working, through both the
library and the command line, and checks it reports what it did.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz_import.py"


def test_a_short_seeded_fuzz_run_finds_no_traceback_and_no_digest_change(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--iterations", "120", "--cli-every", "60", "--seed", "7"]
        + ["--out", str(tmp_path / "problems")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert first == "seed 7: 120 rounds, 0 problems"
    assert "cli exit" in done.stdout and "refused:" in done.stdout
    assert not (tmp_path / "problems").exists()
