"""Fuzz ``import``: mutate exported events for N minutes; report any traceback or digest change.

Seeds: a ledger of the bundled dataset, exported as JSON Lines, and the kept corpus
(tests/fuzz_corpus). Each round takes a few exported events, mutates them (hostile field
values, dropped or duplicated keys, new ids and items, link cycles, retractions of
retractions, flipped or inserted bytes, byte-order marks, truncation), writes them as JSON
Lines or YAML, and imports the file into the seeded ledger with ``ledger.import_files``;
every ``--cli-every`` rounds through the installed ``reform-ledger import`` instead.

A problem is: an exception that is not the ledger's own (a traceback); a refused import
that changed the digest or the event count; an accepted one after which ``verify`` fails;
on the command line, a traceback, an unexpected exit code, or an error line that does not
start with ``error:``. Each problem's input is kept in ``--out`` so it can join the corpus.
Exit status 1 when any problem was found.

    .venv/bin/python benchmarks/fuzz_import.py --minutes 10 [--seed N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from events import LedgerError, loads  # noqa: E402
from ledger import (  # noqa: E402
    digest,
    export_events,
    import_files,
    load_dataset,
    open_store,
    status,
    verify,
)

CORPUS = ROOT / "tests" / "fuzz_corpus"
SCRIPT = Path(sys.executable).with_name("reform-ledger")
#: Exit codes a command may end with on hostile input: done, bad input, conflict.
CLI_EXITS = {0, 3, 4}

HOSTILE_TEXT = [
    "",
    " ",
    "x" * 301,
    "t" * 1_001,
    "s" * 2_001,
    "w" * 20_001,
    "a\u202eb",
    "\u2066isolate\u2069",
    "zero\u200bwidth",
    "soft\u00adhyphen",
    "bom\ufeffinside",
    "c1\x9bcontrol",
    "nul\x00byte",
    "escape\x1b[31m",
    "two\nlines",
    "line\u2028separator",
    "Not A Slug",
    "ghost",
    "2023-02-30",
    "2999",
    "9999-99",
    "2022-13",
    "2022/2021",
    "Қазақстан «да»",
    "می\u200cخواهم",
]
HOSTILE_VALUES: list[Any] = [
    None,
    0,
    -1,
    1e308,
    True,
    [],
    {},
    [1, [2, [3]]],
    {"nested": {"deeper": "x"}},
    *HOSTILE_TEXT,
]


# -- mutations ------------------------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside nested dicts."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*prefix, key))
            found.extend(_paths(inner, (*prefix, key)))
    return found


def _set(event: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target = event
    for key in path[:-1]:
        target = target[key]
    if value is _DROP:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


_DROP = object()


def mutate_event(rng: random.Random, event: dict[str, Any], known: dict[str, list[str]]) -> None:
    """One semantic mutation of one event, in place."""
    choice = rng.randrange(10)
    paths = _paths(event)
    if choice == 0 and paths:
        _set(event, rng.choice(paths), _DROP)
    elif choice <= 3 and paths:
        _set(event, rng.choice(paths), rng.choice(HOSTILE_VALUES))
    elif choice == 4:
        event["type"] = rng.choice(known["types"] + ["law.vetoed", "", None])
    elif choice == 5:
        event["item"] = f"fz-{rng.randrange(10**6)}"
    elif choice == 6 and known["links"]:
        link = rng.choice(known["links"])  # the reverse of a stored link: a cycle, or not
        event.update(type="link.added", item=link[1], data={"to": link[0], "relation": link[2]})
    elif choice == 7 and known["retractions"]:
        event.update(type="event.retracted", data={"retracted": rng.choice(known["retractions"])})
        event["data"]["reason"] = "The retraction was wrong."
    elif choice == 8:
        event["recorded_at"] = rng.choice(
            ["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "yesterday", 12.5, None]
        )
    else:
        event["schema"] = rng.choice([0, 1, 2, 99, "1", None])


def mutate_text(rng: random.Random, text: str) -> str:
    """One byte-level mutation of a whole file's text."""
    choice = rng.randrange(7)
    position = rng.randrange(len(text) + 1)
    if choice == 0:
        return "\ufeff" + text
    if choice == 1:
        return text[:position]
    if choice == 2:
        return (
            text[:position]
            + rng.choice(["\x00", "\r", "\u202e", "\\", '"', "{", "\n"])
            + text[position:]
        )
    if choice == 3:
        return text[:position] + text[position + rng.randrange(1, 40) :]
    if choice == 4:
        lines = text.split("\n")
        line = rng.randrange(len(lines))
        return "\n".join(lines[: line + 1] + lines[line:])
    if choice == 5:  # a key given twice: the parsers would keep the last
        return text.replace('"item":', '"item":"fz-dup","item":', 1)
    return text[:position] + chr(rng.randrange(0x20, 0x3000)) + text[position:]


def corpus_files() -> list[Path]:
    """The kept corpus's inputs: hostile files to mutate further."""
    return sorted(
        path
        for folder in ("refused", "accepted")
        for path in (CORPUS / folder).iterdir()
        if path.suffix in {".yaml", ".jsonl"}
    )


def build_file(
    rng: random.Random,
    exported: list[dict[str, Any]],
    known: dict[str, list[str]],
    folder: Path,
    corpus: list[Path],
) -> Path:
    if corpus and rng.random() < 0.1:  # a kept hostile file, mutated a little more
        seed = rng.choice(corpus)
        data = seed.read_bytes()
        if rng.random() < 0.7:
            text = data.decode("utf-8", errors="surrogateescape")
            data = mutate_text(rng, text).encode("utf-8", errors="surrogateescape")
        path = folder / f"corpus{seed.suffix}"
        path.write_bytes(data)
        return path
    events = [json.loads(json.dumps(e)) for e in rng.sample(exported, rng.randint(1, 5))]
    for event in events:
        for key in ("position", "version", "prev_hash", "hash"):
            event.pop(key, None)
        if rng.random() < 0.6:  # a new event: past the id check, into validation and the store
            event["id"] = str(uuid.uuid4())
            event.pop("recorded_at", None)
        for _ in range(rng.randint(0, 3)):
            mutate_event(rng, event, known)
    if rng.random() < 0.3:
        path = folder / "fuzz.yaml"
        text = yaml.safe_dump(events, allow_unicode=True, sort_keys=False)
    else:
        path = folder / "fuzz.jsonl"
        text = "".join(json.dumps(e, ensure_ascii=rng.random() < 0.5) + "\n" for e in events)
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        text = mutate_text(rng, text)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


# -- the checks -----------------------------------------------------------------------------------


class Fuzzer:
    def __init__(self, url: str, out: Path, seed: int) -> None:
        self.url, self.out, self.seed = url, out, seed
        self.store = open_store(url)
        self.problems: list[str] = []
        self.outcomes: Counter[str] = Counter()

    def keep(self, path: Path, why: str, round_: int) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        kept = self.out / f"problem-{self.seed}-{round_}{path.suffix}"
        shutil.copyfile(path, kept)
        self.problems.append(f"round {round_}: {why} (input kept in {kept})")

    def through_library(self, path: Path, round_: int) -> None:
        before, count = digest(self.store), self.store.count()
        try:
            import_files(self.store, [path])
        except LedgerError as error:
            self.outcomes[f"refused: {type(error).__name__}"] += 1
            if (digest(self.store), self.store.count()) != (before, count):
                self.keep(path, f"refused ({error}) but the digest changed", round_)
            return
        except Exception:  # noqa: BLE001 - a traceback is what we are looking for
            self.keep(path, "traceback:\n" + traceback.format_exc(), round_)
            return
        self.outcomes["accepted"] += 1
        try:
            verify(self.store)
        except LedgerError as error:
            self.keep(path, f"accepted, then verify failed: {error}", round_)

    def through_cli(self, path: Path, round_: int) -> None:
        before = digest(self.store)
        done = subprocess.run(
            [str(SCRIPT), "--db", self.url, "import", str(path)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        self.outcomes[f"cli exit {done.returncode}"] += 1
        if "Traceback" in done.stdout + done.stderr or done.returncode not in CLI_EXITS:
            self.keep(path, f"command line exit {done.returncode}:\n{done.stderr}", round_)
        elif done.returncode and any(
            not line.startswith("error: ") for line in done.stderr.splitlines()
        ):
            self.keep(path, f"an error line without 'error: ':\n{done.stderr}", round_)
        elif done.returncode and digest(self.store) != before:
            self.keep(path, "refused on the command line but the digest changed", round_)


def seed_ledger(folder: Path, url: str | None) -> str:
    url = url or f"sqlite:///{folder / 'fuzz.db'}"
    store = open_store(url, create=True)
    try:
        if store.count() == 0:
            load_dataset(store)
    finally:
        store.close()
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to run")
    parser.add_argument("--iterations", type=int, default=None, help="stop after this many")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--cli-every", type=int, default=25, help="every Nth round by CLI; 0 never")
    parser.add_argument("--db", default=None, help="ledger URL to fuzz (default: a temp SQLite)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fuzz")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)

    with tempfile.TemporaryDirectory(prefix="reform-ledger-fuzz-") as temp:
        folder = Path(temp)
        url = seed_ledger(folder, args.db)
        fuzzer = Fuzzer(url, args.out, seed)
        exported = [loads(line) for line in "".join(export_events(fuzzer.store)).splitlines()]
        known = {
            "types": sorted({e["type"] for e in exported}),
            "links": [
                (e["item"], e["data"]["to"], e["data"]["relation"])
                for e in exported
                if e["type"] == "link.added" and "to" in e["data"]
            ],
            "retractions": [e["id"] for e in exported if e["type"] == "event.retracted"],
        }
        corpus = corpus_files()
        deadline = time.monotonic() + args.minutes * 60
        rounds = 0
        while time.monotonic() < deadline and (args.iterations is None or rounds < args.iterations):
            rounds += 1
            path = build_file(rng, exported, known, folder, corpus)
            if args.cli_every and rounds % args.cli_every == 0:
                fuzzer.through_cli(path, rounds)
            else:
                fuzzer.through_library(path, rounds)
        status(fuzzer.store)  # the projection still folds whatever was accepted
        verify(fuzzer.store)
        fuzzer.store.close()

    print(f"seed {seed}: {rounds} rounds, {len(fuzzer.problems)} problems")
    for outcome, count in sorted(fuzzer.outcomes.items()):
        print(f"  {count:>7}  {outcome}")
    for problem in fuzzer.problems:
        print(f"PROBLEM {problem}")
    return 1 if fuzzer.problems else 0


if __name__ == "__main__":
    sys.exit(main())
