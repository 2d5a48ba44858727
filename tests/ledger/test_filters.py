"""The status filters: values that cannot match are refused, in the library's own terms."""

from __future__ import annotations

import pytest

from ledger import STATUSES, ItemStatus, UnknownFilterValue, filter_items, item_kinds


def item(name: str, kind: str = "promise", status: str = "announced", **fields) -> ItemStatus:
    return ItemStatus(
        item=name,
        kind=kind,
        title=name,
        area=fields.get("area"),
        package=fields.get("package"),
        status=status,
    )


ITEMS = [
    item("p1", area="political-parties", package="reform-package-1", status="adopted"),
    item("p2", area="elections", package="reform-package-2", status="overdue"),
    item("l1", kind="law", area="political-parties", status="adopted"),
    item("m1", kind="milestone", status="delivered"),
]


def names(items: list[ItemStatus]) -> list[str]:
    return [i.item for i in items]


def refusal(**filters) -> UnknownFilterValue:
    with pytest.raises(UnknownFilterValue) as caught:
        filter_items(ITEMS, **filters)
    return caught.value


def test_kinds_come_from_the_event_catalogue():
    assert item_kinds() == ("amendment", "law", "milestone", "promise")


def test_no_filter_keeps_every_item():
    assert names(filter_items(ITEMS)) == ["p1", "p2", "l1", "m1"]


def test_filters_combine_and_lists_are_comma_separated():
    assert names(filter_items(ITEMS, kind="promise,law", status="adopted")) == ["p1", "l1"]
    assert names(filter_items(ITEMS, status=" Overdue , delivered ")) == ["p2", "m1"]
    assert names(filter_items(ITEMS, status="in-progress")) == []
    assert names(filter_items(ITEMS, area="political-parties", kind="law")) == ["l1"]
    assert names(filter_items(ITEMS, package="reform-package-2")) == ["p2"]


def test_an_unknown_kind_or_status_is_refused_with_the_valid_list():
    error = refusal(kind="promis")
    assert str(error) == (
        "kind 'promis': unknown kind (use one of: amendment, law, milestone, promise)"
    )
    assert (error.name, error.value, error.exit_code) == ("kind", "promis", 3)
    error = refusal(status="delivered,deliverd")
    assert str(error) == f"status 'deliverd': unknown status (use one of: {', '.join(STATUSES)})"
    assert str(refusal(status=" , ")) == "status ' , ': give one or more status names"


def test_an_unknown_area_or_package_suggests_the_nearest_names():
    assert str(refusal(area="politcal-parties")) == (
        "area 'politcal-parties': no item has this area; did you mean political-parties?"
    )
    assert str(refusal(package="reform-package-3")) == (
        "package 'reform-package-3': no item has this package; "
        "did you mean reform-package-2 or reform-package-1?"
    )
    assert str(refusal(area="zzz")) == (
        "area 'zzz': no item has this area; areas are: elections, political-parties"
    )


def test_a_long_list_of_names_is_cut_short():
    many = [item(f"p{n}", area=f"area-{n:02d}") for n in range(14)]
    with pytest.raises(UnknownFilterValue) as caught:
        filter_items(many, area="zzz")
    listed = ", ".join(f"area-{n:02d}" for n in range(10))
    assert str(caught.value) == (
        f"area 'zzz': no item has this area; areas are: {listed}, … and 4 more"
    )


def test_a_name_with_no_items_at_this_date_is_an_empty_answer_not_a_typo():
    later = [*ITEMS, item("p9", area="media", package="reform-package-4")]
    asked = []

    def every_item():
        asked.append(True)
        return later

    assert filter_items(ITEMS, area="media", every_item=every_item) == []
    assert filter_items(ITEMS, package="reform-package-4", every_item=every_item) == []
    assert filter_items(ITEMS, area="elections", every_item=every_item) != []
    assert len(asked) == 2  # asked only when the evaluated items do not have the name
    with pytest.raises(UnknownFilterValue, match="did you mean media"):
        filter_items(ITEMS, area="medi", every_item=every_item)


def test_an_empty_ledger_says_no_item_has_any_area():
    with pytest.raises(UnknownFilterValue) as caught:
        filter_items([], area="x")
    assert str(caught.value) == "area 'x': no item has this area; no item has any area yet"
