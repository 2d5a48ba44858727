"""Questions a journalist would ask, answered from the ledger's own `status --json` and
`show --json` output on the bundled dataset (numbers, dates, status as of a date, and which
sources disagree). Every expected answer is what the cited documents say."""

from __future__ import annotations

import json
from functools import cache

import pytest
from typer.testing import CliRunner

import cli
from ledger import load_dataset, open_store

DOCS = {
    "000": "000_b611782a6a61558e.txt",
    "001": "001_470251076344ef15.txt",
    "002": "002_519e149e0c1c236e.txt",
    "003": "003_95ce595201e5e3b5.txt",
    "004": "004_c33d32c60aeb1b7d.txt",
}


@pytest.fixture(scope="module")
def ask(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('questions') / 'kz.db'}"
    store = open_store(url, create=True)
    load_dataset(store)
    store.close()
    runner = CliRunner()

    @cache
    def run(*args: str):
        result = runner.invoke(cli.app, ["--db", url, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def measurements(ask, item: str, metric: str) -> dict[str, tuple]:
    """{document prefix: (qualifier, value, unit, period)} of one metric on one item."""
    shown = ask("show", item, "--json")
    return {
        event["source"]["document"][:3]: (
            event["data"].get("qualifier"),
            event["data"]["value"],
            event["data"]["unit"],
            event["data"]["period"],
        )
        for event in shown["timeline"]
        if event["type"] == "measurement.recorded" and event["data"]["metric"] == metric
    }


def status_of(ask, item: str, *options: str) -> dict:
    view = ask("status", "--json", *options)
    return {entry["item"]: entry for entry in view["items"]}.get(item)


def test_q1_referendum_turnout_and_yes_share(ask):
    turnout = measurements(ask, "referendum-2022-vote", "referendum turnout")
    assert turnout["001"][1] == 68.05 and turnout["002"][:2] == ("about", 68)
    assert measurements(ask, "referendum-2022-vote", "referendum yes share")["001"][1] == 77.18


def test_q2_the_referendum_was_held_on_5_june_2022(ask):
    shown = ask("show", "referendum-2022-vote", "--json")
    assert {e["effective"] for e in shown["timeline"] if e["type"] == "milestone.reached"} == {
        "2022-06-05"
    }


def test_q3_rounded_referendum_figures_are_not_a_disagreement(ask):
    assert not status_of(ask, "referendum-2022-vote")["contested"]


def test_q4_senate_presidential_appointees_cut_from_15_to_10(ask):
    values = [
        v
        for _, v, _, _ in sorted(
            measurements(
                ask, "amendment-senate-composition", "presidential Senate appointees"
            ).values(),
            key=lambda m: m[3],
        )
    ]
    assert values == [15, 10]


def test_q5_mazhilis_mixed_system_70_30_and_maslikhats_50_50(ask):
    item = "amendment-electoral-system"
    assert measurements(ask, item, "Mazhilis deputies elected from party lists")["001"][1] == 70
    assert (
        measurements(ask, item, "Mazhilis deputies elected in single-member districts")["001"][1]
        == 30
    )
    assert measurements(ask, item, "maslikhat deputies elected from party lists")["001"][1] == 50


def test_q6_snap_election_date_and_tokayevs_share(ask):
    shown = ask("show", "snap-presidential-election-2022", "--json")
    assert "2022-11-20" in {
        e["effective"] for e in shown["timeline"] if e["type"] == "milestone.reached"
    }
    share = measurements(
        ask, "snap-presidential-election-2022", "presidential election vote share, Tokayev"
    )
    assert share["001"][1] == 81.31


def test_q7_single_seven_year_term_delivered_by_the_end_of_2022(ask):
    item = status_of(ask, "single-seven-year-term", "--as-of", "2022-12-31")
    assert item["status"] == "delivered"
    assert item["target"]["latest"] == 7 and item["target"]["baseline"] == 5


def test_q8_what_the_public_record_held_in_june_2022_and_in_january_2023(ask):
    june = ask("status", "--json", "--known-at", "2022-06-30")
    january = ask("status", "--json", "--known-at", "2023-01-01")
    assert len(june["items"]) < len(january["items"])
    assert "snap-presidential-election-2022" not in {i["item"] for i in june["items"]}
    assert "snap-presidential-election-2022" in {i["item"] for i in january["items"]}


def test_q9_the_first_presidents_status_is_contested(ask):
    item = status_of(ask, "amendment-first-president-status")
    assert item["contested"]
    assessors = {a["assessor"] for a in item["assessments"]}
    assert {"ECFR", "IWPR"} <= assessors


def test_q10_sources_disagree_on_the_year_of_the_mixed_mazhilis_election(ask):
    item = status_of(ask, "mazhilis-election-2023")
    assert item["contested"]
    assert any("2023-03-19" in reason and "2022" in reason for reason in item["contested_reasons"])


def test_q11_signatures_or_members_to_register_a_party(ask):
    values = measurements(ask, "law-party-registration-2022", "party registration threshold")
    units = {unit for _, _, unit, _ in values.values()}
    assert units == {"signatures", "members"}
    item = status_of(ask, "law-party-registration-2022")
    assert any("signatures" in r and "members" in r for r in item["contested_reasons"])


def test_q12_regional_branch_and_initiative_group_minimums(ask):
    branch = measurements(ask, "law-party-registration-2022", "party regional branch minimum")
    assert branch["001"][1] in (200, 600)
    shown = ask("show", "law-party-registration-2022", "--json")
    values = {
        (e["data"]["metric"], e["data"]["value"])
        for e in shown["timeline"]
        if e["type"] == "measurement.recorded"
    }
    assert {
        ("party regional branch minimum", 600),
        ("party regional branch minimum", 200),
        ("party initiative group minimum", 1000),
        ("party initiative group minimum", 700),
    } <= values


def test_q13_constitutional_court_appeals(ask):
    appeals = measurements(
        ask, "constitutional-court-starts-work", "citizens' appeals to the Constitutional Court"
    )
    assert appeals["004"][:2] == ("more_than", 5300)


def test_q14_national_kurultai_members(ask):
    assert (
        measurements(ask, "national-kurultai-established", "National Kurultai members")["004"][1]
        == 117
    )


def test_q15_foreign_direct_investment_target_progress(ask):
    target = status_of(ask, "fdi-150-billion-target")["target"]
    assert (target["baseline"], target["goal"], target["latest"]) == (0, 150, 41.3)
    assert target["progress"] == round(41.3 / 150, 4)


def test_q16_shadow_economy_target(ask):
    target = status_of(ask, "shadow-economy-target")["target"]
    assert (target["baseline"], target["goal"], target["direction"]) == (18.7, 15, "down")
    assert status_of(ask, "shadow-economy-target")["deadline"] == "2025"


def test_q17_middle_corridor_throughput(ask):
    target = status_of(ask, "middle-corridor-target")["target"]
    assert (target["baseline"], target["goal"]) == (2.76, 10)
    assert status_of(ask, "middle-corridor-target")["deadline"] == "2027"


def test_q18_national_fund_savings_for_children_began_in_2023(ask):
    shown = ask("show", "national-fund-for-children", "--json")
    assert shown["timeline"][0]["effective"] == "2023-01-01"
    assert shown["timeline"][0]["source"]["document"] == DOCS["004"]


def test_q19_rural_akims_directly_elected(ask):
    assert measurements(ask, "rural-akims-directly-elected", "rural akims directly elected")["004"][
        :2
    ] == ("about", 1700)


def test_q20_gdp_growth_in_2023(ask):
    assert measurements(ask, "economic-growth-2023", "GDP growth")["004"][1] == 5.1
