"""On a terminal, `record` asks for each required field that was not given."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from ledger import open_store

ROOT = Path(__file__).resolve().parent.parent


def read_until(fd: int, text: str, timeout: float = 20.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {text!r} in {seen.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def new_ledger(folder: Path) -> Path:
    db = folder / "ledger.db"
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "--db", str(db), "init"],
        check=True,
        capture_output=True,
    )
    return db


def test_record_prompts_for_missing_fields_on_a_terminal(tmp_path):
    db = new_ledger(tmp_path)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "--db",
            str(db),
            "record",
            "promise.made",
            "--item",
            "free-media",
            "--effective",
            "2024-03",
            "--area",
            "media",
            # the prompted document is new: these register it with the event
            "--source-title",
            "How are numerous political, economic and social reforms in Kazakhstan "
            "to transform the relationship between citizens and state?",
            "--source-short-title",
            "Overview article (2024)",
            "--source-published",
            "2024-03",
            "--source-kind",
            "other",
            "--source-language",
            "en",
        ],
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    answers = [
        ("source document", "004_c33d32c60aeb1b7d.txt"),
        ("source locator", "Media"),
        ("source quote", "is being reformed"),
        ("title", "Revise the media law"),
        ("statement", "Reform the law on mass media."),
        ("actor", "Government"),
    ]
    for prompt, answer in answers:
        read_until(main, prompt)
        os.write(main, f"{answer}\n".encode())
    output = read_until(main, "promise.made free-media v1")
    assert process.wait(timeout=20) == 0, output
    os.close(main)
    store = open_store(f"sqlite:///{db}")
    [source, record] = list(store.read())
    assert (source.type, source.item) == ("source.registered", "004_c33d32c60aeb1b7d.txt")
    assert source.data["short_title"] == "Overview article (2024)"
    assert record.data["title"] == "Revise the media law"
    assert record.source == {
        "document": "004_c33d32c60aeb1b7d.txt",
        "locator": "Media",
        "quote": "is being reformed",
    }
    store.close()


def test_record_without_a_terminal_names_the_missing_field(tmp_path):
    db = new_ledger(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "--db",
            str(db),
            "record",
            "promise.made",
            "--item",
            "x",
            "--effective",
            "2024",
            "--document",
            "d",
            "--locator",
            "l",
            "--quote",
            "q",
            "--title",
            "t",
            "--statement",
            "s",
            "--area",
            "a",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 3
    assert result.stderr == "error: field 'actor': required field is missing\n"


def test_record_prompts_for_a_registrations_fields_only(tmp_path):
    """A registration cites itself and takes effect when published: no source prompts."""
    db = new_ledger(tmp_path)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "--db", str(db), "record", "source.registered"],
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    answers = [
        ("item", "iwpr-2022-11"),
        ("title", "Kazakstan: Same President, New Reforms?"),
        ("published", "2022-11-22"),
        ("kind", "news"),
        ("language", "en"),
    ]
    seen = ""
    for prompt, answer in answers:
        seen += read_until(main, prompt)
        os.write(main, f"{answer}\n".encode())
    seen += read_until(main, "source.registered iwpr-2022-11 v1")
    assert process.wait(timeout=20) == 0, seen
    os.close(main)
    assert "source document" not in seen and "effective" not in seen
    store = open_store(f"sqlite:///{db}")
    [record] = list(store.read())
    assert (record.effective, record.source["locator"]) == ("2022-11-22", "title")
    assert record.source["quote"] == "Kazakstan: Same President, New Reforms?"
    store.close()
