"""Report files: atomic, left alone when unchanged, readable by others."""

from __future__ import annotations

import os
from pathlib import Path

from reports import write_atomic


def test_new_files_follow_the_umask_and_existing_files_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "2023-Q4.md"
        assert write_atomic(path, b"one")
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o640)
        assert write_atomic(path, b"two")
        assert path.stat().st_mode & 0o777 == 0o640
        mtime = path.stat().st_mtime_ns
        assert not write_atomic(path, b"two")
        assert path.stat().st_mtime_ns == mtime
        assert list(tmp_path.iterdir()) == [path]
    finally:
        os.umask(old)


def test_writes_where_os_has_no_fchmod_and_no_directory_open(tmp_path, monkeypatch):
    """Windows' ``os`` lacks both; a report is still written atomically there."""
    monkeypatch.delattr(os, "fchmod")
    monkeypatch.delattr(os, "O_DIRECTORY")
    opened = []
    real_open = os.open

    def recording_open(name, *args, **options):
        opened.append(Path(name))
        return real_open(name, *args, **options)

    monkeypatch.setattr(os, "open", recording_open)
    path = tmp_path / "2023-Q4.md"
    assert write_atomic(path, b"one")
    assert write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
    assert list(tmp_path.iterdir()) == [path]
    assert tmp_path not in opened  # no folder was opened to be synced
