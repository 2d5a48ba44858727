"""The bundled dataset is exact: every quote is verbatim, every item cited, every link real,
and its five documents are registered as sources with what the seed documents say of them.

Quotes (the registrations' too) are checked against the shipped copies of the five
documents after folding whitespace and typographic quotes, and nothing else, by the
editors' own checker (``tools/check_dataset.py``), so the tests and the editors apply one
rule.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ledger import load_dataset, read_dataset, read_sources, source_registry, verify
from ledger.datasets import dataset_dir
from ledger.importing import read_raw_events
from tools.check_dataset import check_quotes, fold_quote_text
from tools.dataset_coverage import coverage_markdown

FOLDER = dataset_dir()
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
RAWS, PLACES = read_dataset()
CATALOGUE = yaml.safe_load((FOLDER / "catalogue.yaml").read_text(encoding="utf-8"))
SOURCES = read_sources()
REGISTRATIONS = [raw for raw in RAWS if raw["type"] == "source.registered"]
EVENTS = [raw for raw in RAWS if raw["type"] != "source.registered"]
DOCUMENTS = {
    name: fold_quote_text((FOLDER / "sources" / name).read_text(encoding="utf-8"))
    for name in SOURCES
}


def test_it_is_large_enough():
    assert len({raw["item"] for raw in RAWS}) >= 80
    assert len(RAWS) >= 300


def test_every_quote_is_verbatim_short_and_located():
    assert check_quotes(FOLDER) == []


def test_the_quote_check_names_each_problem(tmp_path):
    (tmp_path / "sources").mkdir()
    long = " ".join(["word"] * 41)
    document = f"The “new” law\nwas signed. {long}."
    (tmp_path / "sources" / "doc.txt").write_text(document, encoding="utf-8")
    (tmp_path / "events").mkdir()
    event = "  source: {{document: {doc}, locator: '{locator}', quote: '{quote}'}}\n"
    (tmp_path / "events" / "a.yaml").write_text(
        "- item: fine\n"
        + event.format(doc="doc.txt", locator="p. 1", quote='The "new" law was signed.')
        + "- item: misquoted\n"
        + event.format(doc="doc.txt", locator="p. 1", quote="The old law")
        + "- item: unknown-document\n"
        + event.format(doc="other.txt", locator="p. 1", quote="law")
        + "- item: unlocated\n"
        + event.format(doc="doc.txt", locator=" ", quote="law")
        + "- item: long\n"
        + event.format(doc="doc.txt", locator="p. 1", quote=long),
        encoding="utf-8",
    )
    assert check_quotes(tmp_path) == [
        "a.yaml:3 (misquoted): quote not found verbatim in doc.txt: 'The old law'",
        "a.yaml:5 (unknown-document): no source document 'other.txt'",
        "a.yaml:7 (unlocated): no locator (where in doc.txt the quote is)",
        "a.yaml:9 (long): quote has 41 words (at most 40)",
    ]


def test_folding_touches_only_whitespace_and_typographic_quotes():
    assert fold_quote_text("“a”  ‘b’\n c—d") == "\"a\" 'b' c—d"


def test_shipped_documents_are_the_seed_documents():
    for name in SOURCES:
        shipped = (FOLDER / "sources" / name).read_bytes()
        if SEEDS.is_dir():
            assert shipped == (SEEDS / name).read_bytes(), name


def test_every_catalogue_item_has_a_cited_event_and_every_event_a_catalogue_item():
    catalogued = {entry["id"] for entry in CATALOGUE}
    used = {raw["item"] for raw in EVENTS}
    assert catalogued - used == set(), "catalogue items without events"
    assert used - catalogued == set(), "events for items missing from the catalogue"


def test_catalogue_kinds_match_the_events():
    first_type = {}
    for raw in EVENTS:
        first_type.setdefault(raw["item"], raw["type"])
    for entry in CATALOGUE:
        assert first_type[entry["id"]].split(".")[0] == entry["kind"], entry["id"]


def test_ids_are_unique_and_files_sorted_by_item_groups():
    ids = Counter(raw["id"] for raw in RAWS)
    assert [i for i, n in ids.items() if n > 1] == []
    for path in sorted((FOLDER / "events").glob("*.yaml")):
        assert read_raw_events(path), path


def test_knowledge_time_is_the_sources_registered_knowledge_time():
    for raw in RAWS:
        assert raw["recorded_at"] == SOURCES[raw["source"]["document"]].recorded_at
    for source in SOURCES.values():  # the day it was certainly public: not before publication
        assert source.recorded_at[: len(source.published)] >= source.published


def test_each_shipped_document_is_registered_once_and_before_it_is_cited():
    shipped = sorted(path.name for path in (FOLDER / "sources").glob("*.txt"))
    assert sorted(raw["item"] for raw in REGISTRATIONS) == shipped == sorted(SOURCES)
    seen: set[str] = set()
    for raw in RAWS:  # in append order
        if raw["type"] == "source.registered":
            seen.add(raw["item"])
        else:
            assert raw["source"]["document"] in seen, raw["id"]


def _seed_table() -> dict[str, str]:
    """Each document's row of shared/seeds/SOURCES.md (empty when the seeds are absent)."""
    path = SEEDS / "SOURCES.md"
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("|")[1].strip(): line for line in lines if line.startswith("| 00")}


SEED_TABLE = _seed_table()
RAW_TEXTS = {name: (FOLDER / "sources" / name).read_text(encoding="utf-8") for name in SOURCES}


@pytest.mark.parametrize("raw", REGISTRATIONS, ids=[raw["item"] for raw in REGISTRATIONS])
def test_a_registration_says_what_the_seeds_say(raw):
    """Titles, authors and kinds as shared/seeds/SOURCES.md gives them; a URL only where a
    seed document gives it; the language the documents are written in."""
    assert raw["source"]["document"] == raw["item"]
    assert raw["language"] == "en"
    assert raw["kind"] in {"think_tank", "academic", "news", "other"}
    assert raw["short_title"] and len(raw["short_title"]) <= 80
    if raw.get("url"):
        assert any(raw["url"] in text for text in RAW_TEXTS.values()), raw["url"]
    if SEED_TABLE:
        row = fold_quote_text(SEED_TABLE[raw["item"]])
        assert fold_quote_text(raw["title"]) in row
        for name in (raw.get("author"), raw.get("publisher")):
            if name:  # every name in it comes from the seed table's author/publisher column
                first_words = fold_quote_text(name).split(" (")[0].split(",")[0]
                assert first_words in row, name


def test_the_loaded_ledger_names_its_sources_by_title(empty_store):
    load_dataset(empty_store)
    registry = source_registry(empty_store)
    assert {name: registry[name].title for name in SOURCES} == {
        name: source.title for name, source in SOURCES.items()
    }
    assert registry["002_519e149e0c1c236e.txt"].label == "ECFR (2022)"
    assert registry["000_b611782a6a61558e.txt"].url.startswith("https://www.isdp.eu/")
    assert [name for name in SOURCES if registry[name].url] == ["000_b611782a6a61558e.txt"]
    assert verify(empty_store).unregistered == {}


def test_the_loaded_ledger_verifies_and_loading_twice_adds_nothing(empty_store):
    first = load_dataset(empty_store)
    assert len(first.appended) == len(RAWS) == len(EVENTS) + 5
    report = verify(empty_store)
    again = load_dataset(empty_store)
    assert (len(again.appended), again.skipped) == (0, len(RAWS))
    assert verify(empty_store).digest == report.digest


def test_the_coverage_tables_in_the_docs_are_current():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "dataset.md").read_text("utf-8")
    assert coverage_markdown() in docs, "run: python tools/dataset_coverage.py"


def test_the_coverage_tool_runs_as_a_script_from_any_folder(tmp_path):
    root = Path(__file__).resolve().parents[2]
    copy = tmp_path / "dataset.md"
    copy.write_text((root / "docs" / "dataset.md").read_text("utf-8"), encoding="utf-8")
    script = root / "tools" / "dataset_coverage.py"
    result = subprocess.run(
        [sys.executable, str(script), str(copy)], cwd=tmp_path, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout) == (0, f"{copy}: already current\n"), result.stderr
