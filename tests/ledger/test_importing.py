"""Reading import files: duplicate keys, byte-order marks, empty files, every error at once.

Each case imports into a real ledger on both engines and checks the exact lines and that
nothing was written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import InvalidInput, InvalidInputs
from ledger import DuplicateEventId, Store, digest, import_files, read_event_file
from ledger.importing import read_raw_events
from tests.conftest import registered

SOURCE = {"document": "address.txt", "locator": "Section 2", "quote": "we will"}

PROMISE_YAML = """\
- type: promise.made
  item: p1
  effective: "2022-03-16"
  source: {document: address.txt, locator: Section 2, quote: we will}
  title: Cut party signatures
  statement: From 20,000 to 5,000.
  actor: President
  area: parties
"""


def promise(item: str, **fields: object) -> dict[str, object]:
    return {
        "type": "promise.made",
        "item": item,
        "effective": "2022-03-16",
        "source": dict(SOURCE),
        "title": f"Promise {item}",
        "statement": "We will do it.",
        "actor": "President",
        "area": "parties",
        **fields,
    }


@pytest.fixture
def store(empty_store: Store) -> Store:
    """A ledger on each engine holding only the registration of ``address.txt``, the source
    these files cite."""
    return registered(empty_store, SOURCE["document"])


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def refused_lines(store: Store, *paths: Path) -> list[str]:
    """Import must fail; return the lines the CLI would print. Nothing may be written."""
    before = digest(store), store.count()
    with pytest.raises(InvalidInput) as caught:
        import_files(store, list(paths))
    assert (digest(store), store.count()) == before
    return caught.value.lines()


# -- duplicate keys -------------------------------------------------------------------------------


def test_a_duplicate_top_level_yaml_key_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(PROMISE_YAML.replace("  item: p1\n", "  item: p1\n  item: other\n"))
    assert refused_lines(store, path) == [
        f"{path}:3: duplicate key 'item' (first on line 2); a key may appear once in a mapping"
    ]


def test_a_duplicate_yaml_key_is_refused_at_any_depth(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    nested = PROMISE_YAML.replace(
        "  source: {document: address.txt, locator: Section 2, quote: we will}\n",
        "  source:\n    document: address.txt\n    locator: Section 2\n"
        "    quote: we will\n    quote: we shall\n",
    ) + (
        "  target:\n    metric: m\n    unit: u\n    baseline: 1\n    baseline_date: '2022'\n"
        "    goal: 5\n    goal: 9\n    direction: up\n"
    )
    path.write_text(nested)
    assert refused_lines(store, path) == [
        f"{path}:8: duplicate key 'quote' (first on line 7); a key may appear once in a mapping",
        f"{path}:19: duplicate key 'goal' (first on line 18); a key may appear once in a mapping",
    ]


def test_a_duplicate_key_in_a_flow_mapping_on_one_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(PROMISE_YAML.replace("quote: we will}", "quote: we will, quote: we}"))
    assert refused_lines(store, path) == [
        f"{path}:4: duplicate key 'quote'; a key may appear once in a mapping"
    ]


def test_yaml_merge_keys_are_not_duplicates(store: Store, tmp_path: Path) -> None:
    """``<<: *base`` then an explicit key is YAML's way to override: not a slip."""
    path = tmp_path / "merge.yaml"
    path.write_text(
        "- &base\n  "
        + PROMISE_YAML.removeprefix("- ")
        + "- <<: *base\n  item: p2\n  title: Second promise\n"
    )
    events, _ = read_event_file(path)
    assert [(e.item, e.title) for e in events] == [
        ("p1", "Cut party signatures"),
        ("p2", "Second promise"),
    ]


def test_a_duplicate_json_key_is_refused_at_any_depth(store: Store, tmp_path: Path) -> None:
    good = json.dumps(promise("p1"))
    top = good.replace('"item": "p1"', '"item": "p1", "item": "other"')
    nested = json.dumps(promise("p2")).replace('"quote": "we will"', '"quote": "a", "quote": "b"')
    path = tmp_path / "dup.jsonl"
    path.write_text(f"{good}\n{top}\n{nested}\n")
    assert refused_lines(store, path) == [
        f"{path}:2: duplicate key 'item'; a key may appear once in an object",
        f"{path}:3: duplicate key 'quote'; a key may appear once in an object",
    ]


#: Keys and strings that a quick count could mistake for one another: a string may start
#: with ':' and a key may end with one.
_KEYS = st.sampled_from(["a", "b", ":", ":a", "a:", "item", "::"])
_SCALARS = st.one_of(st.integers(-5, 5), st.sampled_from([":", ":x", "x", "", None, True]))


def _json_text(value, colon: str = ":") -> str:
    """JSON of nested (key, value) pair lists, keeping duplicate keys as written, each key
    and value parted by ``colon`` (a colon with or without whitespace around it)."""
    if isinstance(value, tuple):  # an object as its members
        members = (f"{json.dumps(k)}{colon}{_json_text(v, colon)}" for k, v in value)
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v, colon) for v in value) + "]"
    return json.dumps(value)


def _has_duplicate(value) -> bool:
    if isinstance(value, tuple):
        keys = [k for k, _ in value]
        return len(set(keys)) < len(keys) or any(_has_duplicate(v) for _, v in value)
    return isinstance(value, list) and any(_has_duplicate(v) for v in value)


_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(st.tuples(_KEYS, inner), max_size=4).map(tuple),
    ),
    max_leaves=12,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    members=st.lists(st.tuples(_KEYS, _VALUES), max_size=5).map(tuple),
    colon=st.sampled_from([":", " :", "\t: ", " :\r"]),
    first=st.booleans(),
)
def test_a_json_line_is_refused_exactly_when_a_key_repeats(
    tmp_path: Path, members, colon: str, first: bool
) -> None:
    """On the first line (read as text, past a byte-order mark) and on any later one
    (read from its bytes), however the line is spaced."""
    path = tmp_path / "keys.jsonl"
    before = "" if first else "\n"
    path.write_text(before + _json_text(members, colon) + "\n", encoding="utf-8")
    try:
        read_raw_events(path)
        refused = False
    except InvalidInput as error:
        refused = "duplicate key" in str(error)
    assert refused == _has_duplicate(members)


# -- byte-order marks and empty files -------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["yaml", "jsonl"])
def test_a_byte_order_mark_is_accepted_and_stripped(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"bom.{suffix}"
    text = PROMISE_YAML if suffix == "yaml" else json.dumps(promise("p1")) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    summary = import_files(store, [path])
    assert (summary.appended, summary.empty) == (1, [])
    (record,) = store.read(item="p1")
    assert record.item == "p1" and "\ufeff" not in json.dumps(record.to_dict())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.yaml", b""),
        ("comments.yaml", b"# nothing yet\n"),
        ("list.yaml", b"[]\n"),
        ("null.yaml", b"~\n"),
        ("bom.yaml", b"\xef\xbb\xbf"),
        ("empty.jsonl", b""),
        ("blank.jsonl", b"\n  \n"),
        ("bom.jsonl", b"\xef\xbb\xbf\n"),
    ],
)
def test_an_empty_file_is_accepted_and_named(
    store: Store, tmp_path: Path, name: str, content: bytes
) -> None:
    empty = tmp_path / name
    empty.write_bytes(content)
    full = tmp_path / "full.yaml"
    full.write_text(PROMISE_YAML)
    summary = import_files(store, [empty, full])
    assert (summary.files, summary.appended, summary.empty) == (2, 1, [str(empty)])


# -- every error at once --------------------------------------------------------------------------


def test_every_error_of_every_file_is_reported_in_line_order(store: Store, tmp_path: Path) -> None:
    first = jsonl(
        tmp_path / "first.jsonl",
        [
            promise("p1"),
            promise("p2", title="a\u202eb"),
            promise("p3"),
            promise("p4", deadline="2020", statement=""),
        ],
    )
    with (tmp_path / "first.jsonl").open("a") as handle:
        handle.write('{"type": "promise.made",\n')
    second = tmp_path / "second.yaml"
    second.write_text(PROMISE_YAML.replace("  actor: President\n", "").replace("p1", "p5"))
    assert refused_lines(store, first, second) == [
        f"{first}:2: field 'title': contains an invisible character "
        "(U+202E RIGHT-TO-LEFT OVERRIDE); format characters other than ZWNJ and ZWJ "
        "are not allowed",
        f"{first}:4: field 'statement': must not be empty",
        f"{first}:5: malformed JSON: unexpected end of data (column 25)",
        f"{second}:1: field 'actor': required field is missing",
    ]


def test_at_most_fifty_errors_are_listed_then_how_many_more(store: Store, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "bad.jsonl", [promise(f"p{i}", area="") for i in range(1, 121)])
    lines = refused_lines(store, path)
    assert len(lines) == 51
    assert lines[0] == f"{path}:1: field 'area': must not be empty"
    assert lines[49] == f"{path}:50: field 'area': must not be empty"
    assert lines[50] == "… and 70 more"


def test_the_stores_own_checks_report_every_problem_too(store: Store, tmp_path: Path) -> None:
    """Checks that need the ledger (unknown items, a second promise.made) run on the whole
    batch too, once every event has passed validation."""
    law = {"type": "law.signed", "effective": "2022-05", "source": dict(SOURCE)}
    path = jsonl(
        tmp_path / "batch.jsonl",
        [
            promise("p1"),
            {**law, "type": "promise.abandoned", "item": "ghost", "reason": "Gone."},
            promise("p1"),
            {**law, "item": "l1"},
            {**law, "type": "link.added", "item": "l1", "to": "nowhere", "relation": "implements"},
        ],
    )
    assert refused_lines(store, path) == [
        f"{path}:2: item 'ghost' does not exist (an item is created by promise.made or by "
        "its first amendment, law or milestone event)",
        f"{path}:3: item 'p1' already exists; promise.made creates an item once",
        f"{path}:5: link to unknown item 'nowhere'",
    ]


def test_an_error_list_says_how_many_in_one_line_for_library_callers(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "bad.jsonl", [promise("p1", area=""), promise("p2", actor="")])
    with pytest.raises(InvalidInputs) as caught:
        read_event_file(path)
    assert str(caught.value) == f"{path}:1: field 'area': must not be empty (and 1 more)"


def test_read_raw_events_refuses_duplicate_keys_too(tmp_path: Path) -> None:
    """The bundled dataset's loader reads through it: its files get the same check."""
    path = tmp_path / "dup.yaml"
    path.write_text(PROMISE_YAML.replace("  area: parties\n", "  area: parties\n  area: x\n"))
    with pytest.raises(InvalidInput) as caught:
        read_raw_events(path)
    assert caught.value.lines() == [
        f"{path}:9: duplicate key 'area' (first on line 8); a key may appear once in a mapping"
    ]


def test_json_lines_end_at_newlines_only(store: Store, tmp_path: Path) -> None:
    """JSON allows a raw U+2028 or U+0085 inside a string: it does not end the line (as
    str.splitlines would have it); a CRLF line ending is fine."""
    path = tmp_path / "seps.jsonl"
    rows = [promise("p1", statement="First.\u2028Second."), promise("p2", title="Cut\x85 it")]
    path.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\r\n" for r in rows))
    assert refused_lines(store, path) == [
        f"{path}:2: field 'title': contains a control character (U+0085)"
    ]
    path.write_bytes(json.dumps(rows[0], ensure_ascii=False).encode() + b"\r\n")
    assert import_files(store, [path]).appended == 1
    (record,) = store.read(item="p1")
    assert record.data["statement"] == "First.\u2028Second."


def test_a_duplicate_json_key_is_refused_however_the_line_is_spaced(
    store: Store, tmp_path: Path
) -> None:
    """Lines are checked for a key given twice without a second parse when they plainly
    have none; a key spaced before its colon, a string that starts with a colon or an
    escape must not hide a duplicate."""
    compact = json.dumps(promise("p1"), separators=(",", ":"))
    lines = [
        compact.replace('"item":"p1"', '"item":"p1","item":"p9"'),
        compact.replace('"item":"p1"', '"item" :"p2","item":"p9","note":":x"').replace(
            '"area":"parties"', '"area":":parties"'
        ),
        compact.replace('"quote":"we will"', '"quote":"we \\"will\\"","quote":"b"'),
        compact.replace('"item":"p1"', '"item":"p4","extra":[{"a":1,"a":2}]'),
        compact.replace('"item":"p1"', '"item":"p5"'),
    ]
    path = tmp_path / "spacing.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert refused_lines(store, path) == [
        f"{path}:1: duplicate key 'item'; a key may appear once in an object",
        f"{path}:2: duplicate key 'item'; a key may appear once in an object",
        f"{path}:3: duplicate key 'quote'; a key may appear once in an object",
        f"{path}:4: duplicate key 'a'; a key may appear once in an object",
    ]
    path.write_text(lines[-1] + "\n")
    assert import_files(store, [path]).appended == 1


# -- files read in chunks -------------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three events, so that a small file spans several."""
    monkeypatch.setattr("ledger.importing.CHUNK_EVENTS", 3)


def test_a_file_spanning_chunks_is_one_batch(
    store: Store, tmp_path: Path, small_chunks: None
) -> None:
    """What a later chunk refers to in an earlier one (a retraction, a link, a source,
    an id sent twice) is found, and the chain is the one a single batch makes."""
    law = {"type": "law.drafted", "item": "l1", "effective": "2022-04", "source": dict(SOURCE)}
    first = promise("p1", id="8c1f0d9e-1111-4111-8111-111111111111")
    other = {
        "type": "source.registered",
        "item": "memo.txt",
        "effective": "2022",
        "source": {"document": "memo.txt", "locator": "title", "quote": "A memo"},
        "title": "A memo",
        "publisher": "A ministry",
        "published": "2022",
        "kind": "government",
        "language": "en",
    }
    rows = [
        first,
        other,
        {**law, "title": "A law"},
        {**law, "type": "link.added", "to": "p1", "relation": "implements"},
        promise("p2", source={**SOURCE, "document": "memo.txt"}),
        first,  # sent twice: a no-op
        {
            "type": "event.retracted",
            "item": "p1",
            "effective": "2022-05",
            "source": dict(SOURCE),
            "retracted": first["id"],
            "reason": "Wrong date.",
        },
    ]
    path = jsonl(tmp_path / "chunks.jsonl", rows)
    summary = import_files(store, [path])
    assert (summary.appended, summary.skipped) == (6, 1)
    records = list(store.read())
    assert [r.version for r in records if r.item == "p1"] == [1, 2]
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:], strict=False))
    cycle = {**law, "type": "link.added", "item": "p1", "to": "l1", "relation": "implements"}
    refused = jsonl(tmp_path / "cycle.jsonl", [promise("p3"), promise("p4"), promise("p5"), cycle])
    assert refused_lines(store, refused) == [
        f"{refused}:4: link 'p1' implements 'l1' would close a cycle of implements links: "
        "p1 → l1 → p1"
    ]


def test_an_id_sent_again_chunks_later_is_found_in_an_empty_ledger(
    empty_store: Store, tmp_path: Path, small_chunks: None
) -> None:
    """Into an empty ledger a chunk asks the store only about the ids its batch has seen
    before: an id sent again two chunks later is still found, the same event skipped and
    a changed one refused."""
    registration = {
        "type": "source.registered",
        "item": SOURCE["document"],
        "effective": "2022",
        "title": "An address",
        "publisher": "The President's office",
        "published": "2022",
        "kind": "government",
        "language": "en",
    }
    first = promise("p1", id="8c1f0d9e-1111-4111-8111-111111111111")
    rows = [registration, first, *(promise(f"p{i}") for i in range(2, 7))]
    changed = jsonl(tmp_path / "changed.jsonl", [*rows, {**first, "title": "Changed"}])
    with pytest.raises(DuplicateEventId) as caught:
        import_files(empty_store, [changed])
    assert str(caught.value) == (
        f"{changed}:8: event id {first['id']} is already stored with different content"
    )
    assert empty_store.count() == 0
    again = jsonl(tmp_path / "again.jsonl", [*rows, first])
    summary = import_files(empty_store, [again])
    assert (summary.appended, summary.skipped) == (7, 1)


def test_an_error_in_a_later_chunk_leaves_nothing_written(
    store: Store, tmp_path: Path, small_chunks: None
) -> None:
    rows = [promise(f"p{i}") for i in range(1, 8)] + [promise("p1")]
    path = jsonl(tmp_path / "late.jsonl", rows)
    assert refused_lines(store, path) == [
        f"{path}:8: item 'p1' already exists; promise.made creates an item once"
    ]


def test_a_bad_line_after_a_conflict_is_reported_first(
    store: Store, tmp_path: Path, small_chunks: None
) -> None:
    """A file's own errors come before what the ledger finds, as when it is read whole."""
    first = promise("p1", id="8c1f0d9e-1111-4111-8111-111111111111")
    rows = [first, promise("p2"), {**first, "title": "Changed"}] + [
        promise(f"p{i}") for i in range(3, 7)
    ]
    path = jsonl(tmp_path / "both.jsonl", rows)
    with path.open("a") as handle:
        handle.write('{"type": \n')
    assert refused_lines(store, path) == [
        f"{path}:8: malformed JSON: unexpected end of data (column 10)"
    ]


def test_text_that_is_not_utf8_is_the_files_only_error(
    store: Store, tmp_path: Path, small_chunks: None
) -> None:
    path = tmp_path / "latin1.jsonl"
    good = (json.dumps(promise("p1")) + "\n").encode()
    path.write_bytes(b"{bad\n" + good * 4 + b'{"title": "caf\xe9"}\n')
    offset = len(b"{bad\n" + good * 4) + len(b'{"title": "caf')
    assert refused_lines(store, path) == [f"{path}: not UTF-8 text (byte {offset})"]


def test_importing_no_files_imports_nothing(store: Store) -> None:
    summary = import_files(store, [])
    assert (summary.files, summary.appended, summary.skipped, summary.empty) == (0, 0, 0, [])
