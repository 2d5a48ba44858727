"""Report files: atomic, left alone when unchanged, readable by others."""

from __future__ import annotations

import os

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
