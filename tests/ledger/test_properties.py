"""Property-based tests of the status projection, through the public API only.

Random valid ledgers (promises, law stages, ``implements`` links, retractions, every event
a backfill with an explicit ``recorded_at``) are appended step by step, and at random
(as-of, known-at) cuts ``ledger.status`` (the checkpointed projection, caught up after
each append) must agree with ``reference_status`` below: a plain fold of the rules in
docs/status-rules.md, written for these tests without reading the projection's code.
Three more properties: the status does not depend on the order in which unrelated items'
events were appended; a refused batch leaves the digest and the status as they were; and
``export`` then ``import`` into a fresh ledger gives the same digest and status at every
cut. Every property runs on SQLite and on PostgreSQL; example counts stay modest so the
whole suite stays fast.
"""

from __future__ import annotations

import calendar
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from events import LedgerError, parse_event
from ledger import (
    METHOD,
    METHODS,
    Store,
    digest,
    export_events,
    import_files,
    open_store,
    status,
    verify,
)
from tests.conftest import new_pg_database, registered

BASE_DAY = date(2019, 1, 1)
BASE_TIME = datetime(2019, 1, 1, tzinfo=UTC)
SOURCE = {"document": "property.txt", "locator": "Section 1", "quote": "as generated"}
#: The law stages in their natural order, and how far each moves an implemented promise.
STAGES = ("law.drafted", "law.passed", "law.signed", "law.in_force", "law.repealed")
LEVEL = {"law.drafted": 1, "law.passed": 1, "law.signed": 2, "law.in_force": 3}
#: Method 1 finds "stalled" by a 12-month clock; a later method only from a source's
#: statement that the work stopped, which these ledgers never hold.
STALLS_BY_SILENCE = {"reform-ledger/1"}
#: Example counts: modest, so the suite stays well inside its time budget on two cores.
EXAMPLES, EXAMPLES_PG = 20, 8
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- fresh ledgers, one per example, on each engine -----------------------------------------------


class NewLedger:
    """Opens a new, empty ledger on each call (each example needs its own), and knows how
    many examples its engine can afford: a PostgreSQL database costs a CREATE DATABASE."""

    def __init__(self, make: Callable[[], Store], examples: int) -> None:
        self.make = make
        self.settings = settings(PROPERTY, max_examples=examples)

    def __call__(self) -> Store:
        return self.make()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> NewLedger:
    if request.param == "sqlite":
        return NewLedger(
            lambda: open_store(
                f"sqlite:///{tmp_path_factory.mktemp('prop') / 'ledger.db'}", create=True
            ),
            EXAMPLES,
        )
    server = request.getfixturevalue("pg_server")
    return NewLedger(lambda: open_store(new_pg_database(server), create=True), EXAMPLES_PG)


@contextmanager
def ledgers(new_ledger: NewLedger, count: int, *, empty: int = 0) -> Iterator[list[Store]]:
    """``count`` new ledgers, closed after the example (PostgreSQL's connections are few):
    the first ``count - empty`` hold the registration of the source every event cites, the
    last ``empty`` nothing at all."""
    stores = [new_ledger() for _ in range(count)]
    for store in stores[: count - empty]:
        registered(store, SOURCE["document"])
    try:
        yield stores
    finally:
        for store in stores:
            store.close()


# -- dates ----------------------------------------------------------------------------------------


def fuzzy(day: date, precision: str) -> str:
    """A date as a source might give it: to the day, the month or the year."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def first_day(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


def tick_time(tick: int) -> datetime:
    return BASE_TIME + timedelta(hours=tick)


days = st.integers(0, 2 * 365)
precisions = st.sampled_from(["day", "day", "day", "month", "year"])


# -- the reference fold: docs/status-rules.md for promises, laws, implements links -------------


@dataclass(frozen=True)
class Expected:
    status: str
    since: frozenset[str]  # every effective date that may be the cause (ties are not ranked)
    implemented_by: tuple[str, ...]


def reference_status(
    raws: list[dict[str, Any]], as_of: date, known_at: datetime, method: str = METHOD
) -> dict:
    """Every promise's status at (as_of, known_at) by ``method``'s documented rules (the
    default method unless asked), nothing else.

    - An event counts when recorded by ``known_at`` and its whole effective span has passed
      by ``as_of``; a retracted event stops counting from the retraction's recorded time.
    - A law that ``implements`` a promise moves it: drafted or passed → in_progress,
      signed → adopted, in force → delivered; the most advanced law counts.
    - Most final first: reversed (delivered, and a delivering law repealed), delivered,
      overdue (the deadline's last day before as_of), stalled (method 1 only: no progress
      event, its own or its implementing laws', in the 12 months before as_of; method 2
      needs a cited statement, which these ledgers never hold), adopted, in_progress,
      announced.
    """
    retracted_at: dict[str, datetime] = {}
    for raw in raws:
        if raw["type"] == "event.retracted":
            when = datetime.fromisoformat(raw["recorded_at"])
            target = raw["retracted"]
            retracted_at[target] = min(when, retracted_at.get(target, when))

    def counts(raw: dict[str, Any]) -> bool:
        gone = raw["id"] in retracted_at and retracted_at[raw["id"]] <= known_at
        return (
            raw["type"] != "event.retracted"
            and datetime.fromisoformat(raw["recorded_at"]) <= known_at
            and last_day(raw["effective"]) <= as_of
            and not gone
        )

    visible = [raw for raw in raws if counts(raw)]
    made = {raw["item"]: raw for raw in visible if raw["type"] == "promise.made"}
    stages: dict[str, list[dict[str, Any]]] = {}
    for raw in visible:
        if raw["type"] in STAGES:
            stages.setdefault(raw["item"], []).append(raw)
    links: dict[str, set[str]] = {}
    for raw in visible:
        if raw["type"] == "link.added" and raw["relation"] == "implements":
            links.setdefault(raw["to"], set()).add(raw["item"])

    def level(law: str) -> int:
        return max((LEVEL.get(raw["type"], 0) for raw in stages.get(law, [])), default=0)

    expected = {}
    stall_before = as_of - relativedelta(months=12)
    for item, promise in made.items():
        laws = sorted(links.get(item, ()))
        top = max((level(law) for law in laws), default=0)
        at_top = [raw for law in laws if level(law) == top for raw in stages.get(law, [])]
        progress = [last_day(promise["effective"])] + [
            last_day(raw["effective"]) for law in laws for raw in stages.get(law, [])
        ]
        last_progress = max(progress)
        deadline = promise.get("deadline")
        repeals = [
            raw["effective"]
            for law in laws
            if level(law) == 3
            for raw in stages.get(law, [])
            if raw["type"] == "law.repealed"
        ]
        if repeals:
            result = ("reversed", repeals)
        elif top == 3:
            result = ("delivered", [r["effective"] for r in at_top if LEVEL.get(r["type"]) == 3])
        elif deadline and last_day(deadline) < as_of:
            result = ("overdue", [(last_day(deadline) + timedelta(days=1)).isoformat()])
        elif method in STALLS_BY_SILENCE and last_progress < stall_before:
            since = last_progress + relativedelta(months=12) + timedelta(days=1)
            result = ("stalled", [since.isoformat()])
        elif top == 2:
            result = ("adopted", [r["effective"] for r in at_top if LEVEL.get(r["type"]) == 2])
        elif top == 1:
            result = ("in_progress", [r["effective"] for r in at_top if LEVEL.get(r["type"])])
        else:
            result = ("announced", [promise["effective"]])
        expected[item] = Expected(result[0], frozenset(result[1]), tuple(laws))
    return expected


def actual_status(
    store: Store, as_of: date, known_at: datetime, method: str = METHOD
) -> dict[str, Expected]:
    view = status(store, as_of=as_of, known_at=known_at, method=method)
    return {
        s.item: Expected(s.status, frozenset([s.since]), tuple(s.implemented_by))
        for s in view.items
        if s.kind == "promise"
    }


def assert_agrees(
    store: Store,
    raws: list[dict[str, Any]],
    as_of: date,
    known_at: datetime,
    method: str = METHOD,
) -> None:
    expected = reference_status(raws, as_of, known_at, method)
    actual = actual_status(store, as_of, known_at, method)
    assert actual.keys() == expected.keys(), (as_of, known_at, method)
    for item, got in actual.items():
        want = expected[item]
        cut = f"{item} as of {as_of} known at {known_at} by {method}"
        assert (got.status, got.implemented_by) == (want.status, want.implemented_by), cut
        assert got.since <= want.since, f"{cut}: since {set(got.since)} not in {set(want.since)}"


# -- raw events -----------------------------------------------------------------------------------


def _raw(type_: str, item: str, effective: str, tick: int, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "item": item,
        "effective": effective,
        "source": dict(SOURCE),
        "recorded_at": tick_time(tick).isoformat(),
        **data,
    }


def promise_raw(item: str, effective: str, tick: int, deadline: str | None) -> dict[str, Any]:
    fields = {"title": f"Promise {item}", "statement": "We will.", "actor": "Gov", "area": "a"}
    if deadline:
        fields["deadline"] = deadline
    return _raw("promise.made", item, effective, tick, **fields)


def _tick(raw: dict[str, Any]) -> int:
    moment = datetime.fromisoformat(raw["recorded_at"])
    return int((moment - BASE_TIME).total_seconds() // 3600)


def events_of(raws: list[dict[str, Any]]) -> list:
    return [parse_event(raw) for raw in raws]


# -- 1. the checkpointed projection equals the reference fold, at random cuts ----------------------


class LedgerMachine(RuleBasedStateMachine):
    """Appends random valid events one batch at a time and checks random cuts."""

    new_ledger: NewLedger

    promises = Bundle("promises")
    laws = Bundle("laws")

    @initialize()
    def open(self) -> None:
        self.store = registered(self.new_ledger(), SOURCE["document"])
        self.raws: list[dict[str, Any]] = []
        self.tick = 0
        self.count = itertools.count()
        self.made: dict[str, str] = {}  # promise -> effective
        self.next_stage: dict[str, tuple[int, date]] = {}  # law -> (stage index, earliest)

    def append(self, raws: list[dict[str, Any]]) -> None:
        self.store.append(events_of(raws))
        self.raws.extend(raws)

    def later(self, step: int) -> int:
        self.tick += step
        return self.tick

    @rule(
        target=promises,
        day=days,
        precision=precisions,
        deadline=st.none() | st.none() | st.integers(0, 3 * 365),
        step=st.integers(0, 3),
    )
    def make_promise(self, day: int, precision: str, deadline: int | None, step: int) -> str:
        item = f"p{next(self.count)}"
        effective = fuzzy(BASE_DAY + timedelta(days=day), precision)
        due = None
        if deadline is not None:
            due = fuzzy(first_day(effective) + timedelta(days=deadline), "day")
        self.append([promise_raw(item, effective, self.later(step), due)])
        self.made[item] = effective
        return item

    @rule(
        target=laws,
        first=st.integers(0, 3),
        day=days,
        precision=precisions,
        step=st.integers(0, 3),
    )
    def start_law(self, first: int, day: int, precision: str, step: int) -> str:
        item = f"l{next(self.count)}"
        effective = fuzzy(BASE_DAY + timedelta(days=day), precision)
        self.append([_raw(STAGES[first], item, effective, self.later(step), title=item)])
        self.next_stage[item] = (first + 1, first_day(effective))
        return item

    @precondition(lambda self: any(i < len(STAGES) for i, _ in self.next_stage.values()))
    @rule(
        law=laws,
        skip=st.integers(0, 2),
        gap=st.integers(0, 200),
        precision=precisions,
        step=st.integers(0, 3),
    )
    def advance_law(self, law: str, skip: int, gap: int, precision: str, step: int) -> None:
        index, earliest = self.next_stage[law]
        index = min(index + skip, len(STAGES) - 1) if index < len(STAGES) else index
        if index >= len(STAGES):
            return
        effective = fuzzy(earliest + timedelta(days=gap), precision)
        self.append([_raw(STAGES[index], law, effective, self.later(step))])
        self.next_stage[law] = (index + 1, first_day(effective))

    @rule(law=laws, promise=promises, step=st.integers(0, 3))
    def link(self, law: str, promise: str, step: int) -> None:
        # dated like the promise: a link is not itself a step of progress (docs are silent)
        effective = self.made[promise]
        link = _raw("link.added", law, effective, self.later(step), to=promise)
        self.append([{**link, "relation": "implements"}])

    @rule(data=st.data(), step=st.integers(0, 3))
    def retract(self, data: st.DataObject, step: int) -> None:
        targets = [raw for raw in self.raws if raw["type"] != "event.retracted"]
        if not targets:
            return
        target = data.draw(st.sampled_from(targets))
        retraction = _raw(
            "event.retracted",
            target["item"],
            target["effective"],
            self.later(step),
            retracted=target["id"],
            reason="Wrong.",
        )
        self.append([retraction])

    @rule(law=laws, promise=promises, day=days, step=st.integers(0, 3))
    def batch(self, law: str, promise: str, day: int, step: int) -> None:
        """A law stage and a link in one batch, at one recorded time."""
        index, earliest = self.next_stage[law]
        tick = self.later(step)
        raws = []
        if index < len(STAGES):
            effective = fuzzy(earliest + timedelta(days=day % 400), "day")
            raws.append(_raw(STAGES[index], law, effective, tick))
            self.next_stage[law] = (index + 1, first_day(effective))
        link = _raw("link.added", law, self.made[promise], tick, to=promise)
        raws.append({**link, "relation": "implements"})
        self.append(raws)

    @precondition(lambda self: self.raws)
    @rule(
        data=st.data(),
        shift=st.sampled_from([-1, 0, 0, 1, 100, 366, 800, 3000]),
        before=st.sampled_from([0, 0, 30]),
        method=st.sampled_from(METHODS),
    )
    def check_cut(self, data: st.DataObject, shift: int, before: int, method: str) -> None:
        """A cut near the dates and times the ledger holds, where statuses change, by the
        default method or the one a reader asks for."""
        day = data.draw(st.sampled_from(sorted({last_day(r["effective"]) for r in self.raws})))
        tick = data.draw(st.sampled_from(sorted({_tick(r) for r in self.raws})))
        moment = tick_time(tick) - timedelta(minutes=before)
        assert_agrees(self.store, self.raws, day + timedelta(days=shift), moment, method)

    @invariant()
    def the_latest_cut_agrees(self) -> None:
        """After every append: the projection caught up from its checkpoint by one batch."""
        if self.raws:
            latest = max(last_day(r["effective"]) for r in self.raws)
            assert_agrees(self.store, self.raws, latest, tick_time(self.tick))

    def teardown(self) -> None:
        if hasattr(self, "store"):
            try:
                verify(self.store)  # every append left a sound chain
            finally:
                self.store.close()


def test_the_checkpointed_projection_equals_the_reference_fold(new_ledger: NewLedger) -> None:
    machine = type("Machine", (LedgerMachine,), {"new_ledger": staticmethod(new_ledger)})
    run_state_machine_as_test(
        machine, settings=settings(new_ledger.settings, stateful_step_count=30)
    )


# -- scenarios: independent groups of related events ----------------------------------------------


@st.composite
def group(draw: st.DrawFn, name: str) -> list[dict[str, Any]]:
    """A promise, up to two laws with their stages and links, some retractions; each event
    with a tick (its batch) that never decreases along the group."""
    ticks = iter(itertools.accumulate(draw(st.lists(st.integers(0, 2), min_size=30, max_size=30))))
    made_day = BASE_DAY + timedelta(days=draw(days))
    made = fuzzy(made_day, draw(precisions))
    deadline = draw(st.none() | st.integers(0, 3 * 365))
    due = fuzzy(first_day(made) + timedelta(days=deadline), "day") if deadline is not None else None
    raws = [promise_raw(name, made, next(ticks), due)]
    for number in range(draw(st.integers(0, 2))):
        law = f"{name}-law{number}"
        index = draw(st.integers(0, 3))
        earliest = BASE_DAY + timedelta(days=draw(days))
        count = draw(st.integers(1, len(STAGES) - index))
        link_after = draw(st.integers(0, count))  # 0: never linked
        for step in range(1, count + 1):
            effective = fuzzy(earliest, draw(precisions))
            raws.append(_raw(STAGES[index + step - 1], law, effective, next(ticks), title=law))
            earliest = first_day(effective) + timedelta(days=draw(st.integers(0, 200)))
            if step == link_after:
                link = _raw("link.added", law, made, next(ticks), to=name)
                raws.append({**link, "relation": "implements"})
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(raws))
        if target["type"] != "event.retracted":
            raws.append(
                _raw(
                    "event.retracted",
                    target["item"],
                    target["effective"],
                    next(ticks),
                    retracted=target["id"],
                    reason="Wrong.",
                )
            )
    for raw in raws:
        raw["tick"] = _tick(raw)
    return raws


scenarios = st.integers(1, 4).flatmap(
    lambda n: st.tuples(*(group(f"g{i}") for i in range(n))).map(list)
)


def in_batches(order: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Events in append order, cut into batches of one recorded time each."""
    return [list(batch) for _, batch in itertools.groupby(order, key=lambda raw: raw["tick"])]


def clean(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "tick"}


def build(store: Store, order: list[dict[str, Any]]) -> None:
    for batch in in_batches(order):
        store.append(events_of([clean(raw) for raw in batch]))


def group_major(groups: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Append order: by recorded time, then group by group."""
    return sorted((raw for g in groups for raw in g), key=lambda raw: raw["tick"])


def cuts(raws: list[dict[str, Any]]) -> Iterator[tuple[date, datetime]]:
    """A spread of (as_of, known_at) cuts over the scenario's dates and recorded times."""
    ends = sorted({last_day(raw["effective"]) for raw in raws})
    as_ofs = sorted({ends[0], ends[len(ends) // 2], ends[-1], date(2026, 6, 30)})
    ticks = sorted({raw["tick"] for raw in raws})
    knowns = sorted({tick_time(t) for t in (ticks[0], ticks[len(ticks) // 2], ticks[-1])})
    for as_of in as_ofs:
        for known_at in [knowns[0] - timedelta(minutes=1), *knowns]:
            yield as_of, known_at


def full_view(store: Store, as_of: date, known_at: datetime) -> list[dict[str, Any]]:
    return [s.to_dict() for s in status(store, as_of=as_of, known_at=known_at).items]


# -- 2. the order of unrelated items' events does not matter --------------------------------------


def test_status_does_not_depend_on_how_unrelated_items_interleave(new_ledger: NewLedger) -> None:
    @new_ledger.settings
    @given(groups=scenarios, data=st.data())
    def check(groups: list[list[dict[str, Any]]], data: st.DataObject) -> None:
        interleaving_changes_nothing(new_ledger, groups, data)

    check()


def interleaving_changes_nothing(
    new_ledger: NewLedger, groups: list[list[dict[str, Any]]], data: st.DataObject
) -> None:
    shuffler = data.draw(st.randoms(use_true_random=False))
    queues = [list(g) for g in groups]
    interleaved = []
    while any(queues):
        # the group whose next event is earliest-recorded may go next, any of them on a tie
        tick = min(q[0]["tick"] for q in queues if q)
        ready = [q for q in queues if q and q[0]["tick"] == tick]
        interleaved.append(shuffler.choice(ready).pop(0))
    ordered = group_major(groups)
    with ledgers(new_ledger, 2) as (first, second):
        build(first, ordered)
        build(second, interleaved)
        for as_of, known_at in cuts(ordered):
            assert full_view(first, as_of, known_at) == full_view(second, as_of, known_at)
            for method in METHODS:
                assert_agrees(first, [clean(r) for r in ordered], as_of, known_at, method)


# -- 3. a refused batch changes nothing -----------------------------------------------------------


def _bad_events(raws: list[dict[str, Any]], kind: str, tick: int) -> dict[str, Any] | None:
    """One event the store must refuse, of the given kind, or None if this ledger has none."""
    promises = [r for r in raws if r["type"] == "promise.made"]
    links = [r for r in raws if r["type"] == "link.added"]
    retractions = [r for r in raws if r["type"] == "event.retracted"]
    if kind == "unknown item":
        return _raw("promise.abandoned", "ghost", "2020", tick, reason="Gone.")
    if kind == "promise made twice":
        return promise_raw(promises[0]["item"], "2020", tick, None)
    if kind == "link to an unknown item":
        return {**_raw("link.added", promises[0]["item"], "2020", tick, to="ghost"),
                "relation": "relates_to"}  # fmt: skip
    retracted = {r["retracted"] for r in retractions}
    live = [r for r in links if r["id"] not in retracted]
    if kind == "link cycle" and live:
        back = _raw("link.added", live[0]["to"], "2020", tick, to=live[0]["item"])
        return {**back, "relation": "implements"}
    if kind == "retraction of a retraction" and retractions:
        first = retractions[0]
        return _raw(
            "event.retracted", first["item"], "2020", tick, retracted=first["id"], reason="No."
        )
    if kind == "transaction time backwards":
        return {**promise_raw("p-late", "2020", 0, None), "recorded_at": "2018-12-31T00:00:00Z"}
    if kind == "another event under a stored id":
        return {**promise_raw("p-dup", "2020", tick, None), "id": raws[-1]["id"]}
    if kind == "law event on a promise":
        return _raw("law.signed", promises[0]["item"], "2020", tick)
    if kind == "unregistered source":
        unregistered = {**SOURCE, "document": "unregistered.txt"}
        return {**promise_raw("p-unsourced", "2020", tick, None), "source": unregistered}
    return None


REFUSED = [
    "unknown item",
    "promise made twice",
    "link to an unknown item",
    "link cycle",
    "retraction of a retraction",
    "transaction time backwards",
    "another event under a stored id",
    "law event on a promise",
    "unregistered source",
]


def test_a_refused_batch_leaves_the_digest_and_status_unchanged(new_ledger: NewLedger) -> None:
    @new_ledger.settings
    @given(
        groups=scenarios,
        kind=st.sampled_from(REFUSED),
        before=st.integers(0, 3),
        after=st.integers(0, 3),
    )
    def check(groups: list[list[dict[str, Any]]], kind: str, before: int, after: int) -> None:
        refusal_changes_nothing(new_ledger, groups, kind, before, after)

    check()


def refusal_changes_nothing(
    new_ledger: NewLedger, groups: list[list[dict[str, Any]]], kind: str, before: int, after: int
) -> None:
    ordered = group_major(groups)
    tick = ordered[-1]["tick"] + 1
    bad = _bad_events(ordered, kind, tick)
    assume(bad is not None)
    fresh = [promise_raw(f"new{i}", "2021", tick, None) for i in range(before + after)]
    batch = fresh[:before] + [bad] + fresh[before:]
    with ledgers(new_ledger, 1) as (store,):
        build(store, ordered)
        head, count = digest(store), store.count()
        seen = full_view(store, date(2026, 6, 30), tick_time(tick + 10))
        with pytest.raises(LedgerError):
            store.append(events_of(batch))
        assert (digest(store), store.count()) == (head, count)
        assert full_view(store, date(2026, 6, 30), tick_time(tick + 10)) == seen
        verify(store)


# -- 4. export, then import into a fresh ledger ---------------------------------------------------


def test_export_then_import_reproduces_the_status_at_every_cut(
    new_ledger: NewLedger, tmp_path_factory: pytest.TempPathFactory
) -> None:
    @new_ledger.settings
    @given(groups=scenarios)
    def check(groups: list[list[dict[str, Any]]]) -> None:
        round_trip_changes_nothing(new_ledger, groups, tmp_path_factory.mktemp("export"))

    check()


def round_trip_changes_nothing(
    new_ledger: NewLedger, groups: list[list[dict[str, Any]]], folder: Path
) -> None:
    ordered = group_major(groups)
    path = folder / "ledger.jsonl"
    with ledgers(new_ledger, 2, empty=1) as (original, copy):
        build(original, ordered)
        path.write_text("".join(export_events(original, "jsonl")), encoding="utf-8")
        summary = import_files(copy, [path])
        assert (summary.appended, summary.skipped) == (original.count(), 0)
        assert digest(copy) == digest(original)
        for as_of, known_at in cuts(ordered):
            assert full_view(copy, as_of, known_at) == full_view(original, as_of, known_at)
