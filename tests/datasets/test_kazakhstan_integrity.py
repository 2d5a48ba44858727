"""The bundled dataset is exact: every quote is verbatim, every item cited, every link real.

Quotes are checked against the shipped copies of the five documents after folding
whitespace and typographic quotes, and nothing else, by the editors' own checker
(``tools/check_dataset.py``), so the tests and the editors apply one rule.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

from ledger import load_dataset, read_dataset, read_sources, verify
from ledger.datasets import dataset_dir
from ledger.importing import read_raw_events
from tools.check_dataset import check_quotes, fold_quote_text
from tools.dataset_coverage import coverage_markdown

FOLDER = dataset_dir()
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
RAWS, PLACES = read_dataset()
CATALOGUE = yaml.safe_load((FOLDER / "catalogue.yaml").read_text(encoding="utf-8"))
SOURCES = read_sources()


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
    used = {raw["item"] for raw in RAWS}
    assert catalogued - used == set(), "catalogue items without events"
    assert used - catalogued == set(), "events for items missing from the catalogue"


def test_catalogue_kinds_match_the_events():
    first_type = {}
    for raw in RAWS:
        first_type.setdefault(raw["item"], raw["type"])
    for entry in CATALOGUE:
        assert first_type[entry["id"]].split(".")[0] == entry["kind"], entry["id"]


def test_ids_are_unique_and_files_sorted_by_item_groups():
    ids = Counter(raw["id"] for raw in RAWS)
    assert [i for i, n in ids.items() if n > 1] == []
    for path in sorted((FOLDER / "events").glob("*.yaml")):
        assert read_raw_events(path), path


def test_knowledge_time_is_the_sources_publication_date():
    for raw in RAWS:
        assert raw["recorded_at"] == SOURCES[raw["source"]["document"]].published


def test_the_loaded_ledger_verifies_and_loading_twice_adds_nothing(store):
    first = load_dataset(store)
    assert len(first.appended) == len(RAWS)
    report = verify(store)
    again = load_dataset(store)
    assert (len(again.appended), again.skipped) == (0, len(RAWS))
    assert verify(store).digest == report.digest


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
