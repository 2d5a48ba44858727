"""What text fields may hold, how long they may be, and every validation message's wording.

Each kind of pydantic error has its own message in the ledger's words (events.registry
``describe_error``); each is checked here by the exact line a user sees.
"""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from events import InvalidInput, InvalidInputs, escape_invisible_json, parse_event, show_invisible
from events.text import INVISIBLE, first_refused

SOURCE = {"document": "address.txt", "locator": "Section 2", "quote": "we will"}
PROMISE = {
    "type": "promise.made",
    "item": "p1",
    "effective": "2022-03-16",
    "source": SOURCE,
    "title": "Cut party signatures",
    "statement": "From 20,000 to 5,000.",
    "actor": "President",
    "area": "parties",
}
UUID_HINT = "must be a UUID (like 8c1f0d9e-1111-4111-8111-111111111111)"


def refused(raw: dict[str, object]) -> list[str]:
    """The lines a user is shown for this raw event."""
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw)
    return caught.value.lines()


def one(raw: dict[str, object]) -> str:
    lines = refused(raw)
    assert len(lines) == 1, lines
    return lines[0]


# -- the invisible characters ---------------------------------------------------------------------


def test_the_refused_set_is_every_format_character_but_the_joiners_and_the_c1_controls():
    """The list in events.text is written out (so both regex engines agree); it must cover
    every Cf character this Python knows, and hold nothing visible."""
    listed = {chr(c) for c in range(sys.maxunicode + 1) if INVISIBLE.match(chr(c))}
    format_chars = {
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
    }
    controls = {chr(c) for c in range(0x80, 0xA0)}
    assert format_chars - {"\u200c", "\u200d"} <= listed
    assert "\u200c" not in listed and "\u200d" not in listed
    unassigned = {c for c in listed if unicodedata.category(c) == "Cn"}  # newer Unicode's Cf
    assert listed - unassigned == (format_chars - {"\u200c", "\u200d"}) | controls


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
    + ["\u200e", "\u200f", "\u061c", "\u200b", "\u2060", "\ufeff", "\u00ad", "\U000e0041"],
)
@pytest.mark.parametrize(
    "field", ["title", "statement", "actor", "source.quote", "source.locator", "source.document"]
)
def test_invisible_characters_are_refused_in_every_text_field(field: str, char: str) -> None:
    raw = json.loads(json.dumps(PROMISE))
    where, _, name = field.rpartition(".")
    target = raw[where] if where else raw
    target[name] = f"we{char} will"
    described = f"U+{ord(char):04X} {unicodedata.name(char)}"
    assert one(raw) == (
        f"field {field!r}: contains an invisible character ({described}); "
        "format characters other than ZWNJ and ZWJ are not allowed"
    )


def test_the_joiners_scripts_need_are_kept():
    persian = "می\u200cخواهم"  # ZWNJ between the prefix and the verb
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # ZWJ sequence
    event = parse_event(
        {**PROMISE, "title": persian, "statement": family, "source": {**SOURCE, "quote": persian}}
    )
    assert (event.title, event.statement, event.source.quote) == (persian, family, persian)


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80"])
def test_c1_controls_are_refused_as_control_characters(char: str) -> None:
    assert one({**PROMISE, "statement": f"a{char}b"}) == (
        f"field 'statement': contains a control character (U+{ord(char):04X})"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Cut\nparty signatures"),
        ("actor", "The\u2028President"),
        ("area", "parties\u2029" + "x"),
    ],
)
def test_a_one_line_field_refuses_line_breaks(field: str, value: str) -> None:
    char = next(c for c in value if c in "\n\u2028\u2029")
    name = unicodedata.name(char, "")
    described = f"U+{ord(char):04X} {name}".rstrip()
    assert one({**PROMISE, field: value}) == (
        f"field {field!r}: is one line; a line break ({described}) is not allowed"
    )


def test_locators_and_documents_are_one_line_too():
    assert one({**PROMISE, "source": {**SOURCE, "locator": "Section\n2"}}) == (
        "field 'source.locator': is one line; a line break (U+000A) is not allowed"
    )


def test_long_text_keeps_its_lines_and_tabs():
    event = parse_event({**PROMISE, "statement": "First.\n\nSecond,\tindented."})
    assert event.statement == "First.\n\nSecond,\tindented."
    assert parse_event({**PROMISE, "title": "A\ttab"}).title == "A\ttab"


def test_first_refused_agrees_with_validation():
    assert first_refused("ok\nfine", one_line=False) is None
    assert first_refused("ok\nfine", one_line=True) == "\n"
    assert first_refused("a\u202eb\x07", one_line=False) == "\u202e"
    assert first_refused("a\u200db", one_line=True) is None


def test_show_invisible_and_the_json_escape():
    assert show_invisible("abc\u202edef\u200d") == "abc<U+202E>def\u200d"
    assert show_invisible("\U000e0041") == "<U+E0041>"
    text = json.dumps({"t": "a\u2066b\U000e0041\x9b"}, ensure_ascii=False)
    escaped = escape_invisible_json(text)
    assert not INVISIBLE.search(escaped)
    assert json.loads(escaped) == json.loads(text)


# -- sizes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "field", "limit", "fields"),
    [
        ("promise.made", "title", 1_000, {}),
        ("law.signed", "title", 1_000, {}),
        ("promise.made", "statement", 20_000, {}),
        ("promise.revised", "summary", 20_000, {"change": "restated"}),
        ("law.passed", "summary", 20_000, {}),
        ("assessment.recorded", "rationale", 20_000, {"assessor": "NGO", "verdict": "broken"}),
        ("promise.abandoned", "reason", 20_000, {}),
        ("milestone.reached", "what", 20_000, {}),
        ("promise.made", "actor", 300, {}),
    ],
)
def test_fields_are_sized_for_real_documents(
    type_name: str, field: str, limit: int, fields: dict[str, str]
) -> None:
    base = (
        dict(PROMISE)
        if type_name == "promise.made"
        else {
            "type": type_name,
            "item": "x1",
            "effective": "2022",
            "source": SOURCE,
            **fields,
        }
    )
    if type_name == "milestone.reached":
        base["what"] = "placeholder"
    at_limit = parse_event({**base, "type": type_name, field: "w" * limit})
    assert len(getattr(at_limit, field)) == limit
    assert one({**base, "type": type_name, field: "w" * (limit + 1)}) == (
        f"field {field!r}: is {limit + 1:,} characters long; at most {limit:,} are allowed"
    )


def test_a_real_425_character_bill_title_is_accepted():
    title = (
        "On Amendments and Additions to Certain Legislative Acts of the Republic of "
        "Kazakhstan on the Improvement of the Procedure for the Formation and Activities "
        "of Political Parties, the Conduct of Elections and Referendums, the Strengthening "
        "of the Role of Representative Bodies, the Protection of Human Rights, and the "
        "Further Development of the System of Public Administration and Local "
        "Self-Government in Accordance with the Amendments to the Constitution Adopted "
        "at the Republican Referendum of 5 June 2022"
    )
    assert len(title) > 400
    law = {"type": "law.signed", "item": "l1", "effective": "2022-11", "source": SOURCE}
    assert parse_event({**law, "title": title}).title == title


def test_urls_may_be_long():
    url = "https://adilet.zan.kz/rus/docs/Z2200000140?" + "q=1&" * 300
    event = parse_event({**PROMISE, "source": {**SOURCE, "url": url[:2000]}})
    assert event.source.url == url[:2000]


# -- the deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effective", "deadline", "ok"),
    [
        ("2022-03-16", "2021-12-31", False),
        ("2022-03-16", "2022-03-15", False),
        ("2022-03-16", "2021", False),
        ("2022-03-16", "2022-03-16", True),
        ("2022-03-16", "2022-03", True),  # the month it was made: the span overlaps
        ("2022-03", "2022-03-01", True),
        ("2022", "2021-12", False),
        ("2022-03-16", "2025", True),
    ],
)
def test_a_deadline_before_the_promise_is_made_is_refused(
    effective: str, deadline: str, ok: bool
) -> None:
    raw = {**PROMISE, "effective": effective, "deadline": deadline}
    if ok:
        assert parse_event(raw).deadline == deadline
        return
    assert one(raw) == (
        f"field 'deadline': {deadline} is before the promise was made ({effective}); "
        "a deadline may not end before the promise's date"
    )


# -- every kind of message, in the ledger's own words -------------------------------------------

LINK = {"type": "link.added", "item": "l1", "effective": "2022", "source": SOURCE}
MEASURE = {
    "type": "measurement.recorded",
    "item": "p1",
    "effective": "2022",
    "source": SOURCE,
    "metric": "parties",
    "unit": "parties",
    "period": "2022",
    "value": 5,
}
TARGET = {
    "metric": "m",
    "unit": "u",
    "baseline": 1,
    "baseline_date": "2022",
    "goal": 5,
    "direction": "up",
}


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        pytest.param(
            {k: v for k, v in PROMISE.items() if k != "title"},
            "field 'title': required field is missing",
            id="missing",
        ),
        pytest.param(
            {**PROMISE, "colour": "red"},
            "field 'colour': promise.made has no such field "
            "(its fields: actor, area, deadline, package, statement, target, title)",
            id="extra_forbidden",
        ),
        pytest.param(
            {**PROMISE, "source": {**SOURCE, "page": 3}},
            "field 'source.page': source has no such field "
            "(its fields: document, locator, published, quote, url)",
            id="extra_forbidden-nested",
        ),
        pytest.param({**PROMISE, "title": 5}, "field 'title': must be text", id="string_type"),
        pytest.param(
            {**PROMISE, "title": "  "}, "field 'title': must not be empty", id="string_too_short"
        ),
        pytest.param(
            {**PROMISE, "actor": "a" * 301},
            "field 'actor': is 301 characters long; at most 300 are allowed",
            id="string_too_long",
        ),
        pytest.param(
            {**PROMISE, "item": "Not A Slug"},
            "field 'item': 'Not A Slug' is not an item id "
            "(lowercase letters, digits, '.', '_' and '-'; at most 120)",
            id="string_pattern_mismatch-slug",
        ),
        pytest.param(
            {**LINK, "to": "p" * 200, "relation": "implements"},
            f"field 'to': {repr('p' * 200)[:57]}… is not an item id "
            "(lowercase letters, digits, '.', '_' and '-'; at most 120)",
            id="long-input-is-cut-short",
        ),
        pytest.param(
            {**LINK, "to": "p1", "relation": "likes"},
            "field 'relation': 'likes' is not allowed (use one of: implements, "
            "partially_implements, part_of, supersedes, split_from, reverses, relates_to)",
            id="literal_error",
        ),
        pytest.param(
            {**MEASURE, "value": "many"}, "field 'value': must be a number", id="float_parsing"
        ),
        pytest.param({**MEASURE, "value": [1]}, "field 'value': must be a number", id="float_type"),
        pytest.param(
            {**MEASURE, "value": float("inf")},
            "field 'value': must be a finite number (not infinity or NaN)",
            id="finite_number",
        ),
        pytest.param({**PROMISE, "id": "42"}, f"field 'id': {UUID_HINT}", id="uuid_parsing"),
        pytest.param({**PROMISE, "id": 42}, f"field 'id': {UUID_HINT}", id="uuid_type"),
        pytest.param(
            {**PROMISE, "recorded_at": "yesterday"},
            "field 'recorded_at': 'yesterday' is not a date and time "
            "(ISO 8601, like 2024-05-01T12:00:00Z)",
            id="recorded_at-text",
        ),
        pytest.param(
            {**PROMISE, "recorded_at": 12.5},
            "field 'recorded_at': 12.5 is not a date and time "
            "(ISO 8601, like 2024-05-01T12:00:00Z)",
            id="recorded_at-number-is-not-unix-time",
        ),
        pytest.param(
            {**PROMISE, "source": "address.txt"},
            "field 'source': must be a mapping of fields",
            id="model_type",
        ),
        pytest.param(
            {**PROMISE, "target": {**TARGET, "goal": 0}},
            "field 'target': goal 0 does not lie up from baseline 1",
            id="value_error-model",
        ),
        pytest.param(
            {**PROMISE, "effective": "2022-13"},
            "field 'effective': impossible date 2022-13 (month 13 does not exist)",
            id="value_error-field",
        ),
        pytest.param(
            {**PROMISE, "type": "amendment.adopted", "articles": "Article 1"},
            "field 'articles': must be a list",
            id="list_type",
        ),
        pytest.param(
            {**PROMISE, "type": "amendment.adopted", "articles": ["a"] * 201},
            "field 'articles': has 201 entries; at most 200 are allowed",
            id="too_long",
        ),
        pytest.param(
            {**PROMISE, "type": "amendment.adopted", "votes": ["yes"]},
            "field 'votes': must be a mapping of names to values",
            id="dict_type",
        ),
        pytest.param(
            {**MEASURE, "qualifier": "roughly"},
            "field 'qualifier': 'roughly' is not allowed "
            "(use one of: more_than, less_than, about, at_least, at_most)",
            id="literal_error-optional",
        ),
    ],
)
def test_each_kind_of_error_is_in_the_ledgers_own_words(raw: dict, line: str) -> None:
    if raw.get("type") == "amendment.adopted":
        raw = {k: v for k, v in raw.items() if k not in ("statement", "actor", "title")}
        raw["area"] = "parties"
    assert one(raw) == line


def test_every_error_of_an_event_is_reported_one_line_each():
    raw = {
        **{k: v for k, v in PROMISE.items() if k != "actor"},
        "title": "",
        "statement": "x\u202ey",
        "id": "nope",
    }
    with pytest.raises(InvalidInputs) as caught:
        parse_event(raw)
    assert caught.value.lines() == [
        f"field 'id': {UUID_HINT}",
        "field 'title': must not be empty",
        "field 'statement': contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE); "
        "format characters other than ZWNJ and ZWJ are not allowed",
        "field 'actor': required field is missing",
    ]
    assert str(caught.value) == f"field 'id': {UUID_HINT} (and 3 more)"


def test_no_message_uses_pydantics_words():
    """A sweep over many bad values: none of pydantic's phrasing reaches a user."""
    bad_values = [None, 5, 2.5, True, [], {}, "", " ", "x" * 30_000, "a\u202eb", "a\nb", "nope"]
    fields = list(PROMISE) + ["deadline", "package", "target", "id", "recorded_at", "colour"]
    for field in fields:
        for value in bad_values:
            try:
                parse_event({**PROMISE, field: value})
            except InvalidInput as error:
                for line in error.lines():
                    assert "should" not in line and "Input" not in line, (field, value, line)
                    assert "Value error" not in line and "String" not in line, line
