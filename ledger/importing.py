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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from json import JSONDecodeError
from pathlib import Path
from typing import Any

import yaml

from events import Event, InvalidInput, InvalidInputs, loads, parse_event
from ledger.memory import gc_paused
from ledger.store import AppendResult, Store

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


#: A second, strict parse of each line, only to find keys orjson silently collapsed.
_STRICT = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _read_jsonl(path: Path, text: str, errors: list[InvalidInput]) -> list[tuple[int, Any]]:
    rows = []
    # lines end at "\n" only: str.splitlines would also cut at U+2028, U+0085 and others,
    # which JSON allows raw inside a string
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = loads(line)
        except JSONDecodeError as error:
            errors.append(
                InvalidInput(
                    f"malformed JSON: {error.msg} (column {error.colno})", where=f"{path}:{number}"
                )
            )
            continue
        try:
            _STRICT.decode(line)
        except _DuplicateKey as duplicate:
            errors.append(
                InvalidInput(_duplicate(duplicate.key, "an object"), where=f"{path}:{number}")
            )
            continue
        except (ValueError, RecursionError):  # what orjson accepts, the stdlib may not
            pass
        rows.append((number, value))
    return rows


def _read_rows(path: Path, errors: list[InvalidInput]) -> list[tuple[int, Any]]:
    """(line, raw mapping) pairs from one file, noting errors that leave the rest readable."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput("file is larger than 512 MB", where=str(path))
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        raise InvalidInput("no such file", where=str(path)) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"not UTF-8 text (byte {error.start})", where=str(path)) from None
    except OSError as error:
        raise InvalidInput(error.strerror or str(error), where=str(path)) from None
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        return _read_jsonl(path, text, errors)
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _read_yaml(path, text, errors)
    raise InvalidInput("unknown file type (use .yaml, .yml, .jsonl or .json)", where=str(path))


def read_raw_events(path: Path) -> list[tuple[str, Any]]:
    """(place, raw mapping) pairs from one file; the format follows the file's suffix."""
    errors: list[InvalidInput] = []
    rows = _read_rows(path, errors)
    if errors:
        raise InvalidInputs.of(errors)
    return [(f"{path}:{line}", raw) for line, raw in rows]


@dataclass
class _FileRead:
    path: Path
    events: list[Event] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    #: (line, error) for every problem found, in line order once read
    errors: list[tuple[int, InvalidInput]] = field(default_factory=list)


def _read_file(path: Path) -> _FileRead:
    """Every event of one file, validated, with every error found in it."""
    read = _FileRead(path)
    found: list[InvalidInput] = []
    try:
        rows = _read_rows(path, found)
    except InvalidInput as error:  # the file cannot be read past this error
        rows = []
        found.append(error)
    read.errors = [(_line_of(error), error) for error in found]
    for line, raw in rows:
        place = f"{path}:{line}"
        try:
            read.events.append(parse_event(raw))
        except InvalidInput as error:
            located = error.at(place)
            problems = located.errors if isinstance(located, InvalidInputs) else [located]
            read.errors.extend((line, problem) for problem in problems)
            continue
        read.places.append(place)
    read.errors.sort(key=lambda pair: pair[0])
    return read


def _line_of(error: InvalidInput) -> int:
    _, _, line = (error.where or "").rpartition(":")
    return int(line) if line.isdigit() else 0


def read_event_file(path: Path) -> tuple[list[Event], list[str]]:
    """The validated events of one file and their places; every error found, if any."""
    read = _read_file(Path(path))
    if read.errors:
        raise InvalidInputs.of([error for _, error in read.errors])
    return read.events, read.places


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
    """Import files, each one batch (all-or-nothing); every file is validated first."""
    with gc_paused():
        return _import_files(store, paths, progress)


def _import_files(
    store: Store,
    paths: Sequence[Path],
    progress: Callable[[int, int], Callable[[int], None] | None] | None,
) -> ImportSummary:
    reads = [_read_file(Path(path)) for path in paths]
    errors = [error for read in reads for _, error in read.errors]
    if errors:
        raise InvalidInputs.of(errors)
    total = sum(len(read.events) for read in reads)
    tick = progress(total, len(reads)) if progress else None
    appended = skipped = 0
    for read in reads:
        result: AppendResult = store.append(read.events, locations=read.places, progress=tick)
        appended += result.count
        skipped += result.skipped
    empty = [str(read.path) for read in reads if not read.events]
    return ImportSummary(len(reads), appended, skipped, empty)
