"""The bundled dataset is exact: every quote is verbatim, every item cited, every link real.

Quotes are checked against the shipped copies of the five documents after folding
whitespace and typographic quotes, and nothing else.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from ledger import load_dataset, read_dataset, read_sources, verify
from ledger.datasets import dataset_dir, fold_quote_text
from ledger.importing import read_raw_events

FOLDER = dataset_dir()
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
RAWS, PLACES = read_dataset()
CATALOGUE = yaml.safe_load((FOLDER / "catalogue.yaml").read_text(encoding="utf-8"))
SOURCES = read_sources()
DOCUMENTS = {
    name: fold_quote_text((FOLDER / "sources" / name).read_text(encoding="utf-8"))
    for name in SOURCES
}


def test_it_is_large_enough():
    assert len({raw["item"] for raw in RAWS}) >= 80
    assert len(RAWS) >= 300


@pytest.mark.parametrize(("raw", "place"), list(zip(RAWS, PLACES, strict=True)), ids=PLACES)
def test_every_quote_is_verbatim_and_short(raw, place):
    source = raw["source"]
    assert fold_quote_text(source["quote"]) in DOCUMENTS[source["document"]], place
    assert len(source["quote"].split()) <= 40, place
    assert source["locator"].strip(), place


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
    from ledger.datasets.coverage import coverage_markdown

    docs = (Path(__file__).resolve().parents[2] / "docs" / "dataset.md").read_text("utf-8")
    assert coverage_markdown() in docs, "run: python -m ledger.datasets.coverage"
