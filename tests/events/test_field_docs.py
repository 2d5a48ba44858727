"""Field descriptions live on the event models, and docs/events.md agrees with them.

``types`` and ``record TYPE --help`` print what ``events.type_doc`` reads from the models;
these tests make sure there is something to print for every field, and that the docs'
table of event types lists exactly each type's fields, marking the optional ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from events import event_types, type_doc, type_docs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_types() -> dict[str, dict[str, bool]]:
    """From the docs' table of event types: each type's fields, and whether required.

    A row names one type, or a family such as ``law.drafted`` / ``.passed``; a field is
    listed as ``name`` (required) or ``name?`` (optional), with allowed values or notes
    in parentheses after it.
    """
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("## Event types", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, dict[str, bool]] = {}
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        names = re.findall(r"`([a-z_]*\.[a-z_]+)`", cells[0]) if len(cells) > 2 else []
        if not names:
            continue
        family = names[0].partition(".")[0]
        types = [name if name[0] != "." else family + name for name in names]
        listed = re.sub(r"\([^)]*\)", "", cells[1])
        fields = {}
        for entry in listed.split(","):
            entry = entry.strip()
            fields[entry.rstrip("?")] = not entry.endswith("?")
        for name in types:
            documented[name] = fields
    return documented


@pytest.mark.parametrize("type_name", event_types())
def test_every_type_and_field_says_what_it_means(type_name):
    doc = type_doc(type_name)
    assert doc.summary, f"{type_name}: give the event class a docstring"
    for field in doc.fields:
        assert field.meaning, f"{type_name}.{field.name}: add Field(description=...)"
        assert field.meaning.endswith("."), f"{type_name}.{field.name}: one sentence"
        for part in field.parts:
            assert part.meaning, f"{type_name}.{field.name}.{part.name}: add a description"


def test_the_catalogue_reads_required_fields_and_allowed_values_from_the_models():
    made = {f.name: f for f in type_doc("promise.made").fields}
    assert [name for name, f in made.items() if f.required] == [
        "title",
        "statement",
        "actor",
        "area",
    ]
    assert made["deadline"].shape.startswith("a date")
    assert [p.name for p in made["target"].parts] == [
        "metric",
        "unit",
        "baseline",
        "baseline_date",
        "goal",
        "direction",
    ]
    assert {f.name: f.values for f in type_doc("promise.revised").fields}["change"] == (
        "scope_cut",
        "deadline_moved",
        "target_changed",
        "restated",
    )
    link = {f.name: f for f in type_doc("link.added").fields}
    assert link["to"].shape == "an item id" and "implements" in link["relation"].values
    assert {f.name: f.shape for f in type_doc("event.retracted").fields}["retracted"] == (
        "an event id (UUID)"
    )
    assert [d.name for d in type_docs()] == event_types()


def test_docs_list_every_type_with_exactly_its_fields():
    documented = documented_types()
    assert sorted(documented) == event_types()
    for doc in type_docs():
        fields = {field.name: field.required for field in doc.fields}
        assert documented[doc.name] == fields, doc.name


def test_docs_describe_every_part_of_a_nested_field():
    text = DOCS.read_text(encoding="utf-8")
    for type_name in event_types():
        for field in type_doc(type_name).fields:
            if field.parts:
                sentence = re.search(rf"A `{field.name}` is `\{{([^}}]*)\}}`", text)
                assert sentence, f"docs/events.md: describe the parts of {field.name}"
                parts = [p.strip() for p in sentence.group(1).split(",")]
                assert parts == [p.name for p in field.parts]
