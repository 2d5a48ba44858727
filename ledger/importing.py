"""Reading event files (YAML or JSON Lines) into validated events, each with its place.

Every error names the file and line and the field, so a user can fix it. Every file is
read and validated whole before any is written, and every error found is reported (up to
``MAX_LISTED``, then "… and N more"), so an editor fixes a file in one pass. Timestamps
are kept as text (no implicit YAML dates), so an impossible date gets our message, not a
parser's. A key given twice in one mapping is refused, in YAML at any depth and in JSON
objects: the parsers would silently keep the last value. A leading byte-order mark (as
Windows editors write) is dropped in both formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from json import JSONDecodeError
from pathlib import Path
from typing import Any

import orjson
import yaml

from events import Event, InvalidInput, InvalidInputs, LedgerError, loads, parse_event
from ledger.memory import gc_paused
from ledger.store import Store

__all__ = ["ImportSummary", "import_files", "read_event_file", "read_raw_events"]

MAX_FILE_BYTES = 512 * 1024 * 1024
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates and times as strings and notes duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        #: (line, key, line of its first use) for each key given twice in one mapping
        self.duplicates: list[tuple[int, Any, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:  # explicit keys, before merges (<<) are spliced in
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node)  # cached: the base class reuses it
                line = key_node.start_mark.line + 1
                if key in first:
                    self.duplicates.append((line, key, first[key]))
                else:
                    first[key] = line
        return super().construct_mapping(node, deep=deep)


_TextLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _duplicate(key: Any, container: str, first: int | None = None, line: int = 0) -> str:
    where = f" (first on line {first})" if first is not None and first != line else ""
    return f"duplicate key {key!r}{where}; a key may appear once in {container}"


def _read_yaml(path: Path, text: str, errors: list[InvalidInput]) -> list[tuple[int, Any]]:
    try:
        loader = _TextLoader(text)  # the reader refuses control characters right here
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise InvalidInput(
            f"malformed YAML: control character U+{error.character:04X} is not allowed",
            where=f"{path}:{line}",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return []
        document = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InvalidInput(
            f"malformed YAML: {error.problem or error.context}", where=line
        ) from None
    except yaml.YAMLError as error:
        raise InvalidInput(f"malformed YAML: {error}", where=str(path)) from None
    except RecursionError:  # PyYAML composes and constructs nested nodes recursively
        line = f"{path}:{loader.get_mark().line + 1}"
        raise InvalidInput("malformed YAML: nested too deeply", where=line) from None
    finally:
        loader.dispose()
    errors.extend(
        InvalidInput(_duplicate(key, "a mapping", first, line), where=f"{path}:{line}")
        for line, key, first in loader.duplicates
    )
    if document is None:
        return []
    if isinstance(document, dict):
        return [(node.start_mark.line + 1, document)]
    if not isinstance(document, list):
        raise InvalidInput("expected a list of events", where=f"{path}:1")
    return [
        (child.start_mark.line + 1, value)
        for child, value in zip(node.value, document, strict=True)
    ]


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


#: A second, strict parse of a line, only to find keys orjson silently collapsed (when
#: ``_no_duplicate_keys`` cannot tell).
_STRICT = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _no_duplicate_keys(line: bytes, value: Any) -> bool:
    """Whether a valid JSON line surely has no key twice in an object, told cheaply.

    Without a backslash a string holds no escape, so orjson writes each string it read
    back byte for byte (it escapes only quotes, backslashes and control characters, none
    of which such a line holds raw). Each member puts one ':' between its key and value,
    and a string may hold more; a collapsed member takes its ':', and those of its key
    and discarded value, out of the output only. So equal counts of ':' mean nothing
    collapsed, whatever whitespace the line holds. False sends the line to the strict
    parse.
    """
    if b"\\" in line or (type(value) is not dict and type(value) is not list):
        return False
    try:
        written = orjson.dumps(value)
    except orjson.JSONEncodeError:  # what orjson reads but cannot write: look closer
        return False
    return line.count(b":") == written.count(b":")


def _jsonl_line(path: Path, number: int, line: str, errors: list[InvalidInput]) -> Any:
    """One line's value, or None (blank, or an error noted)."""
    if not line.strip():
        return None
    try:
        value = loads(line)
    except JSONDecodeError as error:
        errors.append(
            InvalidInput(
                f"malformed JSON: {error.msg} (column {error.colno})", where=f"{path}:{number}"
            )
        )
        return None
    if _no_duplicate_keys(line.encode(), value):
        return value
    try:
        _STRICT.decode(line)
    except _DuplicateKey as duplicate:
        errors.append(
            InvalidInput(_duplicate(duplicate.key, "an object"), where=f"{path}:{number}")
        )
        return None
    except (ValueError, RecursionError):  # what orjson accepts, the stdlib may not
        pass
    return value


def _read_jsonl(path: Path, errors: list[InvalidInput]) -> Iterator[tuple[int, Any]]:
    """(line, value) pairs, a line at a time: a file of any size is read in little memory.

    Lines end at "\\n" only (str.splitlines would also cut at U+2028, U+0085 and others,
    which JSON allows raw inside a string). Text that is not UTF-8 raises, naming the
    file's byte. A line is parsed from its bytes (orjson checks they are UTF-8); a line
    that fails, or the first (it may start with a byte-order mark), is decoded and parsed
    again as text, which words every error.
    """
    offset = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if number > 1:
                try:
                    value = loads(raw)  # JSON takes the line's ending as whitespace
                except JSONDecodeError:
                    pass
                else:
                    if _no_duplicate_keys(raw, value):
                        offset += len(raw)
                        yield number, value
                        continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InvalidInput(
                    f"not UTF-8 text (byte {offset + error.start})", where=str(path)
                ) from None
            offset += len(raw)
            if number == 1:
                line = line.removeprefix("\ufeff")
            value = _jsonl_line(path, number, line.removesuffix("\n").removesuffix("\r"), errors)
            if value is not None:
                yield number, value


_JSONL = frozenset({".jsonl", ".ndjson", ".json"})


def _read_rows(path: Path, errors: list[InvalidInput]) -> Iterator[tuple[int, Any]]:
    """(line, raw mapping) pairs from one file, noting errors that leave the rest readable.

    JSON Lines are read a line at a time; a YAML file is read whole (at most 512 MB).
    """
    suffix = path.suffix.lower()
    try:
        if suffix in _JSONL:
            path.stat()
            yield from _read_jsonl(path, errors)
            return
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput("file is larger than 512 MB", where=str(path))
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        raise InvalidInput("no such file", where=str(path)) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"not UTF-8 text (byte {error.start})", where=str(path)) from None
    except OSError as error:
        raise InvalidInput(error.strerror or str(error), where=str(path)) from None
    if suffix in {".yaml", ".yml"}:
        yield from _read_yaml(path, text, errors)
        return
    raise InvalidInput("unknown file type (use .yaml, .yml, .jsonl or .json)", where=str(path))


def read_raw_events(path: Path) -> list[tuple[str, Any]]:
    """(place, raw mapping) pairs from one file; the format follows the file's suffix."""
    errors: list[InvalidInput] = []
    rows = list(_read_rows(path, errors))
    if errors:
        raise InvalidInputs.of(errors)
    return [(f"{path}:{line}", raw) for line, raw in rows]


#: Events per chunk of a streamed import: memory stays bounded, the per-chunk queries few.
CHUNK_EVENTS = 10_000


class _Places(Sequence[str]):
    """The places ("file:line") of a chunk's events, each written only when asked for:
    the store asks for the places of the events it refuses, not of every event."""

    __slots__ = ("path", "lines")

    def __init__(self, path: Path, lines: list[int]) -> None:
        self.path = str(path)
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [f"{self.path}:{line}" for line in self.lines[index]]
        return f"{self.path}:{self.lines[index]}"


@dataclass
class _FileRead:
    path: Path
    #: the valid events read so far
    count: int = 0
    #: (line, error) for every problem found, in line order once read
    errors: list[tuple[int, InvalidInput]] = field(default_factory=list)
    #: a YAML file's events, read whole by ``prepare`` (JSON Lines are read again instead)
    kept: list[tuple[list[Event], Sequence[str]]] | None = None

    def chunks(self) -> Iterator[tuple[list[Event], Sequence[str]]]:
        """The file's valid events and their places, a chunk at a time, noting every
        error in ``errors``; an error that stops the reading (the file is missing, or not
        UTF-8) is then its only one."""
        found: list[InvalidInput] = []
        events: list[Event] = []
        lines: list[int] = []
        size = CHUNK_EVENTS
        try:
            for line, raw in _read_rows(self.path, found):
                try:
                    events.append(parse_event(raw))
                except InvalidInput as error:
                    located = error.at(f"{self.path}:{line}")
                    problems = located.errors if isinstance(located, InvalidInputs) else [located]
                    self.errors.extend((line, problem) for problem in problems)
                    continue
                lines.append(line)
                if len(events) >= size:
                    self.count += len(events)
                    yield events, _Places(self.path, lines)
                    events, lines = [], []
        except InvalidInput as error:  # the file cannot be read past this error
            found.clear()
            self.errors = [(_line_of(error), error)]
            return
        finally:
            self.errors.extend((_line_of(error), error) for error in found)
            self.errors.sort(key=lambda pair: pair[0])
        if events:
            self.count += len(events)
            yield events, _Places(self.path, lines)

    def check(self) -> None:
        """Raise every error found in the file, if any."""
        if self.errors:
            raise InvalidInputs.of([error for _, error in self.errors])

    def prepare(self) -> None:
        """Validate the whole file (the first pass of an import of several files)."""
        if self.path.suffix.lower() in _JSONL:
            for _ in self.chunks():
                pass
        else:
            self.kept = list(self.chunks())

    def checked_chunks(self) -> Iterator[tuple[list[Event], Sequence[str]]]:
        """The events to append, the file's errors raised before its last chunk: a file
        of one chunk with an error is refused before the append even begins, a longer one
        inside it (which rolls back)."""
        if self.kept is not None:
            chunks: Iterator[tuple[list[Event], Sequence[str]]] = iter(self.kept)
        else:
            self.count, self.errors = 0, []
            chunks = self.chunks()
        last = None
        for chunk in chunks:
            if last is not None:
                yield last
            last = chunk
        self.check()
        if last is not None:
            yield last


def _line_of(error: InvalidInput) -> int:
    _, _, line = (error.where or "").rpartition(":")
    return int(line) if line.isdigit() else 0


def read_event_file(path: Path) -> tuple[list[Event], list[str]]:
    """The validated events of one file and their places; every error found, if any."""
    read = _FileRead(Path(path))
    events: list[Event] = []
    places: list[str] = []
    for chunk, where in read.chunks():
        events += chunk
        places += where
    read.check()
    return events, places


@dataclass
class ImportSummary:
    files: int
    appended: int
    skipped: int
    #: the files that held no event at all (accepted, but the user is told)
    empty: list[str] = field(default_factory=list)


def import_files(
    store: Store,
    paths: Sequence[Path],
    *,
    progress: Callable[[int, int], Callable[[int], None] | None] | None = None,
) -> ImportSummary:
    """Import files, each one batch (all-or-nothing); every file is validated first.

    A file is read in chunks inside its batch's transaction, so its size is not bounded
    by memory. With several files, a first pass validates them all (holding the events
    of YAML files only, which are read whole anyway) before the first is written; with
    one, its own transaction is that guarantee.
    """
    with gc_paused():
        return _import_files(store, [Path(path) for path in paths], progress)


def _import_files(
    store: Store,
    paths: list[Path],
    progress: Callable[[int, int], Callable[[int], None] | None] | None,
) -> ImportSummary:
    reads = [_FileRead(path) for path in paths]
    if len(reads) != 1 or paths[0].suffix.lower() not in _JSONL:
        for read in reads:
            read.prepare()
        errors = [error for read in reads for _, error in read.errors]
        if errors:
            raise InvalidInputs.of(errors)
        total = sum(read.count for read in reads)
    else:
        total = _lines(paths[0]) if progress else 0  # a read of the file, for the bar only
    tick = progress(total, len(reads)) if progress else None
    appended = skipped = 0
    for read in reads:
        chunks = read.checked_chunks()
        try:
            result = store.append_chunks(chunks, progress=tick)
        except LedgerError:
            for _ in chunks:  # the file's own errors come first, as if validated whole
                pass
            raise
        appended += result.appended
        skipped += result.skipped
    empty = [str(read.path) for read in reads if not read.count]
    return ImportSummary(len(reads), appended, skipped, empty)


def _lines(path: Path) -> int:
    """About how many events a file holds (its lines), for a progress bar."""
    try:
        with path.open("rb") as file:
            return sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
    except OSError:
        return 0
