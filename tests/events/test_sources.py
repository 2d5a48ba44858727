"""``source.registered``: what a registration must say, how it cites itself, what it refuses."""

from __future__ import annotations

import pytest

from events import InvalidInput, SourceRegistered, parse_event

BASE = {
    "type": "source.registered",
    "item": "ecfr-2022",
    "title": "Changer things: Kazakhstan’s second republic",
    "publisher": "European Council on Foreign Relations",
    "published": "2022-06",
    "kind": "think_tank",
    "language": "en",
}


def register(**changes: object) -> SourceRegistered:
    raw = {**BASE, **changes}
    event = parse_event({k: v for k, v in raw.items() if v is not None})
    assert isinstance(event, SourceRegistered)
    return event


def refusal(**changes: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        register(**changes)
    return str(caught.value)


def test_without_a_source_block_it_cites_its_own_title_and_takes_effect_when_published():
    event = register()
    assert event.source.model_dump(exclude_none=True) == {
        "document": "ecfr-2022",
        "locator": "title",
        "quote": "Changer things: Kazakhstan’s second republic",
    }
    assert event.effective == "2022-06"
    assert event.envelope()["data"] == {
        "title": "Changer things: Kazakhstan’s second republic",
        "publisher": "European Council on Foreign Relations",
        "published": "2022-06",
        "kind": "think_tank",
        "language": "en",
    }


def test_a_given_citation_names_the_document_itself():
    event = register(source={"locator": "title page", "quote": "Changer things"})
    assert (event.source.document, event.source.locator) == ("ecfr-2022", "title page")
    refused = refusal(source={"document": "other.txt", "locator": "p. 1", "quote": "x"})
    assert refused == (
        "field 'source': a registration cites the document it registers ('ecfr-2022'), "
        "not 'other.txt'"
    )


def test_an_explicit_effective_date_is_kept():
    assert register(effective="2022-06-30").effective == "2022-06-30"


@pytest.mark.parametrize("field", ["title", "published", "kind", "language"])
def test_the_registration_fields_are_required(field: str):
    assert refusal(**{field: None}) == f"field {field!r}: required field is missing"


def test_author_and_publisher_are_each_optional():
    assert register(publisher=None, author="Dušan Proroković").author == "Dušan Proroković"
    unsigned = register(publisher=None)  # an unsigned page whose publisher is not known
    assert (unsigned.author, unsigned.publisher) == (None, None)


@pytest.mark.parametrize(
    "url",
    [
        "https://ecfr.eu/article/changer-things-kazakhstans-second-republic/",
        "http://www.akorda.kz/en/addresses?id=1&lang=en#part-2",
        "https://ru.wikipedia.org/wiki/Казахстан",
        "https://en.wikipedia.org/wiki/Nur_Otan_(party)",
    ],
)
def test_web_addresses_are_kept_exactly_as_given(url: str):
    assert register(url=url).url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "is not a web address (give an http:// or https:// URL)"),
        ("ftp://files.example/a.pdf", "is not a web address (give an http:// or https:// URL)"),
        ("ecfr.eu/article", "is not a web address (give an http:// or https:// URL)"),
        ("https://", "is not a web address (give an http:// or https:// URL)"),
        ('https://x.example/a"><script>', "is not a web address: '\"' must be percent-encoded"),
        ("https://x.example/a b", "is not a web address: ' ' must be percent-encoded (%20)"),
        ("https://x.example/a[1]", "is not a web address: '[' must be percent-encoded (%5B)"),
    ],
)
def test_anything_but_an_http_address_is_refused(url: str, reason: str):
    message = refusal(url=url)
    assert message.startswith(f"field 'url': {url!r} {reason}")


@pytest.mark.parametrize(
    ("given", "kept"),
    [("en", "en"), ("EN-gb", "en-GB"), ("kk-cyrl-kz", "kk-Cyrl-KZ"), ("ru", "ru")],
)
def test_language_tags_are_kept_in_their_usual_case(given: str, kept: str):
    assert register(language=given).language == kept


@pytest.mark.parametrize("given", ["english", "e", "en_GB", "en-", "12"])
def test_other_language_values_are_refused(given: str):
    assert refusal(language=given) == (
        f"field 'language': {given!r} is not a language tag (BCP 47, e.g. en, ru, kk, en-GB)"
    )


def test_kind_is_one_of_six_and_the_short_title_is_short():
    assert refusal(kind="blog").startswith("field 'kind': ")
    for kind in ("official", "government", "academic", "think_tank", "news", "other"):
        assert register(kind=kind).kind == kind
    assert register(short_title="ECFR (2022)").short_title == "ECFR (2022)"
    assert refusal(short_title="x" * 81).startswith("field 'short_title': ")


def test_a_publication_date_keeps_its_precision_and_is_not_in_the_future():
    assert register(published="2022").published == "2022"
    assert register(published="2023-09-15", effective="2023").effective == "2023"
    assert refusal(published="2999-01", effective="2022") == (
        "field 'published': publication date 2999-01 is in the future"
    )
    assert refusal(published="2022-02-30").startswith("field 'published': impossible date")


def test_the_source_id_is_an_item_id():
    assert refusal(item="Not A Slug").startswith("field 'item': 'Not A Slug' is not an item id")
