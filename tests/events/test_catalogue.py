"""The event catalogue: every type in DESIGN.md validates; canonical JSON; fuzzy dates; upcasting.

The upcaster test goes through the store: a ``link.added`` row stored under schema 1
(``target``, ``kind``) is read back as schema 2 (``to``, ``relation``), and moves the
promise it links to, while the stored row itself is never rewritten.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from events import (
    ENVELOPE_FIELDS,
    Event,
    InvalidInput,
    UnknownEventType,
    canonical_json,
    date_bounds,
    event_class,
    event_types,
    normalize_date,
    parse_event,
    period_bounds,
    upcast,
)
from ledger import Store, status, verify
from ledger.mapper import to_row
from ledger.tables import StoredEvent
from tests.conftest import SOURCE, make, promise

#: Every event type of DESIGN.md's table, with the smallest payload it accepts.
MINIMAL: dict[str, dict[str, object]] = {
    "promise.made": {"title": "T", "statement": "S", "actor": "A", "area": "X"},
    "promise.revised": {"change": "scope_cut", "summary": "Narrowed."},
    "promise.abandoned": {"reason": "Dropped."},
    "amendment.proposed": {},
    "amendment.adopted": {},
    "amendment.in_force": {},
    "law.drafted": {},
    "law.passed": {},
    "law.signed": {},
    "law.in_force": {},
    "law.amended": {},
    "law.repealed": {},
    "milestone.reached": {"what": "Court opened."},
    "measurement.recorded": {"metric": "m", "value": 1.5, "unit": "u", "period": "2023"},
    "link.added": {"to": "other", "relation": "implements"},
    "assessment.recorded": {"assessor": "OGP", "verdict": "delivered", "rationale": "Kept."},
    "event.retracted": {"retracted": "8c1f0d9e-1111-4111-8111-111111111111", "reason": "Wrong."},
    "claim.recorded": {"attribute": "package", "value": "third"},
}
#: Types the code adds beyond the table (an editor's "unverifiable" mark, method 2's stalls
#: and stated deadlines), and the table's source registration.
EXTRA = {
    "promise.marked_unverifiable": {"reason": "No source can show it."},
    "source.registered": {"title": "T", "published": "2022", "kind": "news", "language": "en"},
    # method reform-ledger/2: a stall is a source's statement, never a clock
    "promise.stalled": {"summary": "Work stopped."},
    "law.stalled": {"summary": "The bill was shelved."},
    "amendment.stalled": {"summary": "The proposal was withdrawn."},
    "promise.deadline_stated": {"deadline": "2025"},
}


def raw(type_name: str, **fields: object) -> dict[str, object]:
    source = dict(SOURCE)
    if type_name == "source.registered":  # a registration cites the document it registers
        source["document"] = "some-item"
    return {
        "type": type_name,
        "item": "some-item",
        "effective": "2022-03",
        "source": source,
        **fields,
    }


# -- the catalogue ---------------------------------------------------------------------------------


def test_the_catalogue_is_the_design_table_plus_its_documented_extras() -> None:
    assert set(event_types()) == set(MINIMAL) | set(EXTRA)


@pytest.mark.parametrize("type_name", sorted({**MINIMAL, **EXTRA}))
def test_every_type_validates_with_a_minimal_payload(type_name: str) -> None:
    payload = {**MINIMAL, **EXTRA}[type_name]
    event = parse_event(raw(type_name, **payload))
    cls = event_class(type_name)
    assert isinstance(event, Event) and type(event) is cls
    assert cls.event_type == type_name and cls.event_version >= 1
    envelope = event.envelope()
    assert set(envelope) == {"id", "type", "schema", "item", "effective", "source", "data"}
    assert envelope["type"] == type_name and envelope["schema"] == cls.event_version
    assert set(envelope["data"]) == set(payload)
    uuid.UUID(envelope["id"])  # a fresh id when none is given

    # the stored form (payload under "data") means the same event
    stored_form = {**raw(type_name), "id": envelope["id"], "data": dict(payload)}
    assert parse_event(stored_form) == event


@pytest.mark.parametrize(
    ("type_name", "field"),
    [(t, f) for t, payload in sorted({**MINIMAL, **EXTRA}.items()) for f in payload]
    + [(t, f) for t in ("promise.made", "law.signed") for f in ("item", "effective", "source")],
)
def test_every_required_field_is_required(type_name: str, field: str) -> None:
    given = raw(type_name, **{**MINIMAL, **EXTRA}[type_name])
    del given[field]
    with pytest.raises(InvalidInput) as caught:
        parse_event(given)
    assert str(caught.value) == f"field {field!r}: required field is missing"


def test_unknown_types_fields_and_values_are_refused() -> None:
    with pytest.raises(UnknownEventType, match="unknown event type 'law.vetoed'"):
        parse_event(raw("law.vetoed"))
    with pytest.raises(InvalidInput, match="field 'type': required field is missing"):
        parse_event({"item": "x"})
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("law.signed", colour="red"))
    assert str(caught.value) == (
        "field 'colour': law.signed has no such field "
        "(its fields: area, chamber, grade, number, package, summary, title)"
    )
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("link.added", to="other", relation="likes"))
    assert str(caught.value) == (
        "field 'relation': 'likes' is not allowed (use one of: implements, "
        "partially_implements, part_of, supersedes, split_from, reverses, relates_to)"
    )
    with pytest.raises(InvalidInput, match="field 'item': 'Not A Slug' is not an item id"):
        parse_event(raw("law.signed", item="Not A Slug"))
    with pytest.raises(InvalidInput, match="field 'source.quote': required field is missing"):
        parse_event(raw("law.signed", source={"document": "d", "locator": "l"}))
    with pytest.raises(InvalidInput, match="an event must be a mapping"):
        parse_event(["law.signed"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_name", "fields", "field"),
    [
        ("measurement.recorded", {**MINIMAL["measurement.recorded"], "value": math.nan}, "value"),
        ("measurement.recorded", {**MINIMAL["measurement.recorded"], "value": math.inf}, "value"),
        ("milestone.reached", {"what": "Parties", "value": -math.inf}, "value"),
        ("amendment.adopted", {"votes": {"yes": math.nan}}, "votes.yes"),
        (
            "promise.made",
            {
                **MINIMAL["promise.made"],
                "target": {
                    "metric": "m",
                    "unit": "u",
                    "baseline": 1,
                    "baseline_date": "2022",
                    "goal": math.inf,
                    "direction": "up",
                },
            },
            "target.goal",
        ),
    ],
)
def test_numbers_must_be_finite(type_name: str, fields: dict[str, object], field: str) -> None:
    """NaN and infinity have no JSON form: stored, they would silently become null."""
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw(type_name, **fields))
    assert str(caught.value) == f"field {field!r}: must be a finite number (not infinity or NaN)"


def test_text_limits_and_control_characters() -> None:
    assert parse_event(raw("promise.abandoned", reason="  Two\nlines\tand a tab.  ")).reason == (
        "Two\nlines\tand a tab."
    )
    for bad, code in (("a\x00b", "0000"), ("a\x1bb", "001B"), ("a\x7fb", "007F")):
        with pytest.raises(InvalidInput) as caught:
            parse_event(raw("promise.abandoned", reason=bad))
        assert str(caught.value) == f"field 'reason': contains a control character (U+{code})"
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("promise.abandoned", reason="x" * 20_001))
    assert str(caught.value) == (
        "field 'reason': is 20,001 characters long; at most 20,000 are allowed"
    )
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("promise.abandoned", reason="   "))
    assert str(caught.value) == "field 'reason': must not be empty"


def test_events_are_frozen() -> None:
    event = parse_event(raw("law.signed"))
    with pytest.raises(ValueError, match="frozen"):
        event.item = "other"  # type: ignore[misc]


# -- canonical JSON --------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_keeps_utf8_and_drops_whitespace() -> None:
    value = {"b": [1, 2.5, None, True], "a": {"z": "Қазақстан «да»", "y": "line\nbreak"}, "é": 0}
    text = canonical_json(value)
    assert text == ('{"a":{"y":"line\\nbreak","z":"Қазақстан «да»"},"b":[1,2.5,null,true],"é":0}')
    assert "\\u" not in text and " " not in text.replace("Қазақстан «да»", "")
    assert text == json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(text) == value


def test_equal_events_have_the_same_canonical_bytes() -> None:
    event_id = str(uuid.uuid4())
    first = parse_event(raw("promise.made", id=event_id, **MINIMAL["promise.made"]))
    # the same event written in another key order and in stored form
    second = parse_event(
        {
            "data": {"area": "X", "actor": "A", "statement": "S", "title": "T"},
            "source": {
                "quote": SOURCE["quote"],
                "locator": SOURCE["locator"],
                "document": "test.txt",
            },
            "id": event_id,
            "effective": "2022-03",
            "item": "some-item",
            "type": "promise.made",
        }
    )
    assert canonical_json(first.envelope()) == canonical_json(second.envelope())
    body = to_row(first.envelope(), position=1, version=1, recorded_at="t", prev_hash="0" * 64)
    assert body["body"] == canonical_json(json.loads(body["body"]))


def test_the_stored_form_holds_plain_values_and_leaves_unset_optional_fields_out() -> None:
    """The exact bytes a body holds for nested models, lists, mappings, UUIDs and numbers
    (what every stored event is hashed over): an optional field left unset is absent, not
    null, at any depth."""
    event_id = "8c1f0d9e-1111-4111-8111-111111111111"
    amendment = parse_event(
        raw(
            "amendment.proposed",
            id=event_id.upper(),
            articles=[" 41 ", "42"],
            votes={"for": 50, "against": 1.5},
        )
    )
    assert canonical_json(amendment.envelope()) == (
        '{"data":{"articles":["41","42"],"votes":{"against":1.5,"for":50.0}},'
        f'"effective":"2022-03","id":"{event_id}","item":"some-item",'
        f'"schema":{amendment.event_version},'
        f'"source":{canonical_json(SOURCE)},"type":"amendment.proposed"}}'
    )
    promise_made = parse_event(
        raw(
            "promise.made",
            **MINIMAL["promise.made"],
            target={
                "metric": "m",
                "unit": "u",
                "baseline": 3,
                "baseline_date": 2021,
                "goal": 1,
                "direction": "down",
            },
        )
    )
    assert promise_made.payload() == {
        **MINIMAL["promise.made"],
        "target": {
            "metric": "m",
            "unit": "u",
            "baseline": 3.0,
            "baseline_date": "2021",
            "goal": 1.0,
            "direction": "down",
        },
    }
    retraction = parse_event(raw("event.retracted", **MINIMAL["event.retracted"]))
    assert retraction.envelope()["data"]["retracted"] == event_id


# -- dates of day, month and year precision ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020-09-15", date(2020, 9, 15), date(2020, 9, 15)),
        ("2020-09", date(2020, 9, 1), date(2020, 9, 30)),
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2021-09/2021-12", date(2021, 9, 1), date(2021, 12, 31)),
        ("2019/2021-06-15", date(2019, 1, 1), date(2021, 6, 15)),
    ],
)
def test_a_fuzzy_date_covers_its_whole_span(text: str, start: date, end: date) -> None:
    assert date_bounds(text) == (start, end)
    assert normalize_date(text) == text
    event = parse_event(raw("law.signed", effective=text))
    assert event.effective == text


def test_a_month_compares_as_the_whole_month() -> None:
    start, end = date_bounds("2020-09")
    assert all(start <= date(2020, 9, day) <= end for day in (1, 15, 30))
    assert not start <= date(2020, 10, 1) <= end
    assert not start <= date(2020, 8, 31) <= end


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "impossible date 2023-02-30 (day 30 is out of range for the month)"),
        ("2023-13", "impossible date 2023-13 (month 13 does not exist)"),
        ("2023-00-10", "impossible date 2023-00-10 (month 0 does not exist)"),
        ("2021-12/2021-01", "range 2021-12/2021-01 ends before it starts"),
        ("Sept 2020", "'Sept 2020' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        ("2020-9", "'2020-9' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
    ],
)
def test_impossible_and_malformed_dates_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        date_bounds(value)
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("law.signed", effective=value))
    assert str(caught.value) == f"field 'effective': {message}"


def test_dates_as_yaml_gives_them() -> None:
    assert normalize_date(date(2022, 6, 5)) == "2022-06-05"
    assert normalize_date(2022) == "2022"
    assert normalize_date(" 2022-06 ") == "2022-06"
    with pytest.raises(ValueError, match="no time of day"):
        normalize_date(datetime(2022, 6, 5, 12, 0))
    with pytest.raises(ValueError, match="is not a date"):
        normalize_date(True)


def test_an_effective_date_may_not_lie_in_the_future() -> None:
    today = datetime.now(UTC).date()
    this_month = today.strftime("%Y-%m")  # has begun, so it is not in the future
    assert parse_event(raw("law.signed", effective=this_month)).effective == this_month
    assert parse_event(raw("law.signed", effective=today.isoformat())).effective
    tomorrow = (today + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("law.signed", effective=tomorrow))
    assert str(caught.value) == f"field 'effective': effective date {tomorrow} is in the future"


def test_reporting_periods() -> None:
    assert period_bounds("2023-Q4") == (date(2023, 10, 1), date(2023, 12, 31))
    assert period_bounds("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert period_bounds("2023-11") == (date(2023, 11, 1), date(2023, 11, 30))
    assert period_bounds("2023") == (date(2023, 1, 1), date(2023, 12, 31))


# -- upcasting -------------------------------------------------------------------------------------


def test_upcast_renames_v1_link_fields() -> None:
    assert event_class("link.added").event_version == 2
    v1 = {"target": "p1", "kind": "implements"}
    assert upcast("link.added", 1, v1) == {"to": "p1", "relation": "implements"}
    assert v1 == {"target": "p1", "kind": "implements"}  # the input is not modified
    assert upcast("link.added", 2, {"to": "p1", "relation": "implements"}) == {
        "to": "p1",
        "relation": "implements",
    }
    with pytest.raises(InvalidInput, match="link.added schema 3 is newer than this program"):
        upcast("link.added", 3, {})


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (0, "field 'schema': link.added schema versions start at 1, not 0"),
        (-1, "field 'schema': link.added schema versions start at 1, not -1"),
        (True, "field 'schema': must be a whole number"),
        ("2", "field 'schema': must be a whole number"),
        (3, "link.added schema 3 is newer than this program knows (2); upgrade reform-ledger"),
    ],
)
def test_a_schema_version_that_does_not_exist_is_refused(schema: object, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw("link.added", schema=schema, to="p1", relation="implements"))
    assert str(caught.value) == message


def test_a_v1_event_given_as_input_is_read_as_v2() -> None:
    event = parse_event(raw("link.added", schema=1, target="p1", kind="partially_implements"))
    assert (event.to, event.relation) == ("p1", "partially_implements")
    assert event.envelope()["schema"] == 2


def _insert_v1_link(store: Store, item: str, target: str, kind: str) -> str:
    """Store a link exactly as a schema-1 writer did, chained onto the current head."""
    head = store.head()
    version = max((r.version for r in store.read(item=item)), default=0) + 1
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "link.added",
        "schema": 1,
        "item": item,
        "effective": "2022-06",
        "source": dict(SOURCE),
        "data": {"target": target, "kind": kind},
    }
    row = to_row(
        envelope,
        position=head.position + 1,
        version=version,
        recorded_at=max(head.recorded_at or "", "2022-06-01T00:00:00.000000Z"),
        prev_hash=head.hash,
    )
    with store.engine.begin() as connection:
        connection.execute(StoredEvent.__table__.insert(), [row])
    return row["body"]


def test_a_stored_v1_link_is_read_as_v2_through_the_store(store: Store) -> None:
    store.append(
        [
            promise("p1", "2022-03-16", recorded_at="2022-03-16"),
            make("law.signed", "l1", "2022-05-20", recorded_at="2022-05-21", title="Law"),
        ]
    )
    body = _insert_v1_link(store, "l1", "p1", "implements")
    assert json.loads(body)["data"] == {"target": "p1", "kind": "implements"}

    [record] = list(store.read(item="l1"))[1:]
    assert record.type == "link.added" and record.schema == 1
    assert record.data == {"to": "p1", "relation": "implements"}
    assert verify(store).events == 4  # the stored row is untouched and still hashes

    # projections see the current shape: a signed law that implements the promise adopts it
    found = {s.item: s.status for s in status(store, as_of="2022-12-31").items}
    assert found["p1"] == "adopted"

    # and the chain grows on top of the old row as on any other
    [after] = store.append([make("law.in_force", "l1", "2022-07-01")]).appended
    assert (after.position, after.version) == (5, 3)
    assert verify(store).events == 5


def test_stored_payload_keys_are_not_envelope_fields() -> None:
    """A payload field named like an envelope field would be lost in the flat form."""
    for type_name in event_types():
        payload_fields = set(event_class(type_name).model_fields) - set(Event.model_fields)
        assert not payload_fields & ENVELOPE_FIELDS, type_name


def test_reading_upcasts_through_the_plain_table_that_the_models_declare() -> None:
    """Reading uses ``events.upcasting`` without the models, so each model's version and
    ``upcast_vN_vN+1`` methods must be the table's, for every registered type."""
    from events.upcasting import UPCASTERS, current_schema

    for type_name in event_types():
        cls = event_class(type_name)
        assert cls.event_version == current_schema(type_name), type_name
        declared = [getattr(cls, f"upcast_v{n}_v{n + 1}") for n in range(1, cls.event_version)]
        assert declared == list(UPCASTERS.get(type_name, ())), type_name
    assert set(UPCASTERS) <= set(event_types())


def test_a_model_whose_upcasters_disagree_with_the_table_is_refused() -> None:
    from events import register
    from events.base import Event

    class Drifted(Event):
        event_type = "test.drifted"
        event_version = 2

        @staticmethod
        def upcast_v1_v2(data: dict) -> dict:
            return data

    with pytest.raises(RuntimeError, match="'test.drifted': its upcasters differ"):
        register(Drifted)
    assert "test.drifted" not in event_types()


def test_appending_reads_item_kinds_from_the_plain_table_that_the_models_declare() -> None:
    """An append learns a stored item's kind from ``events.kinds`` without building its
    first event's model, so each model's ``item_kind`` and ``creates_item`` must be the
    table's, for every registered type."""
    from events import ITEM_KINDS, OPENERS

    for type_name in event_types():
        cls = event_class(type_name)
        assert cls.item_kind == ITEM_KINDS.get(type_name), type_name
        assert cls.creates_item == (type_name in OPENERS), type_name
    assert set(ITEM_KINDS) | OPENERS <= set(event_types())
    assert all(name in ITEM_KINDS for name in OPENERS)  # every item has a kind from its first event


def test_a_model_whose_item_kind_disagrees_with_the_table_is_refused() -> None:
    from events import register
    from events.base import Event

    class Opener(Event):
        event_type = "test.opener"
        item_kind = "law"
        creates_item = True

    with pytest.raises(RuntimeError, match="'test.opener': its item kind differs"):
        register(Opener)
    assert "test.opener" not in event_types()


def test_a_model_the_catalogue_places_elsewhere_is_refused() -> None:
    """Looking up a type imports only the module ``CATALOGUE`` names for it, so a class
    declared anywhere else is refused when it registers."""
    from events import register
    from events.base import Event

    class Stray(Event):
        event_type = "test.stray"

    with pytest.raises(RuntimeError, match="'test.stray' is declared in tests.events"):
        register(Stray)
    assert "test.stray" not in event_types()


def test_a_stored_payload_of_an_unknown_type_and_a_wrong_schema_is_refused_by_name() -> None:
    with pytest.raises(UnknownEventType, match="unknown event type 'law.vetoed'"):
        upcast("law.vetoed", 2, {})
