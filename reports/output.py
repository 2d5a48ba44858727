"""Writing report files: atomically, and only when the bytes changed.

A report is written to a temporary file in the same folder, flushed to disk, then
renamed over the target, so a crash never leaves a partial file. A file that already
holds the same bytes is left alone, so its modification time stays and a git commit of
the folder shows only what really changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reports.errors import ReportError

__all__ = ["write_atomic", "write_text"]


def _mode_for(path: Path) -> int:
    """The existing file's mode, or what a plain ``open`` would give under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; return False when it already held them."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # not on Windows, where mkstemp's file is readable anyway
            os.fchmod(handle, _mode_for(path))  # mkstemp makes 0600; reports are for reading
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return True


def _sync_directory(folder: Path) -> None:
    """Make the rename durable where a folder can be opened and synced (not on Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_text(path: Path, text: str) -> bool:
    """``write_atomic`` of UTF-8 text, a failure told as a ReportError naming the file."""
    try:
        return write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error.strerror or error}") from None
