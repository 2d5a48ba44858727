"""Nothing of ours needs a POSIX-only module: the command line and the locks work without one.

Windows has no ``fcntl``; a module that imports it at the top fails every command there.
The child process below runs where ``fcntl`` cannot be imported, imports the three
packages and the command line, and takes, refuses and releases both ledger-wide locks on
a SQLite ledger: the process lock itself and the scheduler's one-per-ledger lock.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: modules that exist on some platforms only
PLATFORM_ONLY = {"fcntl", "msvcrt", "winreg", "termios", "tty", "pty", "pwd", "grp", "resource"}

WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows

import cli, ledger, reports
from ledger import LockHeld, open_store
from reports import ScheduleError, run_pending
from reports.scheduling import scheduler_lock

url = sys.argv[1]
store = open_store(url, create=True)
other = open_store(url)
with store.process_lock("maintenance"):
    try:
        with other.process_lock("maintenance"):
            raise SystemExit("a second holder got the lock")
    except LockHeld as error:
        print("process lock refused:", error)
with other.process_lock("maintenance"):
    print("process lock taken again after release")

with store.process_lock("scheduler"):  # what a running scheduler holds
    try:
        run_pending(other)
        raise SystemExit("a second scheduler ran")
    except ScheduleError as error:
        print("scheduler lock refused:", error)
print("scheduler ran:", run_pending(other).results)
with scheduler_lock(store):
    try:
        run_pending(other)
        raise SystemExit("a second scheduler ran")
    except ScheduleError:
        print("scheduler lock held")
print("scheduler ran again:", run_pending(store).results)
assert sys.modules["fcntl"] is None
store.close()
other.close()
"""


def test_locks_work_where_fcntl_cannot_be_imported(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", WITHOUT_FCNTL, f"sqlite:///{ledger}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("process lock refused: held by pid ")
    assert lines[0].endswith(f"(lock file {ledger}.maintenance-lock)")
    assert lines[1] == "process lock taken again after release"
    assert lines[2].startswith("scheduler lock refused: another scheduler is already running")
    assert lines[3:] == ["scheduler ran: []", "scheduler lock held", "scheduler ran again: []"]


def test_no_module_of_ours_imports_a_platform_only_module() -> None:
    files = [ROOT / "cli.py"]
    for package in ("events", "ledger", "reports"):
        files += sorted((ROOT / package).rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = {node.module.split(".")[0]}
            else:
                continue
            assert not names & PLATFORM_ONLY, f"{path.relative_to(ROOT)}:{node.lineno}"
