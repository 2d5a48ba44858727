"""``types`` and ``record TYPE --help``: which fields, and so which options, each type takes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from cli import app
from events import event_types, type_doc

#: Options every event takes, whatever its type.
ENVELOPE = {
    "--item",
    "--effective",
    "--document",
    "--locator",
    "--quote",
    "--url",
    "--id",
    "--expected-version",
    "--set",
    "--help",
}
#: Payload fields whose repeatable option has another name.
LIST_OPTIONS = {"articles": "--article", "votes": "--vote"}
WIDE = {"COLUMNS": "400"}


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env=WIDE)


def options(help_text: str) -> list[str]:
    """The options a help screen lists, in order."""
    return re.findall(r"^│\s+(?:\*\s+)?(--[a-z][a-z-]*)", help_text, re.M)


def rows(table: str) -> list[list[str]]:
    """The cells of each body row of a table ``types`` printed."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in table.splitlines()
        if line.startswith("│")
    ]


def payload_options() -> set[str]:
    """Every payload option ``record`` has (some fields only take ``--set``)."""
    return set(options(invoke("record", "--help").stdout)) - ENVELOPE


def test_types_lists_every_type_with_what_it_records():
    result = invoke("types")
    assert result.exit_code == 0, result.output
    listed = {row[0]: row for row in rows(result.stdout)}
    assert sorted(listed) == event_types()
    assert listed["link.added"][1:] == [
        "any item",
        "A relation from this event's item to another item.",
    ]
    assert listed["law.signed"][1] == "a law; can be its first event"
    assert result.stderr == "the fields of one type: reform-ledger types TYPE\n"


@pytest.mark.parametrize("type_name", event_types())
def test_types_type_shows_exactly_its_fields_with_meaning_and_values(type_name):
    result = invoke("types", type_name)
    assert result.exit_code == 0, result.output
    doc = type_doc(type_name)
    expected = []
    for field in doc.fields:
        need = "required" if field.required else "optional"
        expected.append([field.name, *options_of(field.name), need, field.shape, field.meaning])
        for part in field.parts:
            need = "required" if part.required else "optional"
            expected.append([f"{field.name}.{part.name}", "", need, part.shape, part.meaning])
    assert rows(result.stdout) == expected
    assert result.stdout.splitlines()[0] == f"{type_name}: {doc.summary}"


def options_of(field: str) -> list[str]:
    option = LIST_OPTIONS.get(field, f"--{field}")
    return [option if option in payload_options() else f"--set {field}=…"]


def test_types_shows_allowed_values_and_required_fields():
    table = rows(invoke("types", "promise.revised").stdout)
    assert table[0] == [
        "change",
        "--change",
        "required",
        "one of: scope_cut, deadline_moved, target_changed, restated",
        "What kind of revision; a scope cut makes the promise partial at best.",
    ]
    assert table[2][:3] == ["deadline", "--deadline", "optional"]


def test_types_json_is_the_catalogue():
    listing = json.loads(invoke("types", "--json").stdout)
    assert [entry["type"] for entry in listing] == event_types()
    one = json.loads(invoke("types", "assessment.recorded", "--json").stdout)
    assert one == type_doc("assessment.recorded").to_dict()
    assert one["fields"][1]["name"] == "verdict" and "delivered" in one["fields"][1]["values"]


def test_an_unknown_type_is_refused_by_types_and_by_record_help():
    known = ", ".join(event_types())
    for args in (["types", "law.vetoed"], ["record", "law.vetoed", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 3
        assert result.stderr == f"error: unknown event type 'law.vetoed' (known: {known})\n"
        assert result.stdout == ""


def test_record_help_says_which_types_take_each_option():
    text = invoke("record", "--help").stdout
    assert "record TYPE --help" in text and "types TYPE" in text
    lines = {option: line for line in text.splitlines() for option in options(line)}
    assert lines["--relation"].rstrip("│ ").endswith("For link.added.")
    # every law stage but law.stalled, which says only how the work stopped
    assert lines["--chamber"].rstrip("│ ").endswith("For law.* but law.stalled.")
    assert "amendment.* but amendment.stalled, law.* but law.stalled," in lines["--title"]


@pytest.mark.parametrize("type_name", event_types())
def test_record_type_help_lists_exactly_that_types_options(type_name):
    result = invoke("record", type_name, "--help")
    assert result.exit_code == 0, result.output
    doc = type_doc(type_name)
    own = {LIST_OPTIONS.get(f.name, f"--{f.name}") for f in doc.fields} & payload_options()
    shown = options(result.stdout)
    assert set(shown) == ENVELOPE | own
    lines = {option: line for line in result.stdout.splitlines() for option in options(line)}
    for field in doc.fields:
        option = LIST_OPTIONS.get(field.name, f"--{field.name}")
        if option in own:
            assert field.meaning in lines[option]
            assert ("[required]" in lines[option]) == field.required
            for value in field.values:
                assert value in lines[option]
    assert re.search(
        rf"^ Example: reform-ledger record {re.escape(type_name)} ", result.stdout, re.M
    )


def test_record_type_help_explains_fields_without_an_option():
    text = invoke("record", "promise.made", "--help").stdout
    assert "target (optional, --set target=… in YAML): A measurable goal" in text
    assert "target.direction: Whether keeping the promise moves the measure up or down. " in text
    assert "One of: up, down." in text


def test_record_type_help_with_other_options_given_still_finds_the_type():
    text = invoke("record", "--item", "law.signed", "link.added", "--help").stdout
    assert "Append one link.added event." in text
    assert "--to" in options(text) and "--title" not in options(text)
