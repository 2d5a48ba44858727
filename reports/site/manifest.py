"""The build manifest: what each file of a published site was made from, kept beside it.

``.reform-ledger-site.json`` in the site's folder maps every file the site wrote to two
digests: its *inputs* (what the page was rendered from: the item's entry, the period's
changes, the options it shows, with the fingerprint of the code and templates that render
it) and its *bytes*. A rebuild renders a page again only when its inputs changed or the
file on disk no longer holds the bytes the manifest names (someone edited or deleted it),
so rebuilding after one new event costs the pages that event touches, not the whole site.
The two large data files (``events.jsonl``, the database) also get their size, by which
(with the newest event they hold) a rebuild knows them without hashing them again.
Nothing volatile (times, inode numbers) is kept, so the manifest itself is part of the
deterministic output: the same ledger and options give the same manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from reports.output import write_atomic

__all__ = ["MANIFEST", "Manifest", "code_fingerprint", "digest_of"]

MANIFEST = ".reform-ledger-site.json"
_VERSION = 1
#: The packages whose code and templates decide what a page says.
_PACKAGES = ("events", "ledger", "reports")


def digest_of(*parts: object) -> str:
    """A digest of plain values (dataclasses, lists, dicts, strings, numbers, dates).

    orjson writes every field of the model's dataclasses, so two inputs that would render
    differently have different digests; anything it cannot write is digested by its
    ``repr``. The model holds no sets, whose order would vary between runs (an unstable
    digest would only cost a re-render, never a stale page).
    """
    body = orjson.dumps(parts, default=repr, option=orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(body).hexdigest()


def code_fingerprint() -> str:
    """A digest of the code and templates that build pages: after an upgrade, every page
    is rendered again."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".j2", ".css") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode("utf-8"))
                digest.update(path.read_bytes())
    return digest.hexdigest()


class Manifest:
    """The previous build's manifest (if it matches this code) and the one being made."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.out, self.fingerprint = out, fingerprint
        self.previous: dict[str, list[str]] = {}
        self.files: dict[str, list[str]] = {}
        try:
            saved = orjson.loads((out / MANIFEST).read_bytes())
            if saved.get("version") == _VERSION and saved.get("code") == fingerprint:
                self.previous = {
                    path: [str(entry[0]), str(entry[1]), *map(str, entry[2:3])]
                    for path, entry in saved["files"].items()
                }
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            self.previous = {}  # missing or unreadable: every file is checked by its bytes

    def unchanged(self, relative: str, key: str) -> bool:
        """Whether ``relative`` was made from ``key`` and still holds the bytes it was
        written with; if so it is kept in the new manifest as it is."""
        return self.kept_body(relative, key) is not None

    def kept_body(self, relative: str, key: str) -> bytes | None:
        """The file's bytes when ``unchanged`` holds, else None."""
        entry = self.previous.get(relative)
        if entry is None or entry[0] != key:
            return None
        body = self.previous_body(relative)
        if body is not None:
            self.files[relative] = entry
        return body

    def previous_key(self, relative: str) -> str | None:
        """The key ``relative`` was last made from (None when not known)."""
        entry = self.previous.get(relative)
        return entry[0] if entry else None

    def previous_body(self, relative: str) -> bytes | None:
        """The file's bytes when it still holds what the last build wrote, else None."""
        entry = self.previous.get(relative)
        if entry is None:
            return None
        try:
            body = (self.out / relative).read_bytes()
        except OSError:
            return None
        return body if hashlib.sha256(body).hexdigest() == entry[1] else None

    def previous_size(self, relative: str) -> int | None:
        """The size the last build recorded for ``relative`` (a large file it keeps by its
        size and content rather than by a digest of its bytes), else None."""
        entry = self.previous.get(relative)
        return int(entry[2]) if entry and len(entry) > 2 and entry[2].isdigit() else None

    def previous_digest(self, relative: str) -> str | None:
        """The SHA-256 of the bytes the last build wrote to ``relative`` (None when not
        known)."""
        entry = self.previous.get(relative)
        return entry[1] if entry and entry[1] else None

    def forget(self, relative: str) -> None:
        """Drop ``relative`` from the last build's manifest on disk before the file is
        changed in place: a build stopped midway then leaves a file no manifest vouches
        for, which the next build makes whole rather than trusting."""
        if relative not in self.previous:
            return
        del self.previous[relative]
        saved = {"version": _VERSION, "code": self.fingerprint, "files": self.previous}
        body = orjson.dumps(saved, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        write_atomic(self.out / MANIFEST, body)

    def keep(self, relative: str) -> None:
        """Keep ``relative``'s entry as the last build made it (the caller checked it)."""
        self.files[relative] = self.previous[relative]

    def record(self, relative: str, key: str | None, body: bytes) -> None:
        digest = hashlib.sha256(body).hexdigest()
        self.files[relative] = [key or digest, digest]

    def record_large(self, relative: str, key: str, digest: str, size: int) -> None:
        """Record a large file by its key, the SHA-256 of its bytes (empty when not
        computed) and its size: the next build checks it by its size and its content
        (see ``publish``) instead of hashing it again."""
        self.files[relative] = [key, digest, str(size)]

    def body(self) -> bytes:
        saved = {"version": _VERSION, "code": self.fingerprint, "files": self.files}
        return orjson.dumps(saved, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
