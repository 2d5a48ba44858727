"""The 16 March 2022 address and the 2019-2021 packages under method ``reform-ledger/2``.

Regression cases of issue 10 for the items in ``march-2022-address.yaml`` and
``packages-2019-2021.yaml``: each named item has the status its sources give it at the
issue's date, earned by a cited stage event (never by a source's verdict, never by
silence); the sources' differing versions of a rule are claims that make the item
contested for that reason; no promise of these files is negative without a cited event.
The bundled dataset is loaded once into a real SQLite ledger.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from ledger import load_dataset, open_store, read_dataset, status
from ledger.datasets import dataset_dir
from ledger.importing import read_raw_events

FILES = ("march-2022-address.yaml", "packages-2019-2021.yaml")
OURS = [raw for name in FILES for _, raw in read_raw_events(dataset_dir() / "events" / name)]
ITEMS = {raw["item"] for raw in OURS}
RAWS = {raw["id"]: raw for raw in read_dataset()[0]}
METHOD_1, METHOD_2 = "reform-ledger/1", "reform-ledger/2"
NEGATIVE = {"stalled", "overdue", "broken"}
#: the event types that may stand behind a negative status, by status
NEGATIVE_CAUSES = {
    "stalled": {"promise.stalled", "law.stalled", "amendment.stalled"},
    "overdue": {"promise.made", "promise.revised", "promise.deadline_stated"},
    "broken": {"promise.abandoned"},
}


@pytest.fixture(scope="module")
def at(tmp_path_factory: pytest.TempPathFactory):
    """``at(as_of, method)`` -> {item: ItemStatus} for the whole bundled dataset."""
    path: Path = tmp_path_factory.mktemp("method2") / "kz.db"
    store = open_store(f"sqlite:///{path}", create=True)
    load_dataset(store)

    @cache
    def statuses(as_of: str, method: str = METHOD_2):
        return {entry.item: entry for entry in status(store, as_of=as_of, method=method).items}

    yield statuses
    store.close()


def cause_of(entry) -> dict:
    assert entry.cause_event, f"{entry.item}: no event behind {entry.status}"
    return RAWS[entry.cause_event]


@pytest.mark.parametrize(
    ("item", "as_of", "expected", "cause_type", "cause_item", "document"),
    [
        # the option was on the ballot of 20 November 2022 (Proroković, 5.80% against all)
        (
            "against-all-ballot-option",
            "2022-12-31",
            "delivered",
            "milestone.reached",
            "against-all-on-ballot-2022",
            "001",
        ),
        (
            "electronic-voter-database",
            "2024-06-30",
            "delivered",
            "milestone.reached",
            "electronic-voter-list",
            "001",
        ),
        # akims keep their party membership (only party posts are barred): less than promised
        (
            "officials-party-neutrality",
            "2024-06-30",
            "partial",
            "milestone.reached",
            "party-posts-barred-for-officials",
            "001",
        ),
        (
            "professional-election-commissions",
            "2024-06-30",
            "delivered",
            "milestone.reached",
            "election-commissions-professional",
            "001",
        ),
        (
            "jury-trials-expanded",
            "2024-06-30",
            "delivered",
            "milestone.reached",
            "jury-trials-widened",
            "001",
        ),
        # "the decision was made": adopted, not shown applied
        (
            "judicial-transparency",
            "2024-06-30",
            "adopted",
            "law.signed",
            "judicial-council-openness-rules",
            "001",
        ),
        *(
            (
                f"{n}-reform-package",
                "2024-06-30",
                "delivered",
                "milestone.reached",
                "reform-packages-2019-2021-implemented",
                "004",
            )
            for n in ("second", "third", "fourth")
        ),
        # the third package's own measure, delivered in the ledger
        (
            "mazhilis-threshold-7-to-5",
            "2024-06-30",
            "delivered",
            "milestone.reached",
            "mazhilis-threshold-lowered-to-5",
            "004",
        ),
        # signed decrees are adopted, never stalled by the clock
        (
            "decree-foreign-currency-controls",
            "2024-06-30",
            "adopted",
            "law.signed",
            "decree-foreign-currency-controls",
            "000",
        ),
        (
            "decree-debureaucratization",
            "2024-06-30",
            "adopted",
            "law.signed",
            "decree-debureaucratization",
            "000",
        ),
    ],
)
def test_named_items_have_their_status_from_a_cited_stage_event(
    at, item, as_of, expected, cause_type, cause_item, document
):
    entry = at(as_of)[item]
    assert entry.status == expected
    cause = cause_of(entry)
    assert (cause["type"], cause["item"]) == (cause_type, cause_item)
    assert cause["source"]["document"].startswith(document)
    assert cause["source"]["quote"].strip()
    assert entry.evidence is not None and entry.evidence["sources"] == [cause["source"]["document"]]


def test_the_same_items_were_stalled_by_the_clock_under_method_1(at):
    """Method 1 is kept to regenerate old reports; its 12-month clock still says stalled
    where method 2 shows what the sources report."""
    old, new = at("2024-06-30", METHOD_1), at("2024-06-30")
    for item in ("decree-foreign-currency-controls", "decree-debureaucratization"):
        assert (old[item].status, old[item].cause_event) == ("stalled", None)
        assert new[item].status == "adopted"


def test_a_sources_verdict_alone_moves_nothing(at):
    """The overview calls the packages 'successfully implemented'; that verdict is kept
    beside the status, and the status comes from the stage event citing the same text."""
    entry = at("2024-06-30")["second-reform-package"]
    assert {a["verdict"] for a in entry.assessments} == {"delivered"}
    assert cause_of(entry)["type"] == "milestone.reached"


@pytest.mark.parametrize(
    ("item", "subject", "values"),
    [
        (
            "against-all-ballot-option",
            "introduced by package",
            {"the 2022 constitutional reform", "the third reform package (january 2021)"},
        ),
        (
            "direct-rural-akim-elections",
            "introduced by package",
            {"the reform package of may 2021", "the third reform package (january 2021)"},
        ),
        (
            "maslikhat-akim-nomination",
            "selection method",
            {
                "elected by the maslikhat from two candidates nominated by the president",
                "appointed by the president with the maslikhat's consent",
            },
        ),
        (
            "accounts-committee-to-audit-chamber",
            "accountable to",
            {"the mazhilis", "the president"},
        ),
        (
            "mazhilis-adopts-senate-approves",
            "senate powers",
            {
                "limited, in favour of the mazhilis",
                "extended, by a new supervisory function over bills",
            },
        ),
        (
            "akim-dismissal-ended",
            "scope",
            {
                "district and rural akims",
                "akims of regions, cities and rural districts",
                "akims of cities and regions",
            },
        ),
        ("officials-party-neutrality", "scope", None),
        ("president-leaves-party", "scope", None),
        (
            "party-list-quota-30-percent",
            "scope",
            {"women and young people", "women, young people and persons with special needs"},
        ),
        (
            "election-observers-status",
            "observer rights",
            {
                "legal acts restrict observers' work",
                "observers may monitor the election process without hindrance",
            },
        ),
    ],
)
def test_sources_versions_of_a_rule_make_the_item_contested_for_that_reason(
    at, item, subject, values
):
    entry = at("2024-06-30")[item]
    claims = [d for d in entry.disagreements if d.kind == "claim" and d.subject == subject]
    assert len(claims) == 1, entry.contested_reasons
    shown = {value for value, _ in claims[0].claims}
    if values is not None:
        assert shown == values
    assert len(shown) >= 2 and len(claims[0].documents) >= 2
    assert any(subject in reason for reason in entry.contested_reasons)


def test_claims_count_only_under_method_2(at):
    entry = at("2024-06-30", METHOD_1)["accounts-committee-to-audit-chamber"]
    assert not any(d.kind == "claim" for d in entry.disagreements)


def test_sources_that_agree_on_a_rule_are_not_a_disagreement(at):
    """Proroković and the overview describe the appointment of akims alike: one value."""
    entry = at("2024-06-30")["maslikhat-akim-nomination"]
    (claim,) = [d for d in entry.disagreements if d.kind == "claim"]
    appointed = dict(claim.claims)["appointed by the president with the maslikhat's consent"]
    assert [d[:3] for d in appointed] == ["001", "004"]


@pytest.mark.parametrize(
    "item",
    [
        "social-media-campaigning",
        "election-finance-transparency",
        "prosecutor-constitutional-law",
        "local-self-government-law",
        "media-law-revision",
    ],
)
def test_the_end_2022_deadline_for_the_address_laws_is_implied_and_cited(at, item):
    before, after = at("2022-12-31")[item], at("2024-06-30")[item]
    assert before.status != "overdue" and before.deadline == "2022"
    assert (after.status, after.deadline, after.deadline_implied) == ("overdue", "2022", True)
    assert after.since == "2023-01-01"
    cause = cause_of(after)
    assert cause["type"] == "promise.deadline_stated" and cause["implied"] is True
    assert "before the end of 2022" in cause["source"]["quote"]


def test_a_deadline_met_is_not_late(at):
    for item in ("ombudsperson-status-law", "president-leaves-party", "jury-trials-expanded"):
        entry = at("2024-06-30")[item]
        assert entry.status == "delivered" and not entry.late, item


@pytest.mark.parametrize("as_of", ["2022-12-31", "2023-06-30", "2024-06-30"])
def test_no_promise_of_these_files_is_negative_without_a_cited_event(at, as_of):
    promises = [e for e in at(as_of).values() if e.item in ITEMS and e.kind == "promise"]
    assert promises
    for entry in promises:
        if entry.status not in NEGATIVE:
            continue
        cause = cause_of(entry)
        assert cause["type"] in NEGATIVE_CAUSES[entry.status], entry.item
        assert cause["source"]["quote"].strip(), entry.item
        if entry.status == "overdue":
            assert entry.deadline and "deadline" in cause, entry.item


def test_no_promise_of_these_files_is_stalled_under_method_2(at):
    """None of the five sources says work on these promises stopped, so nothing is stalled;
    method 1's clock found stalls where the sources are only silent."""
    new, old = at("2024-06-30"), at("2024-06-30", METHOD_1)
    assert [i for i in ITEMS if i in new and new[i].status == "stalled"] == []
    assert [i for i in ITEMS if i in old and old[i].status == "stalled"] != []


def test_reader_facing_text_names_sources_not_file_numbers():
    """Titles, statements, summaries, rationales and values are shown to readers: they name
    a source by its author or title, never by its file number."""
    fields = ("title", "statement", "summary", "rationale", "what", "reason", "value")
    file_number = re.compile(r"(?<![\d,.])00[0-4]\b|_[0-9a-f]{16}\.txt")
    found = [
        (raw["item"], field)
        for raw in OURS
        for field in fields
        if isinstance(raw.get(field), str) and file_number.search(raw[field])
    ]
    assert found == []
