"""``evaluate_series`` (one walk over many dates) gives exactly what ``evaluate`` gives at
each date's cut of the same knowledge."""

from __future__ import annotations

from datetime import date

from ledger import (
    Knowledge,
    catch_up,
    evaluate,
    evaluate_series,
    linked_groups,
    load_dataset,
    parse_known_at,
)
from tests.conftest import link, make, promise

#: A promise's target: 100 jobs from none in 2020.
JOBS_TARGET = {
    "metric": "jobs",
    "unit": "jobs",
    "baseline": 0,
    "baseline_date": "2020",
    "goal": 100,
    "direction": "up",
}


def _varied_ledger(store) -> None:
    target = JOBS_TARGET
    store.append(
        [
            promise("announced-only", "2020-03-16"),
            promise("deadline", "2020-03", deadline="2021-06"),
            promise("delivered", "2020-01", deadline="2021"),
            make("law.drafted", "law-a", "2020-04", title="Law A"),
            link("law-a", "delivered", effective="2020-04"),
            make("law.signed", "law-a", "2020-09-01"),
            make("law.in_force", "law-a", "2021-03"),
            promise("target", "2020-02", deadline="2022-12", target=target),
            make(
                "measurement.recorded",
                "target",
                "2019",
                metric="jobs",
                value=0,
                unit="jobs",
                period="2019",
            ),
            make(
                "measurement.recorded",
                "target",
                "2021",
                metric="jobs",
                value=40,
                unit="jobs",
                period="2021",
            ),
            make(
                "measurement.recorded",
                "target",
                "2022-12",
                metric="jobs",
                value=70,
                unit="jobs",
                period="2022",
            ),
            promise("reversed", "2020-01"),
            make("amendment.adopted", "amend", "2020-06-05", title="Amendment"),
            link("amend", "reversed", effective="2020-06-05"),
            make("amendment.in_force", "amend", "2021-01-01"),
            make("law.signed", "undo", "2022-05-01", title="Undo"),
            link("undo", "amend", "reverses", "2022-05-01"),
            promise("abandoned", "2020-05"),
            make("promise.abandoned", "abandoned", "2021-08", reason="renounced"),
            make(
                "assessment.recorded",
                "delivered",
                "2022-06",
                assessor="A",
                verdict="broken",
                rationale="r",
            ),
        ]
    )


def test_series_equals_evaluate_at_every_quarter_end(store):
    _varied_ledger(store)
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    dates = [
        date(year, month, [31, 30, 30, 31][month // 3 - 1])
        for year in range(2019, 2024)
        for month in (3, 6, 9, 12)
    ]
    series = evaluate_series(knowledge, dates)
    for day in dates:
        assert series[day] == evaluate(knowledge.at(day)), day


def _month_ends_and_middles(first: int, last: int) -> list[date]:
    days = []
    for year in range(first, last + 1):
        for month in range(1, 13):
            following = date(year + month // 12, month % 12 + 1, 1)
            days += [date(year, month, 15), date.fromordinal(following.toordinal() - 1)]
    return days


def test_series_refolds_when_a_longer_span_becomes_visible_after_a_shorter_one(store):
    """A month-dated event sorts before a day inside that month but becomes visible only
    at the month's end: the walk must not simply add it after what it already folded."""
    _varied_ledger(store)
    store.append(
        [
            promise("span", "2020-01-05"),
            make("law.drafted", "law-span", "2020-02-10", title="Span law"),
            link("law-span", "span", effective="2020-02-10"),
            make("law.passed", "law-span", "2020-02", chamber="Mazhilis"),
            make("law.signed", "law-span", "2020-03-20"),
            make("law.amended", "law-span", "2020", summary="A year-dated amendment."),
        ]
    )
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    dates = _month_ends_and_middles(2019, 2022)
    series = evaluate_series(knowledge, dates)
    for day in dates:
        assert series[day] == evaluate(knowledge.at(day)), day
    february = next(s for s in series[date(2020, 2, 29)] if s.item == "law-span")
    assert (february.status, february.since) == ("in_progress", "2020-02-10")


def test_series_equals_evaluate_on_the_bundled_dataset_at_every_month(store):
    load_dataset(store)
    log = catch_up(store).log
    for known_at in (parse_known_at("2022-06-30"), parse_known_at(None)):
        knowledge = Knowledge(log, known_at)
        dates = _month_ends_and_middles(2012, 2024)
        series = evaluate_series(knowledge, dates, exact=dates[::7])
        for day in dates[::7]:
            assert series[day] == evaluate(knowledge.at(day)), (known_at, day)
        for day in dates:
            expected = [(s.item, s.status, s.since) for s in evaluate(knowledge.at(day))]
            assert [(s.item, s.status, s.since) for s in series[day]] == expected, day


def test_a_linked_groups_series_alone_equals_its_items_in_the_whole_series(store):
    from ledger.projections.view import group_of, link_neighbours

    _varied_ledger(store)
    log, known_at = catch_up(store).log, parse_known_at(None)
    dates = [date(year, month, 28) for year in range(2020, 2024) for month in (3, 6, 9, 12)]
    whole = evaluate_series(Knowledge(log, known_at), dates)
    group = group_of(link_neighbours(log, known_at), ["delivered"])
    assert group == {"delivered", "law-a"}
    alone = evaluate_series(Knowledge(log, known_at, items=group), dates)
    for day in dates:
        assert alone[day] == [s for s in whole[day] if s.item in group]


def test_each_linked_group_alone_gives_what_the_whole_walk_gives_it(store):
    _varied_ledger(store)
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    groups = linked_groups(knowledge)
    assert sorted(item for group in groups for item in group) == sorted(knowledge.streams)
    assert ["amend", "reversed", "undo"] in [sorted(group) for group in groups]
    dates = [date(year, 12, 31) for year in range(2019, 2024)]
    whole = evaluate_series(knowledge, dates)
    for group in groups:
        alone = evaluate_series(knowledge, dates, items=group[:1])
        for day in dates:
            assert alone[day] == [s for s in whole[day] if s.item in group], (group, day)


def test_time_passing_alone_moves_freshness_and_on_track_as_evaluate_does(store):
    """Between dates with no new event the walk restates its last results instead of
    deriving them again: the 12-month window passes the latest evidence (a gap in the
    coverage), and the share of elapsed time overtakes the target's progress."""
    target = JOBS_TARGET
    store.append(
        [
            promise("target", "2020-02", deadline="2022-12", target=target),
            make(
                "measurement.recorded",
                "target",
                "2020-12",
                metric="jobs",
                value=40,
                unit="jobs",
                period="2020-12",
            ),  # fmt: skip
        ]
    )
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    dates = [date(2021, 1, 31), date(2021, 6, 30), date(2022, 1, 31), date(2023, 6, 30)]
    for method in ("reform-ledger/1", "reform-ledger/2"):
        series = evaluate_series(knowledge, dates, method=method)
        for day in dates:
            assert series[day] == evaluate(knowledge.at(day), method), (method, day)
    series = evaluate_series(knowledge, dates)
    seen = [(s.status, s.evidence_gap, s.target["on_track"]) for d in dates for s in series[d]]
    assert seen == [
        ("in_progress", False, True),
        ("in_progress", False, False),
        ("in_progress", True, False),
        ("partial", True, False),  # the deadline passed with the target partly met
    ]
