"""``data/events.jsonl``: the ledger's export, extended in place when the ledger only grew.

Over a large ledger the file is about 100 MB, so a rebuild neither hashes it to learn
that it is still what the last build wrote nor copies it whole to add one line. The
build manifest records the digest (``position:hash``) the file ends at, its size and its
SHA-256 (which ``datapackage.json`` publishes). A file of the recorded size whose last
line is the event at the recorded digest is taken as the last build's; one edited by
hand or left by a crash nearly always has another size or last line (an edit that keeps
both is not noticed: delete the manifest to export the file whole again).

When the store's own chain still holds that last line's hash at its position, the
ledger only grew since: the new lines are appended and the file is synced before the
manifest, written last, records its new size. A crash in between leaves a file longer
than the manifest says, which the next build exports whole (atomically). Otherwise the
export is written whole, atomically.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from events import escape_invisible_json
from ledger import Store, export_events
from reports.output import write_atomic
from reports.site.data import EVENTS
from reports.site.manifest import Manifest

__all__ = ["PublishedEvents", "publish_events"]

#: How far back from the end a last line is looked for (a longer one means a whole export).
_TAIL = 1 << 20


@dataclass(frozen=True)
class PublishedEvents:
    """The published file's size and SHA-256, and whether this build changed it."""

    size: int
    sha256: str
    written: bool


def publish_events(
    store: Store, out: Path, manifest: Manifest, digest: str, position: int
) -> PublishedEvents:
    """Make ``out/data/events.jsonl`` the export up to ``digest`` (at ``position``): kept,
    extended or written whole, and recorded in ``manifest``."""
    path = out / EVENTS.path
    held = _held(path, manifest)
    if held is not None and held[0] == digest and manifest.previous_digest(EVENTS.path):
        manifest.keep(EVENTS.path)
        return PublishedEvents(held[1], manifest.previous_digest(EVENTS.path) or "", False)
    if held is not None and _extends(store, held[0], position):
        after = int(held[0].partition(":")[0])
        added = _lines(store, after, position)
        with path.open("r+b") as stream:
            stream.seek(held[1])
            stream.write(added)
            stream.flush()
            os.fsync(stream.fileno())
            stream.seek(0)
            sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
        size = held[1] + len(added)
        manifest.record_large(EVENTS.path, digest, sha256, size)
        return PublishedEvents(size, sha256, True)
    body = _lines(store, 0, position)
    written = write_atomic(path, body)
    sha256 = hashlib.sha256(body).hexdigest()
    manifest.record_large(EVENTS.path, digest, sha256, len(body))
    return PublishedEvents(len(body), sha256, written)


def _lines(store: Store, after: int, position: int) -> bytes:
    """The export's lines after position ``after`` up to ``position``."""
    lines = []
    for index, line in enumerate(export_events(store, after=after), start=after + 1):
        if index > position:
            break
        lines.append(escape_invisible_json(line))  # lossless, as `export` writes it
    return "".join(lines).encode("utf-8")


def _extends(store: Store, held: str, position: int) -> bool:
    """Whether the file ending at ``held`` is a prefix of the export up to ``position``:
    the store's chain holds that hash at that position, before ``position``."""
    at, _, hash_ = held.partition(":")
    return at.isdigit() and 0 < int(at) < position and store.hash_at(int(at)) == hash_


def _held(path: Path, manifest: Manifest) -> tuple[str, int] | None:
    """(the digest the file ends at, its size) when the file has the size the last build
    recorded and its last line is the event the manifest's key names."""
    key, size = manifest.previous_key(EVENTS.path), manifest.previous_size(EVENTS.path)
    if key is None or size is None:
        return None
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size != size:
                return None
            start = max(0, size - _TAIL)
            stream.seek(start)
            tail = stream.read()
    except OSError:
        return None
    if not tail.endswith(b"\n"):
        return None
    begins = tail.rfind(b"\n", 0, -1) + 1
    if begins == 0 and start > 0:
        return None  # a last line longer than the tail read
    try:
        last = orjson.loads(tail[begins:])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(last, dict) or f"{last.get('position')}:{last.get('hash')}" != key:
        return None
    return key, size
