"""The published site of the bundled dataset, built once for the site tests, and a small
ledger's site for tests that change the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import Store, load_dataset, open_store
from reports import publish_site

DEMO_AS_OF = "2024-06-30"
BASE_URL = "https://example.org/kazakhstan/"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("demo-ledger") / "demo.db"
    store = open_store(f"sqlite:///{path}", create=True)
    load_dataset(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_site(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's site, with a base URL (so every page carries og: metadata)."""
    out = tmp_path_factory.mktemp("demo-site") / "site"
    publish_site(demo_store, out, as_of=DEMO_AS_OF, base_url=BASE_URL, title="Demo <site>")
    return out


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))
