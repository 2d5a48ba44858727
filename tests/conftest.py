"""Fixtures shared by every test: ledgers on SQLite files and on a real PostgreSQL server.

The ``store`` fixture runs each test once per engine. PostgreSQL comes from
``REFORM_LEDGER_TEST_PG`` (a server URL) or, when unset, from a throwaway cluster this
suite starts itself; finding neither, the PostgreSQL tests fail, never skip.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from events import format_instant, parse_event
from ledger import Store, open_store
from tests.pg_cluster import PgCluster, find_bin_dir

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A URL of a PostgreSQL server the tests may create databases on."""
    url = os.environ.get("REFORM_LEDGER_TEST_PG")
    if url:
        yield url
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL is not installed: run the tests with `make test`, which installs it"
        )
    cluster = PgCluster(bin_dir).start()
    os.environ["REFORM_LEDGER_TEST_PG"] = cluster.url
    try:
        yield cluster.url
    finally:
        os.environ.pop("REFORM_LEDGER_TEST_PG", None)
        cluster.stop()


def new_pg_database(server_url: str) -> str:
    """Create an empty database on the server and return its URL."""
    name = f"ledger_{os.getpid()}_{next(_counter)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    base, _, query = server_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An URL for a not-yet-created ledger, once per engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


SOURCE = {"document": "test.txt", "locator": "Section 1", "quote": "a verbatim quote"}


def registration(document: str = SOURCE["document"], **fields: Any):
    """A ``source.registered`` event for ``document``, with a stable id; recorded in 2000
    unless told, so that any backfill a test makes comes after it."""
    raw = {
        "type": "source.registered",
        "item": document,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"source:{document}")),
        "title": f"The document {document}",
        "publisher": "Test Publisher",
        "published": "2000",
        "kind": "other",
        "language": "en",
        "recorded_at": "2000-01-01",
        **fields,
    }
    return parse_event(raw)


def append_unchecked(opened: Store, events: list) -> None:
    """Store events as a ledger written before sources were registered holds them: rows
    built by the mapper and chained on the head, with no check that their sources exist."""
    from ledger.mapper import to_row
    from ledger.tables import StoredEvent

    head = opened.head()
    versions: dict[str, int] = {}
    rows = []
    position, prev_hash = head.position, head.hash
    for event in events:
        item = event.item
        if item not in versions:
            versions[item] = sum(1 for _ in opened.read(item=item))
        versions[item] += 1
        position += 1
        row = to_row(
            event.envelope(),
            position=position,
            version=versions[item],
            recorded_at=format_instant(event.recorded_at or datetime.now(UTC)),
            prev_hash=prev_hash,
        )
        prev_hash = row["hash"]
        rows.append(row)
    with opened.engine.begin() as connection:
        connection.execute(StoredEvent.__table__.insert(), rows)


def registered(opened: Store, *documents: str) -> Store:
    """The ledger with the test documents registered (the one every test event cites)."""
    opened.append([registration(document) for document in documents or (SOURCE["document"],)])
    return opened


@pytest.fixture
def empty_store(ledger_url: str) -> Iterator[Store]:
    """An empty, initialized ledger, once per engine."""
    opened = open_store(ledger_url, create=True)
    yield opened
    opened.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """An initialized ledger, once per engine, holding only the registration of the source
    that test events cite (position 1)."""
    return registered(empty_store)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = registered(open_store(f"sqlite:///{tmp_path / 'ledger.db'}", create=True))
    yield opened
    opened.close()


def make(type_name: str, item: str, effective: str = "2022-01-01", **fields: Any):
    """A validated event with a fresh id and a test source."""
    raw = {
        "type": type_name,
        "item": item,
        "effective": effective,
        "source": dict(SOURCE),
        "id": str(uuid.uuid4()),
        **fields,
    }
    return parse_event(raw)


def promise(item: str, effective: str = "2022-01-01", **fields: Any):
    defaults = {
        "title": f"Promise {item}",
        "statement": "We will do it.",
        "actor": "Government",
        "area": "testing",
    }
    return make("promise.made", item, effective, **{**defaults, **fields})


def link(source_item: str, to: str, relation: str = "implements", effective: str = "2022-01-01"):
    return make("link.added", source_item, effective, to=to, relation=relation)
