"""Method reform-ledger/2, one test per rule (docs/status-rules.md), on both engines.

No status is earned by silence: a stall is a cited statement, a deadline is a cited date,
and what the ledger has not heard about shows as freshness, never as a finding.
"""

from __future__ import annotations

from datetime import date

import pytest

from ledger import Knowledge, catch_up, evaluate, evaluate_series, parse_known_at, status
from tests.conftest import link, make, promise, registered

METHOD_1 = "reform-ledger/1"
NEGATIVE = {"stalled", "overdue", "broken", "reversed"}


def status_of(store, item: str, as_of: str, method: str | None = None):
    return {s.item: s for s in status(store, as_of=as_of, method=method).items}.get(item)


def cited(document: str, quote: str = "a verbatim quote") -> dict:
    return {"document": document, "locator": "Section 1", "quote": quote}


def claim(item: str, effective: str, document: str, attribute: str, value, **fields):
    """A source's claim about ``item``, cited to ``document``."""
    return make(
        "claim.recorded",
        item,
        effective,
        attribute=attribute,
        value=value,
        source=cited(document),
        **fields,
    )


def test_silence_is_freshness_not_a_finding(store):
    store.append(
        [
            promise("p", "2019-03-16"),
            make("law.drafted", "l", "2019-04-02"),
            link("l", "p", effective="2019-04-02"),
        ]
    )
    result = status_of(store, "p", "2024-06-30")
    assert result.status == "in_progress" and result.since == "2019-04-02"
    assert (result.last_evidence, result.evidence_gap) == ("2019-04-02", True)
    assert status_of(store, "p", "2024-06-30", METHOD_1).status == "stalled"
    fresh = status_of(store, "p", "2020-03-31")
    assert (fresh.last_evidence, fresh.evidence_gap) == ("2019-04-02", False)


def test_stalled_when_a_source_says_the_work_stopped(store):
    stall = make("promise.stalled", "p", "2023-05", summary="The bill was shelved.")
    store.append([promise("p", "2022-03-16"), stall])
    result = status_of(store, "p", "2023-06-30")
    assert (result.status, result.since, result.cause_event) == (
        "stalled",
        "2023-05",
        str(stall.id),
    )
    assert status_of(store, "p", "2023-04-30").status == "announced"


def test_a_later_step_ends_a_stall(store):
    store.append(
        [
            promise("p", "2022-03-16"),
            make("promise.stalled", "p", "2022-09", summary="Talks broke down."),
            make("law.drafted", "l", "2023-02-01"),
            link("l", "p", effective="2023-02-01"),
        ]
    )
    assert status_of(store, "p", "2022-12-31").status == "stalled"
    assert status_of(store, "p", "2023-03-31").status == "in_progress"


def test_a_shelved_bill_stalls_the_promise_it_implements(store):
    shelved = make("law.stalled", "l", "2023-01", summary="Withdrawn from the Mazhilis.")
    store.append(
        [promise("p", "2022-03"), make("law.drafted", "l", "2022-06-01"), link("l", "p"), shelved]
    )
    promise_now, law_now = status_of(store, "p", "2023-02-01"), status_of(store, "l", "2023-02-01")
    assert (promise_now.status, promise_now.cause_event) == ("stalled", str(shelved.id))
    assert (law_now.status, law_now.cause_event) == ("stalled", str(shelved.id))


def test_overdue_names_the_event_that_set_the_deadline(store):
    made = promise("p", "2022-03-16", deadline="2022-12")
    store.append([made])
    result = status_of(store, "p", "2023-02-01")
    assert (result.status, result.since, result.cause_event) == (
        "overdue",
        "2023-01-01",
        str(made.id),
    )


def test_a_deadline_a_source_implies_is_the_promises_deadline_marked_implied(store):
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    stated = make(
        "promise.deadline_stated",
        "p",
        "2022-04",
        deadline="2022-12",
        implied=True,
        summary="to be done by the end of the year",
        source=cited("other.txt"),
    )
    store.append([promise("p", "2022-03-16"), stated])
    result = status_of(store, "p", "2023-01-15")
    assert (result.status, result.deadline, result.deadline_implied) == ("overdue", "2022-12", True)
    assert result.cause_event == str(stated.id)
    # method 1 did not know stated deadlines
    assert status_of(store, "p", "2023-01-15", METHOD_1).deadline is None


def test_evidence_grade_and_sources_behind_a_status(store):
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    store.append(
        [
            promise("p", "2022-03"),
            make("law.in_force", "l", "2023-01-01", grade="reported", source=cited("a.txt")),
            make("law.in_force", "l", "2023-01-01", grade="reported", source=cited("b.txt")),
            make("law.in_force", "l", "2023-01", grade="claimed", source=cited("c.txt")),
            link("l", "p"),
        ]
    )
    result = status_of(store, "p", "2023-06-30")
    assert result.status == "delivered"
    assert result.evidence == {"grade": "reported", "sources": ["a.txt", "b.txt"]}


def test_a_claim_by_the_government_only_is_graded_claimed(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("milestone.reached", "m", "2023-01", what="Opened.", grade="claimed"),
            link("m", "p", effective="2023-01"),
        ]
    )
    result = status_of(store, "p", "2023-06-30")
    assert result.evidence == {"grade": "claimed", "sources": ["test.txt"]}


def test_sources_claims_that_cannot_both_be_true_make_it_contested(store):
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    store.append(
        [
            promise("p", "2021-01", source=cited("a.txt")),
            claim("p", "2022", "a.txt", "introduced_by_package", "third package"),
            claim("p", "2023", "c.txt", "introduced_by_package", "Third   Package"),
            claim("p", "2023", "b.txt", "introduced_by_package", "constitutional reform of 2022"),
        ]
    )
    result = status_of(store, "p", "2023-12-31")
    assert result.contested_reasons == [
        "sources disagree on introduced by package: constitutional reform of 2022 per b.txt; "
        "third package per a.txt, c.txt"
    ]
    assert status_of(store, "p", "2023-12-31", METHOD_1).contested is False


def test_claims_that_agree_up_to_rounding_or_date_precision_are_no_disagreement(store):
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    store.append(
        [
            promise("p", "2021-01", source=cited("a.txt")),
            claim("p", "2022", "a.txt", "count", 68, qualifier="about", unit="%"),
            claim("p", "2022", "b.txt", "count", 68.05, unit="%"),
            claim("p", "2022", "a.txt", "start_date", "2019"),
            claim("p", "2022", "b.txt", "start_date", "2019-03"),
        ]
    )
    assert status_of(store, "p", "2023-01-01").contested_reasons == []


def test_two_sources_deadlines_that_cannot_both_hold_make_it_contested(store):
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    store.append(
        [
            promise("p", "2022-03-16", deadline="2022-12", source=cited("a.txt")),
            make(
                "promise.deadline_stated", "p", "2022-04", deadline="2025", source=cited("b.txt")
            ),  # fmt: skip
        ]
    )
    result = status_of(store, "p", "2023-01-15")
    assert "sources disagree on the date of deadline: 2022-12 per a.txt; 2025 per b.txt" in (
        result.contested_reasons
    )
    assert (result.status, result.deadline) == ("announced", "2025")  # the latest statement


def _varied(store) -> None:
    store.append(
        [
            promise("quiet", "2019-01"),
            promise("late", "2020-03", deadline="2021-06"),
            promise("given-up", "2020-05"),
            make("promise.abandoned", "given-up", "2021-08", reason="renounced"),
            promise("undone", "2020-01"),
            make("amendment.adopted", "amend", "2020-06-05"),
            link("amend", "undone", effective="2020-06-05"),
            make("amendment.in_force", "amend", "2021-01-01"),
            make("law.signed", "undo", "2022-05-01"),
            link("undo", "amend", "reverses", "2022-05-01"),
            promise("shelved", "2020-02"),
            make("promise.stalled", "shelved", "2021-02", summary="Shelved."),
            make("law.drafted", "bill", "2020-04"),
            make("law.stalled", "bill", "2021-09", summary="Stuck in committee."),
        ]
    )


def test_no_negative_finding_without_a_cited_event(store):
    _varied(store)
    for year in range(2019, 2025):
        for item in status(store, as_of=f"{year}-12-31").items:
            if item.status in NEGATIVE:
                assert item.cause_event, (year, item.item, item.status)
                assert item.evidence and item.evidence["sources"], (year, item.item)
    found = {s.item: s.status for s in status(store, as_of="2024-12-31").items}
    assert found == {
        "amend": "reversed",
        "bill": "stalled",
        "given-up": "broken",
        "late": "overdue",
        "quiet": "announced",
        "shelved": "stalled",
        "undo": "adopted",
        "undone": "reversed",
    }


@pytest.mark.parametrize("method", ["reform-ledger/1", "reform-ledger/2"])
def test_the_series_walk_equals_evaluate_under_each_method(store, method):
    _varied(store)
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    days = [date(year, month, 28) for year in range(2019, 2025) for month in range(1, 13)]
    series = evaluate_series(knowledge, days, method=method)
    for day in days:
        assert series[day] == evaluate(knowledge.at(day), method), day


def test_an_unknown_method_is_refused(store):
    from events import InvalidInput

    with pytest.raises(InvalidInput, match="--method 'reform-ledger/9': use one of"):
        status(store, method="reform-ledger/9")


def _claims_over_time(store) -> None:
    """Claims that start to disagree at different dates; the year-dated one sorts before
    the month-dated claim of that year but happens only at its end (its fold is redone)."""
    registered(store, "a.txt", "b.txt", "c.txt", "other.txt")
    store.append(
        [
            promise("p", "2021-01", deadline="2023-06", source=cited("a.txt")),
            claim("p", "2021-03", "a.txt", "count", 68, unit="%"),
            claim("p", "2021-05", "b.txt", "count", 70, unit="%"),
            claim("p", "2022-02", "b.txt", "start_date", "2020"),
            claim("p", "2022", "a.txt", "start_date", "2019"),
            make(
                "promise.deadline_stated",
                "p",
                "2022-04",
                deadline="2025",
                source=cited("c.txt"),
            ),  # fmt: skip
        ]
    )


@pytest.mark.parametrize("method", ["reform-ledger/1", "reform-ledger/2"])
def test_claims_found_along_the_series_walk_equal_claims_found_at_each_date(store, method):
    _claims_over_time(store)
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    days = [date(year, month, 28) for year in range(2021, 2024) for month in range(1, 13)]
    # from the promise's month on; on 2022-12-31 the year-dated claim happens (a refold)
    days = [*days[1:], date(2022, 12, 31)]
    series = evaluate_series(knowledge, days, method=method)
    for day in days:
        assert series[day] == evaluate(knowledge.at(day), method), day
    reasons = {day: next(s for s in series[day] if s.item == "p").contested_reasons for day in days}
    if method == METHOD_1:  # method 1 did not know claims or stated deadlines
        assert all(found == [] for found in reasons.values())
        return
    assert reasons[date(2021, 5, 28)] == []  # a month-dated claim happens at its end
    assert reasons[date(2021, 6, 28)] == [
        "sources disagree on count: 68 % per a.txt; 70 % per b.txt"
    ]
    assert len(reasons[date(2022, 5, 28)]) == len(reasons[date(2022, 12, 28)]) == 2  # deadlines
    assert len(reasons[date(2022, 12, 31)]) == 3  # and the start dates


def test_a_date_not_exact_the_window_moved_to_is_derived_for_counting(store):
    """At a date not in ``exact`` the walk keeps the last answer while nothing can change
    it, and derives for counting (no contested flags) once the 12-month window passed one
    of the item's dates: only at the dates in ``exact`` is such an answer restated."""
    _claims_over_time(store)
    knowledge = Knowledge(catch_up(store).log, parse_known_at(None))
    days = [date(2023, month, 28) for month in range(1, 13)]
    series = evaluate_series(knowledge, days, exact=days[:1])
    assert series[days[0]] == evaluate(knowledge.at(days[0]))
    assert series[days[0]][0].contested
    for day in days[1:]:
        expected = evaluate(knowledge.at(day))
        assert [(s.status, s.evidence_gap) for s in series[day]] == [
            (s.status, s.evidence_gap) for s in expected
        ], day
    # the window passes the 2022-02 claim's end between the February and March dates
    assert [series[day][0].contested for day in days] == [True, True] + [False] * 10


def test_claims_accumulated_over_two_dates_equal_claims_found_at_once(store):
    from ledger.projections.status import ItemFold, Rules, disagreements

    _claims_over_time(store)
    store.append(
        [
            make(
                "assessment.recorded",
                "p",
                "2023-01",
                assessor="A",
                verdict="delivered",
                rationale="r",
                source=cited("a.txt"),
            ),  # fmt: skip
            make(
                "assessment.recorded",
                "p",
                "2023-01",
                assessor="B",
                verdict="broken",
                rationale="r",
                source=cited("b.txt"),
            ),  # fmt: skip
        ]
    )
    events = Knowledge(catch_up(store).log, parse_known_at(None)).streams["p"].events
    rules = {
        method: Rules("2023-12-31", "2022-12-31", method)
        for method in ("reform-ledger/1", "reform-ledger/2")
    }
    for split in range(len(events) + 1):
        grown = ItemFold("p", "promise", events[:split])
        for method_rules in rules.values():  # found once before the fold grows
            assert disagreements(grown, "announced", None, method_rules) == disagreements(
                ItemFold("p", "promise", events[:split]), "announced", None, method_rules
            )
        grown.extend(events[split:])
        whole = ItemFold("p", "promise", events)
        assert grown.claimed() == whole.claimed(), split
        assert grown.verdicts() == whole.verdicts(), split
        for method, method_rules in rules.items():
            found = disagreements(grown, "announced", None, method_rules)
            assert found == disagreements(whole, "announced", None, method_rules), (split, method)
            # the verdicts differ from each other and from the status; method 2 adds claims
            assert [d.kind for d in found][:3] == ["verdicts", *["verdict_vs_status"] * 2]
            assert len(found) == (3 if method == METHOD_1 else 6)
