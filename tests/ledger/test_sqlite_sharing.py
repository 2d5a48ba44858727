"""Two users of one SQLite ledger: a refused import in another process leaves this one's
connection working.

Closing any descriptor of a database file drops every POSIX lock the process holds on
it, SQLite's included; a process that looked at the file that way (to refuse a file
that is not SQLite) lost its connections' shared locks, and the next process to close
its last connection believed itself alone and deleted the WAL and shared memory under
them ("disk I/O error" on their next read). Found by ``fuzz_import.py --cli-every 1``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ledger import open_store
from tests.conftest import promise, registered

COMMAND = Path(sys.executable).with_name("reform-ledger")


def test_a_refused_import_in_another_process_leaves_this_connection_working(tmp_path: Path):
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    first = registered(open_store(url, create=True))
    first.append([promise("p1")])
    first.close()
    # the ledger as a long-running process holds it: opened, read, and opened again by a
    # second user in the same process (each opening looks at the file first)
    holder = open_store(url)
    before = (holder.head(), holder.count())
    other = open_store(url)
    assert other.count() == before[1]
    # another process imports a file it refuses inside its write transaction
    again = promise("p1").envelope()  # promise.made on an existing item: refused by the store
    refused = tmp_path / "refused.jsonl"
    refused.write_text(json.dumps(again) + "\n", encoding="utf-8")
    done = subprocess.run(
        [str(COMMAND), "--db", url, "import", str(refused)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr == (
        f"error: {refused}:1: item 'p1' already exists; promise.made creates an item once\n"
    )
    # this process's ledger files are still there, and both users read and write on
    assert path.with_name("ledger.db-wal").exists()
    assert path.with_name("ledger.db-shm").exists()
    assert (holder.head(), holder.count()) == before
    holder.append([promise("p2")])
    assert other.count() == before[1] + 1
    assert [record.item for record in other.read(after=before[0].position)] == ["p2"]
    other.close()
    holder.close()
