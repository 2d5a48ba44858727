"""Areas and packages: their file names and the names readers see."""

from __future__ import annotations

import pytest

from reports.site.slugs import display_name, slugs_for


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("civil-society", "Civil society"),
        ("economy", "Economy"),  # a one-word slug reads like the others in a list
        ("january-2022", "January 2022"),
        ("Reform package 1", "Reform package 1"),  # written as words: as written
        ("March 2022 address", "March 2022 address"),
        ("2022", "2022"),  # not a slug of words: as written
        ("UN-reforms", "UN-reforms"),
        ("", ""),
    ],
)
def test_slug_like_names_are_shown_as_words_and_other_names_as_written(name, shown):
    assert display_name(name) == shown


def test_each_distinct_name_keeps_a_page_of_its_own():
    slugs = slugs_for(["Civil society", "civil-society", "Гражданское общество", "economy"])
    assert len(set(slugs.values())) == 4
    assert slugs["economy"] == "economy"
