"""One period's report built from a model of that period alone (``publish_period``) is
the very file the whole site's build writes for it."""

from __future__ import annotations

import pytest

from ledger.projections.folded import iso_bounds
from reports import ReportError, publish_site
from reports.periods import parse_period, periods_between
from reports.site.model import default_since
from reports.site.publish import publish_period
from reports.snapshot import load_period_snapshot, load_snapshot
from tests.reports.conftest import RECORDED, build_ledger, event
from tests.reports.site.conftest import BASE_URL, DEMO_AS_OF
from tests.reports.test_snapshot import LATER, assert_same, one_period


def test_every_demo_period_alone_equals_the_whole_build(demo_store, demo_site, tmp_path):
    """The report and the pages of its long lists (see ``test_long_lists``)."""
    periods = sorted(p.stem for p in (demo_site / "periods").glob("*.md"))
    assert len(periods) > 4
    lists = 0
    for name in periods:
        out = tmp_path / name
        result = publish_period(
            demo_store, out, name, as_of=DEMO_AS_OF, base_url=BASE_URL, title="Demo <site>"
        )
        written = sorted(p.relative_to(out).as_posix() for p in result.written)
        expected = [f"periods/{name}.html", f"periods/{name}.md"]
        expected += [f"periods/{p.name}" for p in (demo_site / "periods").glob(f"{name}-*.html")]
        assert written == sorted(expected)
        lists += len(expected) - 2
        for path in written:
            assert (out / path).read_bytes() == (demo_site / path).read_bytes(), path
    assert lists > 2


def test_every_demo_period_model_from_the_checkpoint_equals_one_from_every_record(demo_store):
    full = load_snapshot(demo_store)
    since = default_since(full, full.latest_recorded_at, "quarter")
    assert since is not None
    causes_before = 0  # changes caused by an event that ended before their period
    for period in periods_between(since, parse_period("2024-Q2")):
        whole = one_period(full, period.name, None)
        assert_same(one_period(load_period_snapshot(demo_store), period.name, None), whole)
        for change in whole.periods[0].changes:
            if change.cause_id:
                effective = full.by_id[change.cause_id].effective
                causes_before += iso_bounds(effective)[1] < period.start.isoformat()
    assert causes_before > 0


def test_one_period_in_the_site_folder_leaves_it_as_built(store, tmp_path):
    ledger = build_ledger(store)
    site = tmp_path / "site"
    publish_site(ledger, site, as_of="2024-06-30", period="month", since="2023-01")
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    result = publish_period(
        ledger, site, "2023-01", as_of="2024-06-30", kind="month", since="2023-01"
    )
    assert result.written == [] and result.unchanged == 2
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-Q3", "--period-only 2024-Q3 is not among the site's periods"),
        ("2001-Q1", "--period-only 2001-Q1 is not among the site's periods"),
        ("2024-05", "--period-only 2024-05 is a month, but the site is built per quarter"),
        ("soon", "period 'soon' is not a year, quarter or month"),
    ],
)
def test_a_period_outside_the_site_is_refused_before_writing(
    sqlite_store, tmp_path, period, message
):
    ledger = build_ledger(sqlite_store)
    with pytest.raises(ReportError, match=message):
        publish_period(ledger, tmp_path / "site", period, as_of="2024-06-30")
    assert not (tmp_path / "site").exists()


def test_tracking_starts_with_the_actor_of_the_most_known_promises(store):
    """The default first period is the first promise of whoever made the most of them,
    counting only promises known at the cut and not retracted; both models agree."""
    ledger = build_ledger(store)

    def since(known_at: str | None = None) -> list[str]:
        found = []
        for snapshot in (load_snapshot(ledger), load_period_snapshot(ledger)):
            cut = known_at or snapshot.latest_recorded_at
            found.append(default_since(snapshot, cut, "quarter").name)
        return found

    tracked = since()
    assert tracked[0] == tracked[1] and tracked[0] > "2015-Q2"
    older = [
        event(
            "promise.made",
            f"older-{n}",
            "2015-05-01",
            recorded_at=LATER,
            title=f"Older promise {n}",
            statement="We will.",
            actor="Former government",
            area="economy",
        )
        for n in range(12)  # more promises than the tracked government's
    ]
    ledger.append(older)
    assert since() == ["2015-Q2", "2015-Q2"]
    assert since(RECORDED) == tracked  # not yet known then
    ledger.append(
        [
            event(
                "event.retracted",
                e.item,
                "2024-07-06",
                recorded_at="2024-07-06T00:00:00Z",
                retracted=str(e.id),
                reason="Not this government's.",
            )
            for e in older
        ]
    )
    assert since() == tracked
