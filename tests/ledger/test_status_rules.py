"""One test per status rule (docs/status-rules.md), on both engines.

Each test builds the smallest ledger that triggers the rule and asks for the status at a
chosen as-of date, the way a reader would.
"""

from __future__ import annotations

import pytest

from ledger import status
from tests.conftest import link, make, promise

METHOD_1 = "reform-ledger/1"


def status_of(store, item: str, as_of: str, known_at: str | None = None, method=None):
    found = {s.item: s for s in status(store, as_of=as_of, known_at=known_at, method=method).items}
    return found.get(item)


def share_target(baseline_date: str = "2022") -> dict:
    """Cut a share from 20 % to 10 %."""
    return {
        "metric": "share",
        "unit": "%",
        "baseline": 20,
        "baseline_date": baseline_date,
        "goal": 10,
        "direction": "down",
    }


def share_measured(effective: str, value: float, *, period: str):
    return make(
        "measurement.recorded", "p", effective, metric="share", value=value, unit="%", period=period
    )


def law(item: str, stage: str, effective: str, **fields):
    return make(f"law.{stage}", item, effective, **fields)


def test_announced_when_promised_and_nothing_else(store):
    store.append([promise("p", "2022-03-16")])
    assert status_of(store, "p", "2022-06-30").status == "announced"


def test_not_visible_before_it_was_made(store):
    store.append([promise("p", "2022-03-16")])
    assert status_of(store, "p", "2022-03-15") is None


def test_in_progress_when_an_implementing_bill_is_drafted(store):
    store.append([promise("p", "2022-03"), law("l", "drafted", "2022-04-02"), link("l", "p")])
    assert status_of(store, "p", "2022-04-30").status == "in_progress"


def test_adopted_when_the_implementing_law_is_signed(store):
    store.append([promise("p", "2022-03"), law("l", "signed", "2022-05-05"), link("l", "p")])
    result = status_of(store, "p", "2022-06-01")
    assert (result.status, result.since, result.implemented_by) == ("adopted", "2022-05-05", ["l"])


def test_delivered_when_the_implementing_law_is_in_force(store):
    store.append(
        [
            promise("p", "2022-03", deadline="2023"),
            law("l", "in_force", "2023-01-01"),
            link("l", "p"),
        ]
    )
    result = status_of(store, "p", "2023-02-01")
    assert (result.status, result.late) == ("delivered", False)


def test_delivered_late_when_after_the_deadline(store):
    store.append(
        [
            promise("p", "2022-03", deadline="2022-06"),
            law("l", "in_force", "2022-09-01"),
            link("l", "p"),
        ]
    )
    result = status_of(store, "p", "2022-10-01")
    assert (result.status, result.late) == ("delivered", True)


def test_a_milestone_reached_delivers(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("milestone.reached", "m", "2023-11", what="first direct elections held"),
            link("m", "p"),
        ]
    )
    assert status_of(store, "p", "2023-12-31").status == "delivered"


def test_partial_when_only_partially_implemented(store):
    store.append(
        [
            promise("p", "2022-03"),
            law("l", "in_force", "2022-07-01"),
            link("l", "p", "partially_implements"),
        ]
    )
    assert status_of(store, "p", "2022-08-01").status == "partial"


def test_partial_when_scope_was_cut(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("promise.revised", "p", "2022-04", change="scope_cut", summary="only districts"),
            law("l", "in_force", "2022-07-01"),
            link("l", "p"),
        ]
    )
    assert status_of(store, "p", "2022-08-01").status == "partial"


def test_partial_when_target_partly_met_at_deadline(store):
    target = share_target(baseline_date="2022")
    store.append(
        [
            promise("p", "2022-03", deadline="2023", target=target),
            share_measured("2024-01", 15, period="2023"),
        ]
    )
    result = status_of(store, "p", "2024-02-01")
    assert result.status == "partial"
    assert result.target["progress"] == 0.5


def test_delivered_when_target_met(store):
    target = share_target(baseline_date="2022")
    store.append(
        [
            promise("p", "2022-03", deadline="2025", target=target),
            share_measured("2024-01", 9.5, period="2023"),
        ]
    )
    assert status_of(store, "p", "2024-02-01").status == "delivered"


def test_target_progress_and_on_track(store):
    target = {
        "metric": "jobs",
        "unit": "jobs",
        "baseline": 0,
        "baseline_date": "2022-01-01",
        "goal": 100,
        "direction": "up",
    }
    store.append(
        [
            promise("p", "2022-01-01", deadline="2025-12-31", target=target),
            make(
                "measurement.recorded",
                "p",
                "2023-12-31",
                metric="jobs",
                value=60,
                unit="jobs",
                period="2023",
            ),
        ]
    )
    result = status_of(store, "p", "2024-01-01")
    assert result.target["progress"] == 0.6
    assert result.target["on_track"] is True  # 60 % done after 50 % of the time
    assert result.status == "in_progress"


def test_method_1_stalled_after_twelve_months_without_progress(store):
    store.append([promise("p", "2022-03-16"), law("l", "drafted", "2022-04-01"), link("l", "p")])
    assert status_of(store, "p", "2023-03-31", method=METHOD_1).status == "in_progress"
    assert status_of(store, "p", "2023-04-02", method=METHOD_1).status == "stalled"


def test_overdue_when_deadline_passed_undelivered(store):
    store.append([promise("p", "2022-03", deadline="2022-12")])
    assert status_of(store, "p", "2022-12-31").status == "announced"
    assert status_of(store, "p", "2023-01-01").status == "overdue"


def test_deadline_moved_by_revision(store):
    store.append(
        [
            promise("p", "2022-03", deadline="2022-12"),
            make(
                "promise.revised",
                "p",
                "2022-11",
                change="deadline_moved",
                summary="to 2024",
                deadline="2024",
            ),
        ]
    )
    result = status_of(store, "p", "2023-06-01")
    assert (result.status, result.deadline) == ("announced", "2024")


def test_broken_when_abandoned_beats_everything(store):
    store.append(
        [
            promise("p", "2022-03"),
            law("l", "in_force", "2022-05-01"),
            link("l", "p"),
            make("promise.abandoned", "p", "2022-06", reason="renounced in a speech"),
        ]
    )
    assert status_of(store, "p", "2022-07-01").status == "broken"


def test_reversed_when_delivered_then_repealed(store):
    store.append(
        [
            promise("p", "2022-03"),
            law("l", "in_force", "2022-05-01"),
            link("l", "p"),
            law("l", "repealed", "2023-05-01"),
        ]
    )
    assert status_of(store, "p", "2023-01-01").status == "delivered"
    assert status_of(store, "p", "2023-06-01").status == "reversed"


def test_reversed_by_a_law_that_reverses_the_implementing_one(store):
    store.append(
        [
            promise("p", "2022-03"),
            law("l", "in_force", "2022-05-01"),
            link("l", "p"),
            law("undo", "signed", "2023-05-01"),
            link("undo", "l", "reverses", "2023-05-01"),
        ]
    )
    assert status_of(store, "p", "2023-06-01").status == "reversed"
    assert status_of(store, "l", "2023-06-01").status == "reversed"


def test_unverifiable_when_marked_by_an_editor(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("promise.marked_unverifiable", "p", "2022-04", reason="no public data"),
        ]
    )
    assert status_of(store, "p", "2022-05-01").status == "unverifiable"


def test_month_precision_counts_once_the_whole_month_has_passed(store):
    store.append(
        [
            promise("p", "2020-01"),
            law("l", "in_force", "2020-09"),
            link("l", "p", effective="2020-09"),
        ]
    )
    assert status_of(store, "p", "2020-09-15").status == "announced"
    assert status_of(store, "p", "2020-09-30").status == "delivered"


def test_known_at_hides_what_was_recorded_later(store):
    store.append(
        [
            promise("p", "2022-03", recorded_at="2022-05-31"),
            law("l", "in_force", "2022-05-01", recorded_at="2023-09-15"),
            link("l", "p", effective="2022-05-01"),
        ]
    )
    assert status_of(store, "p", "2022-12-31", known_at="2022-06-30").status == "announced"
    assert status_of(store, "p", "2022-12-31").status == "delivered"


def test_retraction_applies_from_its_recorded_time_on(store):
    signed = law("l", "in_force", "2022-05-01", recorded_at="2022-06-01")
    store.append([promise("p", "2022-03", recorded_at="2022-06-01"), signed, link("l", "p")])
    # the link is recorded now; so is the retraction of the law's entry into force
    store.append(
        [
            make(
                "event.retracted",
                "l",
                "2022-05-01",
                retracted=str(signed.id),
                reason="wrong date; it was only signed",
            )
        ]
    )
    assert status_of(store, "l", "2022-12-31").status not in {"delivered"}
    # before the retraction was recorded, the ledger held the law as in force
    assert status_of(store, "l", "2022-12-31", known_at="2022-06-02").status == "delivered"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2022-03-15", None),
        ("2022-03-16", "announced"),
        ("2022-04-30", "in_progress"),
        ("2022-06-05", "adopted"),
        ("2023-01-01", "delivered"),
        ("2024-03-31", "reversed"),
    ],
)
def test_walk_one_promise_through_its_life(store, as_of, expected):
    store.append(
        [
            promise("death-penalty", "2022-03-16", deadline="2023"),
            make("amendment.proposed", "amend", "2022-04-29", title="Abolish the death penalty"),
            link("amend", "death-penalty", effective="2022-04-29"),
            make("amendment.adopted", "amend", "2022-06-05", route="referendum"),
            make("amendment.in_force", "amend", "2023-01-01"),
            make("law.signed", "restore", "2024-03-01", title="Law restoring the death penalty"),
            link("restore", "amend", "reverses", "2024-03-01"),
        ]
    )
    result = status_of(store, "death-penalty", as_of)
    assert (result.status if result else None) == expected


def test_contested_when_sources_verdicts_disagree(store):
    store.append(
        [
            promise("p", "2022-03"),
            make(
                "assessment.recorded",
                "p",
                "2022-06",
                assessor="ECFR",
                verdict="broken",
                rationale="window dressing",
            ),
            make(
                "assessment.recorded",
                "p",
                "2024-03",
                assessor="Overview",
                verdict="delivered",
                rationale="successfully implemented",
            ),
        ]
    )
    result = status_of(store, "p", "2024-04-01")
    assert result.contested
    assert result.contested_reasons[0] == (
        "sources' verdicts disagree (ECFR (2022-06): broken; Overview (2024-03): delivered)"
    )
    assert [a["assessor"] for a in result.assessments] == ["ECFR", "Overview"]


def test_a_later_verdict_showing_more_progress_is_not_a_disagreement(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("amendment.in_force", "a", "2023-01-01", title="Amendment"),
            link("a", "p", effective="2023-01-01"),
            make(
                "assessment.recorded",
                "p",
                "2022-05-31",
                assessor="Early",
                verdict="announced",
                rationale="only promised so far",
            ),
            make(
                "assessment.recorded",
                "p",
                "2024-03",
                assessor="Late",
                verdict="delivered",
                rationale="done",
            ),
        ]
    )
    assert status_of(store, "p", "2024-04-01").contested_reasons == []


def test_contested_when_a_source_says_delivered_and_nothing_shows_it(store):
    store.append(
        [
            promise("p", "2022-03"),
            make(
                "assessment.recorded",
                "p",
                "2024-03",
                assessor="Overview",
                verdict="delivered",
                rationale="successfully implemented",
            ),
        ]
    )
    assert status_of(store, "p", "2024-04-01").contested_reasons == [
        "Overview's verdict (delivered, 2024-03) differs from the derived status "
        "(announced since 2022-03)"
    ]
    assert status_of(store, "p", "2024-04-01", method=METHOD_1).contested_reasons == [
        "Overview's verdict (delivered, 2024-03) differs from the derived status "
        "(stalled since 2023-04-01)"
    ]


def test_contested_when_a_later_source_says_less_than_was_reached(store):
    store.append(
        [
            promise("p", "2022-03"),
            make("amendment.in_force", "a", "2023-01-01", title="Amendment"),
            link("a", "p", effective="2023-01-01"),
            make(
                "assessment.recorded",
                "p",
                "2023-06",
                assessor="Critic",
                verdict="announced",
                rationale="nothing has changed",
            ),
        ]
    )
    [reason] = status_of(store, "p", "2023-12-31").contested_reasons
    assert reason.startswith("Critic's verdict (announced, 2023-06) differs")


def test_contested_when_sources_give_different_numbers(store):
    first = make("milestone.reached", "unrest", "2022-01", what="January events")
    one = make(
        "measurement.recorded",
        "unrest",
        "2022-01",
        metric="deaths",
        value=225,
        unit="people",
        period="2022-01",
    )
    other = make(
        "measurement.recorded",
        "unrest",
        "2022-01",
        metric="deaths",
        value=230,
        unit="people",
        period="2022-01",
        qualifier="more_than",
    )
    other = other.model_copy(
        update={"source": other.source.model_copy(update={"document": "b.txt"})}
    )
    store.append([first, one, other])
    result = status_of(store, "unrest", "2022-12-31")
    assert result.contested
    assert result.contested_reasons == [
        "sources disagree on the value of deaths (2022-01): 225 people per test.txt; "
        "more than 230 people per b.txt"
    ]


def test_contested_when_sources_count_in_different_units(store):
    first = make("law.signed", "parties", "2022-11", title="Law on parties")
    one = make(
        "measurement.recorded",
        "parties",
        "2022-11",
        metric="threshold",
        value=5000,
        unit="signatures",
        period="2022",
    )
    other = make(
        "measurement.recorded",
        "parties",
        "2022-11",
        metric="threshold",
        value=5000,
        unit="members",
        period="2022",
    )
    other = other.model_copy(
        update={"source": other.source.model_copy(update={"document": "b.txt"})}
    )
    store.append([first, one, other])
    assert status_of(store, "parties", "2023-01-01").contested_reasons == [
        "sources disagree on the value of threshold (2022): 5000 members per b.txt; "
        "5000 signatures per test.txt"
    ]


def test_not_contested_when_one_source_only_rounds_the_other(store):
    first = make("milestone.reached", "vote", "2022-06-05", what="referendum held")
    precise = make(
        "measurement.recorded",
        "vote",
        "2022-06-05",
        metric="turnout",
        value=68.05,
        unit="%",
        period="2022-06-05",
    )
    rough = make(
        "measurement.recorded",
        "vote",
        "2022-06-05",
        metric="turnout",
        value=68,
        unit="%",
        period="2022-06-05",
        qualifier="about",
    )
    rough = rough.model_copy(update={"source": rough.source.model_copy(update={"document": "b"})})
    store.append([first, precise, rough])
    assert not status_of(store, "vote", "2022-12-31").contested


def test_dates_of_different_precision_that_overlap_agree_and_disjoint_ones_do_not(store):
    def reached(item: str, effective: str, document: str):
        event = make("milestone.reached", item, effective, what="it happened")
        return event.model_copy(
            update={"source": event.source.model_copy(update={"document": document})}
        )

    store.append(
        [
            reached("resignation", "2019", "a"),
            reached("resignation", "2019-03", "b"),
            reached("election", "2022", "a"),
            reached("election", "2023-03-19", "b"),
        ]
    )
    assert not status_of(store, "resignation", "2024-01-01").contested
    assert status_of(store, "election", "2024-01-01").contested_reasons == [
        "sources disagree on the date of milestone.reached: 2022 per a; 2023-03-19 per b"
    ]


def test_not_contested_when_one_source_repeats_itself(store):
    store.append(
        [
            make("milestone.reached", "m", "2022-01", what="x"),
            make(
                "measurement.recorded", "m", "2022-01", metric="n", value=1, unit="u", period="2022"
            ),
            make(
                "measurement.recorded", "m", "2022-01", metric="n", value=2, unit="u", period="2022"
            ),
        ]
    )
    assert not status_of(store, "m", "2022-12-31").contested


def test_a_baseline_measured_before_the_promise_does_not_hide_it(store):
    target = share_target(baseline_date="2021")
    store.append(
        [
            promise("p", "2022-03", deadline="2025", target=target),
            share_measured("2021", 20, period="2021"),
        ]
    )
    assert status_of(store, "p", "2022-06-30").status == "announced"


def test_method_1_dates_overdue_and_stalled_from_time_passing_not_from_an_event(store):
    store.append([promise("p", "2022-03-16", deadline="2022-12"), promise("q", "2022-03-16")])
    overdue = status_of(store, "p", "2023-02-01", method=METHOD_1)
    assert (overdue.status, overdue.since, overdue.cause_event) == ("overdue", "2023-01-01", None)
    stalled = status_of(store, "q", "2023-06-01", method=METHOD_1)
    assert (stalled.status, stalled.since, stalled.cause_event) == ("stalled", "2023-03-17", None)
