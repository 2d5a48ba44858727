"""The ledger-wide process lock: one holder at a time, released when the holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ledger import LockHeld, open_store

HOLD = """
import sys, time
from ledger import open_store
store = open_store(sys.argv[1])
with store.process_lock("scheduler"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_holder_is_refused_until_the_first_is_killed(store):
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, store.url], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert child.stdout.readline().strip() == "held"
        other = open_store(store.url)
        with pytest.raises(LockHeld, match=f"pid {child.pid}"), other.process_lock("scheduler"):
            pass
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 10
        while True:  # the server notices the dead session within moments
            try:
                with other.process_lock("scheduler") as lock:
                    lock.check()
                break
            except LockHeld:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        with other.process_lock("another-name"), other.process_lock("scheduler"):
            pass
        other.close()
    finally:
        child.kill()
        child.wait()
