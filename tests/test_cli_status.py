"""``status`` filters through the real command line, on both engines.

A filter value that cannot match is refused with one line naming the option, exit 3,
and nothing on stdout; a value that can match filters the table and ``--json`` alike.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app
from ledger import STATUSES, open_store
from tests.conftest import link, make, promise

AS_OF = ["--as-of", "2022-12-31"]


@pytest.fixture
def url(ledger_url: str) -> str:
    """Two promises (one made after the as-of date), a law implementing the first."""
    store = open_store(ledger_url, create=True)
    try:
        store.append(
            [
                promise("p1", "2022-03-16", area="political-parties", package="reform-package-1"),
                make("law.signed", "l1", "2022-05", title="Law", area="political-parties"),
                link("l1", "p1", effective="2022-05"),
                promise("p2", "2023-06", area="elections", package="reform-package-2"),
            ]
        )
    finally:
        store.close()
    return ledger_url


def run(url: str, *args: str):
    return CliRunner().invoke(app, ["--db", url, "status", *args])


def items(url: str, *args: str) -> dict[str, str]:
    result = run(url, "--json", *args)
    assert result.exit_code == 0, result.output
    return {i["item"]: i["status"] for i in json.loads(result.stdout)["items"]}


def assert_refused(result, line: str) -> None:
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_an_unknown_kind_is_refused_with_the_valid_kinds(url, as_json):
    assert_refused(
        run(url, "--kind", "promis", *as_json),
        "error: --kind 'promis': unknown kind (use one of: amendment, law, milestone, promise)",
    )


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_an_unknown_status_is_refused_with_the_valid_statuses(url, as_json):
    assert_refused(
        run(url, "--status", "adopted,deliverd", *as_json),
        f"error: --status 'deliverd': unknown status (use one of: {', '.join(STATUSES)})",
    )


def test_status_kind_area_and_package_filter_the_table_and_json(url):
    assert items(url, *AS_OF) == {"p1": "adopted", "l1": "adopted"}
    assert items(url, *AS_OF, "--status", "adopted", "--kind", "law") == {"l1": "adopted"}
    later = ["--as-of", "2023-12-31"]
    assert items(url, *later, "--status", "announced,in-progress") == {"p2": "announced"}
    assert items(url, *AS_OF, "--kind", "promise,law", "--area", "political-parties") == {
        "p1": "adopted",
        "l1": "adopted",
    }
    assert items(url, *later, "--package", "reform-package-2") == {"p2": "announced"}
    table = run(url, "--package", "reform-package-1", *AS_OF)
    assert table.exit_code == 0, table.output
    assert "p1" in table.stdout and "l1" not in table.stdout
    assert table.stderr.startswith("1 items as of 2022-12-31")


def test_an_area_no_item_has_suggests_the_nearest(url):
    assert_refused(
        run(url, "--area", "politcal-parties"),
        "error: --area 'politcal-parties': no item has this area; did you mean political-parties?",
    )
    assert_refused(
        run(url, "--area", "zzz", "--json"),
        "error: --area 'zzz': no item has this area; areas are: elections, political-parties",
    )


def test_a_package_no_item_has_suggests_the_nearest(url):
    assert_refused(
        run(url, "--package", "reform-package-3", "--json"),
        "error: --package 'reform-package-3': no item has this package; "
        "did you mean reform-package-2 or reform-package-1?",
    )


def test_a_name_in_use_only_after_the_as_of_date_gives_an_empty_answer(url):
    assert items(url, *AS_OF, "--area", "elections") == {}
    assert items(url, *AS_OF, "--package", "reform-package-2") == {}
