"""``diff`` through the real command line, on both engines: an empty answer says so."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app
from ledger import open_store
from tests.conftest import link, make, promise


@pytest.fixture
def url(ledger_url: str) -> str:
    """A promise adopted in 2022-Q2 (by a signed law) and nothing more."""
    store = open_store(ledger_url, create=True)
    try:
        store.append(
            [
                promise("p1", "2022-03-16", deadline="2030"),
                make("law.signed", "l1", "2022-05", title="Law"),
                link("l1", "p1", effective="2022-05"),
            ]
        )
    finally:
        store.close()
    return ledger_url


def run(url: str, *args: str):
    result = CliRunner().invoke(app, ["--db", url, "diff", *args])
    assert result.exit_code == 0, result.output
    return result


def test_no_changes_says_so_on_stderr_and_prints_no_table(url):
    result = run(url, "2022-Q3", "2022-Q4")
    assert result.stdout == ""
    assert result.stderr == "no status changes between 2022-Q3 and 2022-Q4\n"


def test_no_changes_in_json_is_an_empty_list(url):
    result = run(url, "2022-09-30", "2022-12-31", "--json")
    assert json.loads(result.stdout) == []
    assert result.stderr == ""


def test_changes_are_still_a_table(url):
    result = run(url, "2022-Q1", "2022-Q2")
    assert "no status changes" not in result.stderr
    assert "announced" in result.stdout and "adopted" in result.stdout
