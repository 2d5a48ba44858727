"""Tamper evidence: what an attacker with write access to the database file can and cannot hide.

The triggers make the database itself refuse UPDATE, DELETE (and, on PostgreSQL,
TRUNCATE) of events. An attacker who drops them can change a stored byte or cut the
tail off, but ``verify`` names the altered position, and ``verify --digest`` with a
digest published earlier shows that events were removed or history rewritten.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cli import app
from ledger import IntegrityError, Store, check_digest, digest, open_store, verify
from tests.conftest import link, make, new_pg_database, promise, registered

INTEGRITY_EXIT = 6


def _fill(store: Store) -> None:
    """Five events after the test source's registration (position 1): positions 2 to 6."""
    store.append(
        [
            promise("p1"),
            promise("p2"),
            make("law.signed", "l1", "2022-05", title="Law on parties"),
            link("l1", "p1"),
            make("law.in_force", "l1", "2022-07", title="Law on parties"),
        ]
    )


def _is_sqlite(store: Store) -> bool:
    return store.url.startswith("sqlite")


def _drop_triggers(store: Store) -> None:
    """What an attacker with file or superuser access does first."""
    with store.engine.begin() as connection:
        if _is_sqlite(store):
            connection.exec_driver_sql("DROP TRIGGER events_no_update")
            connection.exec_driver_sql("DROP TRIGGER events_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER ALL")


def _stored(store: Store, position: int, column: str) -> str:
    with store.engine.connect() as connection:
        return connection.execute(
            text(f"SELECT {column} FROM events WHERE position = :p"), {"p": position}
        ).scalar_one()


def _overwrite(store: Store, position: int, column: str, value: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE events SET {column} = :v WHERE position = :p"),
            {"v": value, "p": position},
        )


def _flip_one_byte(value: str, old: str, new: str) -> str:
    assert len(old) == len(new) == 1 and old.isascii() and new.isascii()
    index = value.index(old)
    changed = value[:index] + new + value[index + 1 :]
    assert len(changed.encode()) == len(value.encode())
    assert sum(a != b for a, b in zip(changed.encode(), value.encode(), strict=True)) == 1
    return changed


def _cli(store: Store, *args: str):
    return CliRunner().invoke(app, ["--db", store.url, *args])


# -- one changed byte ---------------------------------------------------------------------------


def test_one_changed_byte_in_a_stored_event_is_found_at_its_position(store: Store) -> None:
    _fill(store)
    assert verify(store).events == 6
    _drop_triggers(store)
    body = _stored(store, 4, "body")
    _overwrite(store, 4, "body", _flip_one_byte(body, "L", "l"))  # "Law on parties"

    with pytest.raises(IntegrityError) as caught:
        verify(store)
    assert caught.value.position == 4
    assert str(caught.value) == (
        "chain broken at position 4: the stored event does not match its hash (it was altered)"
    )

    result = _cli(store, "verify")
    assert result.exit_code == INTEGRITY_EXIT
    assert result.stderr == (
        "error: chain broken at position 4: the stored event does not match its hash "
        "(it was altered)\n"
    )
    assert "Traceback" not in result.output


def test_a_changed_byte_with_a_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    """Re-hashing the altered event is not enough: the next event's prev_hash disagrees."""
    from ledger.mapper import chain_hash

    _fill(store)
    _drop_triggers(store)
    body = _flip_one_byte(_stored(store, 3, "body"), "W", "w")  # "We will do it."
    _overwrite(store, 3, "body", body)
    _overwrite(store, 3, "hash", chain_hash(_stored(store, 3, "prev_hash"), body))

    with pytest.raises(IntegrityError) as caught:
        verify(store)
    assert caught.value.position == 4
    assert str(caught.value) == (
        "chain broken at position 4: prev_hash does not match the previous event's hash"
    )


def test_a_changed_indexed_column_is_found_at_its_position(store: Store) -> None:
    """Projections filter on the indexed columns, so they must agree with the hashed body."""
    _fill(store)
    _drop_triggers(store)
    _overwrite(store, 5, "item", _flip_one_byte(_stored(store, 5, "item"), "l", "x"))

    with pytest.raises(IntegrityError) as caught:
        verify(store)
    assert caught.value.position == 5
    assert str(caught.value) == (
        "chain broken at position 5: indexed columns disagree with the hashed event"
    )


# -- truncation and a published digest ------------------------------------------------------------


def test_cutting_the_last_event_fails_verify_with_the_earlier_digest(store: Store) -> None:
    _fill(store)
    published = digest(store)
    assert published.startswith("6:")
    ok = _cli(store, "verify", "--digest", published)
    assert ok.exit_code == 0, ok.output

    _drop_triggers(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE position = 6"))

    # The shorter chain is internally consistent: only the published digest reveals the cut.
    assert verify(store).events == 5
    with pytest.raises(IntegrityError) as caught:
        check_digest(store, published)
    assert caught.value.position == 6

    result = _cli(store, "verify", "--digest", published)
    assert result.exit_code == INTEGRITY_EXIT
    assert result.stderr == (
        "error: the ledger has 5 events but the digest names position 6: events were removed "
        "(truncated) or this is another ledger\n"
    )
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_cutting_the_tail_and_appending_again_fails_verify_with_the_earlier_digest(
    store: Store,
) -> None:
    """Once new events cover the cut, the digest's position exists but holds another hash."""
    _fill(store)
    published = digest(store)
    _drop_triggers(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE position >= 5"))
    store.append([promise("p3"), promise("p4"), promise("p5")])
    assert verify(store).events == 7

    result = _cli(store, "verify", "--digest", published)
    assert result.exit_code == INTEGRITY_EXIT
    position, hash_ = published.split(":")
    assert result.stderr == (
        f"error: the ledger does not extend digest 6:{hash_[:12]}…: history up to position 6 "
        "was rewritten\n"
    )
    assert position == "6"


def test_a_digest_of_an_earlier_state_is_extended_by_later_appends(store: Store) -> None:
    _fill(store)
    published = digest(store)
    store.append([promise("p3")])
    report = check_digest(store, published)
    assert report.events == 7
    assert report.digest == digest(store)


# -- the triggers themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "verb"),
    [
        ("UPDATE events SET body = body || ' ' WHERE position = 2", "UPDATE"),
        ("UPDATE events SET hash = prev_hash", "UPDATE"),
        ("DELETE FROM events WHERE position = 5", "DELETE"),
        ("DELETE FROM events", "DELETE"),
    ],
)
def test_the_database_refuses_update_and_delete(store: Store, statement: str, verb: str) -> None:
    _fill(store)
    before = digest(store)
    with pytest.raises(DBAPIError) as caught, store.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert f"events are append-only: {verb} refused" in str(caught.value.orig)
    assert store.count() == 6
    assert digest(store) == before
    assert verify(store).events == 6


def test_postgresql_refuses_truncate(pg_server: str) -> None:
    """SQLite has no TRUNCATE (its DELETE without WHERE is covered above)."""
    store = registered(open_store(new_pg_database(pg_server), create=True))
    try:
        _fill(store)
        with pytest.raises(DBAPIError) as caught, store.engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE events")
        assert "events are append-only: TRUNCATE refused" in str(caught.value.orig)
        assert verify(store).events == 6
    finally:
        store.close()
