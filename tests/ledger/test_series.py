"""``evaluate_series`` (one walk over many dates) gives exactly what ``evaluate`` gives."""

from __future__ import annotations

from datetime import date

from ledger import catch_up, evaluate, evaluate_series, parse_known_at
from tests.conftest import link, make, promise


def _varied_ledger(store) -> None:
    target = {
        "metric": "jobs",
        "unit": "jobs",
        "baseline": 0,
        "baseline_date": "2020",
        "goal": 100,
        "direction": "up",
    }
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
    state = catch_up(store).state
    known_at = parse_known_at(None)
    dates = [
        date(year, month, [31, 30, 30, 31][month // 3 - 1])
        for year in range(2019, 2024)
        for month in (3, 6, 9, 12)
    ]
    series = evaluate_series(state, dates, known_at)
    for day in dates:
        assert series[day] == evaluate(state, day, known_at), day
