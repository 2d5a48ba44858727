"""Check the bundled dataset while editing it: ids, quotes, word counts, and a real load.

    .venv/bin/python tools/check_dataset.py [events/FILE.yaml …]

Gives each event in the named files that has no ``id`` a new stable one (written into the
file), checks every quote of every file against its source document, then loads the whole
dataset into a temporary ledger, which applies every rule of the store (items created
before use, links to existing items, transaction time in order). Prints every problem
found, and the counts; exits 1 when there was a problem.

An editor's tool, not part of the installed package; the tests use ``check_quotes``.
"""

from __future__ import annotations

import re
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import yaml

from events import LedgerError, parse_event
from ledger import open_store, read_dataset, verify
from ledger.datasets import dataset_dir
from ledger.importing import read_raw_events

MAX_QUOTE_WORDS = 40
_FOLD = str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\"")


def fold_quote_text(text: str) -> str:
    """Fold whitespace runs and typographic quotes, and nothing else (for quote checks)."""
    return re.sub(r"\s+", " ", text.translate(_FOLD)).strip()


def assign_ids(path: Path) -> int:
    """Insert ``id: <uuid>`` as the first key of every event in ``path`` that lacks one."""
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return 0
    lines = text.split("\n")
    added = 0
    for child in reversed(node.value):
        keys = [key.value for key, _ in child.value]
        if "id" in keys:
            continue
        line, column = child.start_mark.line, child.start_mark.column
        prefix = lines[line][:column]
        if not prefix.endswith("- "):
            raise SystemExit(f"{path}:{line + 1}: start each event with '- ' to assign an id")
        lines[line] = f"{prefix}id: {uuid.uuid4()}\n{' ' * column}{lines[line][column:]}"
        added += 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return added


def check_quotes(folder: Path) -> list[str]:
    """Every quote not found verbatim in its document, too long, or without a locator."""
    documents: dict[str, str] = {}
    problems = []
    for path in sorted((folder / "events").glob("*.yaml")):
        for place, event in read_raw_events(path):
            source = event.get("source") or {}
            name = source.get("document", "")
            where = f"{Path(place).name} ({event.get('item')})"
            if name not in documents:
                file = folder / "sources" / name
                if not name or not file.is_file():
                    problems.append(f"{where}: no source document {name!r}")
                    continue
                documents[name] = fold_quote_text(file.read_text(encoding="utf-8"))
            quote = str(source.get("quote", ""))
            if not quote.strip() or fold_quote_text(quote) not in documents[name]:
                problems.append(f"{where}: quote not found verbatim in {name}: {quote[:70]!r}")
            words = len(quote.split())
            if words > MAX_QUOTE_WORDS:
                problems.append(f"{where}: quote has {words} words (at most {MAX_QUOTE_WORDS})")
            if not str(source.get("locator", "")).strip():
                problems.append(f"{where}: no locator (where in {name} the quote is)")
    return problems


def main(argv: list[str]) -> int:
    folder = dataset_dir()
    for name in argv:
        path = Path(name) if Path(name).exists() else folder / "events" / name
        print(f"{path.name}: {assign_ids(path)} ids added")
    problems = check_quotes(folder)
    for problem in problems:
        print(problem)
    raws, places = read_dataset(require_ids=False)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/check.db", create=True)
        for raw, place in zip(raws, places, strict=True):
            try:  # one by one, so every problem in every file is listed
                store.append([parse_event(raw)], locations=[place])
            except LedgerError as error:
                failures += 1
                print(f"load: {error}")
        verify(store)
        count = store.count()
        store.close()
    items = {raw["item"] for raw in raws}
    types = Counter(raw["type"] for raw in raws)
    print(
        f"loaded {count} of {len(raws)} events over {len(items)} items; "
        f"quote problems: {len(problems)}; load problems: {failures}"
    )
    print("  " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    problems += ["load"] * failures
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except LedgerError as error:
        sys.exit(f"error: {error}")
