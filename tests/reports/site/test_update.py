"""A build after new events brings the last build's kept model up to date (reading only
those events and their linked groups' records) when it can do so exactly, and builds
the whole model otherwise: either way the folder then holds what a fresh build writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ledger import Store, open_store
from reports import publish_site
from reports.site import publish
from reports.site.cache import SERIES_CACHE
from reports.site.state import MODEL_STATE
from tests.conftest import registration
from tests.reports.conftest import build_ledger, event, link, promise
from tests.reports.site.test_publish import AS_OF, same_site

LATER = "2024-07-02T00:00:00Z"


@pytest.fixture
def updates(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """From now on, whether each attempt to bring a kept model up to date succeeded."""
    tried: list[bool] = []
    real = publish.update_site

    def spy(*args: object, **kwargs: object) -> object:
        site = real(*args, **kwargs)  # type: ignore[arg-type]
        tried.append(site is not None)
        return site

    monkeypatch.setattr(publish, "update_site", spy)
    return tried


def rebuilt_as_fresh(ledger: Store, tmp_path: Path, *new: list, **options: str) -> Path:
    """Build, append each batch of ``new`` and build again after each; every time the
    folder must hold what a fresh build of the same ledger writes."""
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF, **options)
    for number, batch in enumerate(new):
        ledger.append(batch)
        publish_site(ledger, out, as_of=AS_OF, **options)
        fresh = tmp_path / f"fresh-{number}"
        publish_site(ledger, fresh, as_of=AS_OF, **options)
        same_site(out, fresh)
    return out


#: New events a kept model is brought up to date by, each on an item it holds.
PLAIN: dict[str, Callable[[], list]] = {
    "a measurement in the latest quarter": lambda: [
        event(
            "measurement.recorded",
            "party-signatures",
            "2024-05",
            recorded_at=LATER,
            metric="signatures",
            value=4000,
            unit="signatures",
            period="2024-05",
        )
    ],
    "an event that happened in an early quarter, learned now": lambda: [
        event("law.passed", "law-akims", "2022-12-20", recorded_at=LATER, chamber="Senate")
    ],
    "an event of a linked group that delivers its promise": lambda: [
        event("law.in_force", "law-akims", "2024-04-02", recorded_at=LATER)
    ],
    "an event after the site's date (known, not yet happened)": lambda: [
        event("law.in_force", "law-akims", "2024-09-01", recorded_at=LATER)
    ],
    "a verdict that makes an item contested": lambda: [
        event(
            "assessment.recorded",
            "ombudsman",
            "2024-04-10",
            doc="b",
            recorded_at=LATER,
            assessor="Critic B",
            verdict="broken",
            rationale="Nothing happened.",
        )
    ],
    "a deadline that has passed": lambda: [
        event(
            "promise.deadline_stated", "senate", "2024-01-10", recorded_at=LATER, deadline="2024-03"
        )
    ],
    "a promise abandoned, first reported in a range": lambda: [
        event(
            "promise.abandoned", "ombudsman", "2023-11/2024-04", recorded_at=LATER, reason="Gone."
        )
    ],
}


@pytest.mark.parametrize("making", PLAIN.values(), ids=PLAIN.keys())
def test_a_kept_model_brought_up_to_date_is_what_a_fresh_build_makes(
    ledger, tmp_path, updates, making
):
    rebuilt_as_fresh(ledger, tmp_path, making())
    assert updates == [True]


def test_successive_updates_and_an_update_with_nothing_new(ledger, tmp_path, updates):
    out = rebuilt_as_fresh(ledger, tmp_path, *(making() for making in PLAIN.values()))
    assert updates == [True] * len(PLAIN)
    again = publish_site(ledger, out, as_of=AS_OF)  # nothing new: nothing rewritten
    assert again.written == [] and again.removed == []
    assert updates[-1] is True


#: New events that change what other items show, or what the model holds of sources
#: and items: the whole model is built again.
WHOLE: dict[str, Callable[[Store], list]] = {
    "a retraction": lambda store: [
        event(
            "event.retracted",
            "party-signatures",
            "2023-09",
            recorded_at=LATER,
            retracted=next(
                r.id for r in store.read(item="party-signatures") if r.effective == "2023-09"
            ),
            reason="Misread.",
        )
    ],
    "a new link": lambda store: [link("law-akims", "senate", "2024-04-01")],
    "a promise's event from before the tracking started": lambda store: [
        event(  # the site's first period moves back to 2020-Q1
            "promise.deadline_stated", "court", "2020-02-01", recorded_at=LATER, deadline="2025"
        )
    ],
    "a new item": lambda store: [promise("new-one", "2024-04-01", "A new promise", "courts")],
    "a new source": lambda store: [
        registration("doc-c.txt", title="A third view", kind="news", recorded_at=LATER)
    ],
    "a source's first citation moving earlier": lambda store: [
        event(  # akim-elections sorts before court, whose verdict cites doc-b first
            "promise.deadline_stated",
            "akim-elections",
            "2024-01-10",
            doc="b",
            recorded_at=LATER,
            deadline="2024-12",
        )
    ],
}


@pytest.mark.parametrize("making", WHOLE.values(), ids=WHOLE.keys())
def test_what_a_kept_model_cannot_follow_is_built_whole(ledger, tmp_path, updates, making):
    rebuilt_as_fresh(ledger, tmp_path, making(ledger))
    assert updates == [False]


def test_a_kept_model_of_other_options_or_another_ledger_is_not_used(ledger, tmp_path, updates):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    ledger.append(PLAIN["a measurement in the latest quarter"]())
    publish_site(ledger, out, as_of=AS_OF, title="Another title")  # made for other options
    assert updates == []
    fresh = tmp_path / "fresh"
    publish_site(ledger, fresh, as_of=AS_OF, title="Another title")
    same_site(out, fresh)
    other = build_ledger(open_store(f"sqlite:///{tmp_path / 'other.db'}", create=True))
    # the same events but the last: the kept model's head holds another event there
    other.append([event("law.signed", "law-akims", "2024-02-01", recorded_at=LATER)])
    publish_site(other, out, as_of=AS_OF, title="Another title")
    assert updates == [False]  # its head's hash is not the kept one's
    publish_site(other, fresh, as_of=AS_OF, title="Another title")
    same_site(out, fresh)


def test_a_damaged_kept_model_is_ignored_and_a_known_at_build_drops_it(ledger, tmp_path, updates):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    (out / MODEL_STATE).write_bytes(b"not gzip")
    ledger.append(PLAIN["a measurement in the latest quarter"]())
    publish_site(ledger, out, as_of=AS_OF)
    assert updates == []  # unreadable: the whole build, which writes it anew
    fresh = tmp_path / "fresh"
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    publish_site(ledger, out, as_of=AS_OF, known_at="2024-06-30")
    assert not (out / MODEL_STATE).exists()  # a model as known then is not updated later


def test_a_group_with_an_item_not_shown_yet_is_updated_whole(ledger, tmp_path, updates):
    """A law whose events all lie after the site's date is not on the site, but its
    link joins it to the senate promise's group, whose key covers its events: the
    update reads it with the group (keys as a fresh build's), and builds the whole
    model once such an item is shown."""
    future = [
        event("law.drafted", "law-future", "2024-09-01", title="A future law", recorded_at=LATER),
        event(
            "link.added",
            "law-future",
            "2024-09-01",
            to="senate",
            relation="implements",
            recorded_at=LATER,
        ),
    ]
    verdict = event(
        "assessment.recorded",
        "senate",
        "2024-04-10",
        doc="b",
        recorded_at=LATER,
        assessor="Critic B",
        verdict="broken",
        rationale="Nothing happened.",
    )
    shown = event("law.drafted", "law-future", "2024-05-01", recorded_at=LATER, title="Now")
    rebuilt_as_fresh(ledger, tmp_path, future, [verdict], [shown])
    assert updates == [False, True, False]  # the link; the verdict; the law shown


def test_an_untouched_page_deleted_by_hand_is_made_again_from_its_records(
    ledger, tmp_path, updates
):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    (out / "items/court.html").unlink()  # an item the new event does not touch
    (out / "periods/2023-Q1.html").unlink()  # a report it does not change
    ledger.append(PLAIN["a measurement in the latest quarter"]())
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert updates == [True]
    written = {p.relative_to(out).as_posix() for p in rebuilt.written}
    assert {"items/court.html", "periods/2023-Q1.html"} <= written
    fresh = tmp_path / "fresh"
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)


def test_without_the_series_cache_the_kept_model_gives_way(ledger, tmp_path, updates):
    """The old statuses of the touched groups come from the series cache: without it
    (deleted, or from other code) the whole model is built, with the same bytes."""
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    (out / SERIES_CACHE).unlink()
    ledger.append(PLAIN["a measurement in the latest quarter"]())
    publish_site(ledger, out, as_of=AS_OF)
    assert updates == [False]
    fresh = tmp_path / "fresh"
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
