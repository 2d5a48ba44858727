"""Period arithmetic: names, bounds, neighbours and ranges."""

from __future__ import annotations

from datetime import date

import pytest

from reports import (
    ReportError,
    latest_complete_period,
    parse_period,
    period_containing,
    periods_between,
)


@pytest.mark.parametrize(
    ("name", "kind", "start", "end", "label"),
    [
        ("2023-Q4", "quarter", date(2023, 10, 1), date(2023, 12, 31), "October–December 2023"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        ("2023", "year", date(2023, 1, 1), date(2023, 12, 31), "2023"),
    ],
)
def test_a_period_has_a_kind_bounds_and_plain_words(name, kind, start, end, label):
    period = parse_period(name)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)


@pytest.mark.parametrize("bad", ["2023-Q5", "2023-13", "2023-11-05", "Q4 2023", ""])
def test_anything_else_is_one_clear_error(bad):
    with pytest.raises(ReportError, match="is not a year, quarter or month"):
        parse_period(bad)


def test_neighbours_cross_year_ends():
    assert parse_period("2024-Q1").previous().name == "2023-Q4"
    assert parse_period("2023-12").next().name == "2024-01"
    assert parse_period("2023").previous().name == "2022"


def test_periods_between_is_inclusive_and_of_one_kind():
    names = [p.name for p in periods_between("2019-Q1", "2024-Q2")]
    assert (len(names), names[0], names[-1]) == (22, "2019-Q1", "2024-Q2")
    assert [p.name for p in periods_between("2023-11", "2024-01")] == [
        "2023-11",
        "2023-12",
        "2024-01",
    ]
    with pytest.raises(ReportError, match="not the same kind of period"):
        periods_between("2023-Q1", "2023-12")
    with pytest.raises(ReportError, match="comes after"):
        periods_between("2024", "2023")


def test_the_period_a_schedule_reports_on_is_the_last_complete_one():
    assert period_containing(date(2024, 5, 1), "quarter").name == "2024-Q2"
    assert latest_complete_period("quarter", date(2024, 4, 1)).name == "2024-Q1"
    assert latest_complete_period("month", date(2024, 1, 15)).name == "2023-12"
    assert latest_complete_period("year", date(2024, 1, 1)).name == "2023"
