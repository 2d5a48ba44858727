"""A small ledger with something in every report section, built from events made here.

Quarter by quarter in 2023: the court amendment enters into force (Q1), the parties law
is signed (Q2) and enters into force (Q3), the akims law enters into force after its
promise's deadline (Q4), the senate promise is abandoned (Q4) and the media law is
repealed (Q4). Two registered sources disagree about the court. Every event carries an
explicit ``recorded_at`` (a backfill), so the reports do not depend on when the test runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from events import parse_event
from ledger import Store, open_store
from tests.conftest import registration

RECORDED = "2024-06-30T00:00:00Z"
DOCS = {
    "a": {"document": "doc-a.txt", "locator": "p. 1", "quote": "the first source says so"},
    "b": {"document": "doc-b.txt", "locator": "§ 2", "quote": "the second source disagrees"},
}
_NAMESPACE = uuid.UUID(int=4)
#: The two documents the events cite, as their registrations describe them.
SOURCES = [
    registration(
        "doc-a.txt",
        title="Reform review: the first year of the new constitution",
        short_title="Analyst A (2023)",
        author="Analyst A",
        publisher="Reform Institute",
        published="2023-05",
        kind="think_tank",
        url="https://reform-institute.example/review-2023?lang=en&part=1",
    ),
    registration(
        "doc-b.txt",
        title="Window dressing in Astana",
        short_title="Critic B (2022)",
        publisher="The Daily Critic",
        published="2022-07-01",
        kind="news",
    ),
]


def event(
    type_name: str,
    item: str,
    effective: str,
    *,
    doc: str = "a",
    recorded_at: str = RECORDED,
    source: dict[str, Any] | None = None,
    **fields: Any,
):
    """A validated event with a stable id (so two builds give the same ledger)."""
    key = f"{type_name}|{item}|{effective}|{sorted(fields.items())}"
    return parse_event(
        {
            "id": str(uuid.uuid5(_NAMESPACE, key)),
            "type": type_name,
            "item": item,
            "effective": effective,
            "source": source or dict(DOCS[doc]),
            "recorded_at": recorded_at,
            **fields,
        }
    )


def promise(item: str, effective: str, title: str, area: str, **fields: Any):
    return event(
        "promise.made",
        item,
        effective,
        title=title,
        statement=f"We will: {title}.",
        actor="President",
        area=area,
        **fields,
    )


def link(source: str, to: str, effective: str, relation: str = "implements"):
    return event("link.added", source, effective, to=to, relation=relation)


def base_events() -> list:
    address = {"package": "March 2022 address"}
    return [
        *SOURCES,
        promise(
            "party-signatures",
            "2022-03-16",
            "Cut the signatures needed to register a party",
            "parties",
            deadline="2023-12",
            target={
                "metric": "signatures",
                "unit": "signatures",
                "baseline": 20000,
                "baseline_date": "2022",
                "goal": 5000,
                "direction": "down",
            },
            **address,
        ),
        promise("court", "2022-03-16", "Create a Constitutional Court", "courts", **address),
        promise(
            "akim-elections",
            "2022-03-16",
            "Elect district akims directly",
            "local government",
            deadline="2023-06",
            **address,
        ),
        promise("media-law", "2022-03-16", "Modernise the media law", "media"),
        promise("senate", "2022-03-16", "Shrink the Senate", "parliament", **address),
        promise("ombudsman", "2021-09", "Strengthen the ombudsman", "courts"),
        event("law.drafted", "law-parties", "2022-06-01", title="Law on political parties"),
        link("law-parties", "party-signatures", "2022-06-01"),
        event("amendment.proposed", "am-court", "2022-05-01", title="Court amendment"),
        link("am-court", "court", "2022-05-01"),
        event("amendment.adopted", "am-court", "2022-06-05", route="referendum"),
        event(
            "assessment.recorded",
            "court",
            "2022-06-05",
            doc="a",
            assessor="Analyst A",
            verdict="delivered",
            rationale="The referendum settled it.",
        ),
        event(
            "assessment.recorded",
            "court",
            "2022-06-30",
            doc="b",
            assessor="Critic B",
            verdict="broken",
            rationale="Window dressing.",
        ),
        event("law.drafted", "law-akims", "2022-11-01", title="Law on local elections"),
        link("law-akims", "akim-elections", "2022-11-01"),
        event("law.signed", "law-media", "2022-12-20", title="Law on mass media"),
        link("law-media", "media-law", "2022-12-20"),
        event("amendment.in_force", "am-court", "2023-01-01"),
        event("law.passed", "law-parties", "2023-02-10", chamber="Mazhilis"),
        event(
            "measurement.recorded",
            "party-signatures",
            "2023-03",
            metric="signatures",
            value=12000,
            unit="signatures",
            period="2023-03",
        ),
        event("law.in_force", "law-media", "2023-03-01"),
        event("law.signed", "law-parties", "2023-05-05", number="12-VII"),
        event("law.passed", "law-akims", "2023-06-15", chamber="Mazhilis"),
        event("law.in_force", "law-parties", "2023-08-01"),
        event(
            "measurement.recorded",
            "party-signatures",
            "2023-09",
            metric="signatures",
            value=8000,
            unit="signatures",
            period="2023-09",
        ),
        event("promise.abandoned", "senate", "2023-10-15", reason="Dropped from the agenda."),
        event("law.in_force", "law-akims", "2023-11-01"),
        event("law.repealed", "law-media", "2023-12-05", summary="Repealed by the new code."),
    ]


def build_ledger(store: Store) -> Store:
    store.append(base_events())
    return store


def add_2024_event(store: Store) -> None:
    store.append(
        [
            event(
                "measurement.recorded",
                "party-signatures",
                "2024-03",
                recorded_at="2024-07-01T00:00:00Z",
                metric="signatures",
                value=5000,
                unit="signatures",
                period="2024-03",
            )
        ]
    )


@pytest.fixture
def ledger(sqlite_store: Store) -> Store:
    return build_ledger(sqlite_store)


@pytest.fixture(scope="module")
def module_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The same ledger, built once per test module (for read-only tests)."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    store = open_store(f"sqlite:///{path}", create=True)
    yield build_ledger(store)
    store.close()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
