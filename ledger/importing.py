"""Reading event files (YAML or JSON Lines) into validated events, each with its place.

Every error names the file and line and the field, so a user can fix it; nothing is
written until every file has been read and validated. Timestamps are kept as text (no
implicit YAML dates), so an impossible date gets our message, not a parser's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json import JSONDecodeError
from pathlib import Path
from typing import Any

import yaml

from events import Event, InvalidInput, loads, parse_event
from ledger.memory import gc_paused
from ledger.store import AppendResult, Store

__all__ = ["ImportSummary", "TextLoader", "import_files", "read_event_file", "read_raw_events"]

MAX_FILE_BYTES = 512 * 1024 * 1024


class TextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates and times as strings."""


TextLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path, text: str) -> list[tuple[int, Any]]:
    try:
        loader = TextLoader(text)  # the reader refuses control characters right here
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
    if isinstance(document, dict):
        return [(node.start_mark.line + 1, document)]
    if not isinstance(document, list):
        raise InvalidInput("expected a list of events", where=f"{path}:1")
    return [
        (child.start_mark.line + 1, value)
        for child, value in zip(node.value, document, strict=True)
    ]


def _read_jsonl(path: Path, text: str) -> list[tuple[int, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, loads(line)))
        except JSONDecodeError as error:
            raise InvalidInput(
                f"malformed JSON: {error.msg} (column {error.colno})", where=f"{path}:{number}"
            ) from None
    return rows


def read_raw_events(path: Path) -> list[tuple[str, Any]]:
    """(place, raw mapping) pairs from one file; the format follows the file's suffix."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput("file is larger than 512 MB", where=str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput("no such file", where=str(path)) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"not UTF-8 text (byte {error.start})", where=str(path)) from None
    except OSError as error:
        raise InvalidInput(error.strerror or str(error), where=str(path)) from None
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        rows = _read_jsonl(path, text)
    elif path.suffix.lower() in {".yaml", ".yml"}:
        rows = _read_yaml(path, text)
    else:
        raise InvalidInput("unknown file type (use .yaml, .yml, .jsonl or .json)", where=str(path))
    return [(f"{path}:{line}", raw) for line, raw in rows]


def read_event_file(path: Path) -> tuple[list[Event], list[str]]:
    events, places = [], []
    for place, raw in read_raw_events(path):
        try:
            events.append(parse_event(raw))
        except InvalidInput as error:
            raise error.at(place) from None
        places.append(place)
    return events, places


@dataclass
class ImportSummary:
    files: int
    appended: int
    skipped: int


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
    batches = [read_event_file(Path(path)) for path in paths]
    total = sum(len(events) for events, _ in batches)
    tick = progress(total, len(batches)) if progress else None
    appended = skipped = 0
    for events, places in batches:
        result: AppendResult = store.append(events, locations=places, progress=tick)
        appended += result.count
        skipped += result.skipped
    return ImportSummary(len(batches), appended, skipped)
