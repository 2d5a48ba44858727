"""On PostgreSQL an append of one event waits for the server twice: the ``BEGIN``, the
append lock and the look-up go in one write (libpq's pipeline mode), the insert with the
``COMMIT``; the look-up and the insert are statements the session prepared once."""

from __future__ import annotations

from collections import Counter

import pytest
from psycopg.waiting import Wait

from ledger import StorageError, open_store
from ledger.postgres import LedgerConnection
from tests.conftest import make, new_pg_database, promise, registered


@pytest.fixture
def pg_store(pg_server):
    opened = registered(open_store(new_pg_database(pg_server), create=True))
    yield opened
    opened.close()


def test_an_append_waits_for_the_server_twice(pg_store, monkeypatch):
    """A wait for the server is the driver asking to be woken when the socket has
    something to read (``Wait.R``); sending, and reading what is there, need none."""
    pg_store.append([promise("p1")])
    waits: Counter[str] = Counter()
    original = LedgerConnection.wait

    def counted(self, gen, *args, **kwargs):
        def watched():
            ready = None
            while True:
                try:
                    wait = gen.send(ready)
                except StopIteration as stop:
                    return stop.value
                if wait == Wait.R:
                    waits["wait"] += 1
                ready = yield wait

        return original(self, watched(), *args, **kwargs)

    monkeypatch.setattr(LedgerConnection, "wait", counted)
    for value in range(5):
        pg_store.append(
            [make("measurement.recorded", "p1", metric="m", value=value, unit="u", period="2022")]
        )
    assert waits["wait"] == 10
    monkeypatch.undo()
    assert [record.version for record in pg_store.read(item="p1")] == [1, 2, 3, 4, 5, 6]


def test_a_refused_append_leaves_the_session_and_its_prepared_statements_working(pg_store):
    pg_store.append([promise("p1")])
    with pytest.raises(Exception, match="already exists"):
        pg_store.append([promise("p1")])
    stored = make("measurement.recorded", "p1", metric="m", value=1, unit="u", period="2022")
    pg_store.append([stored])
    pg_store.append([stored])  # the same event again: a no-op
    assert pg_store.count() == 3
    assert pg_store.find_event(str(stored.id)).version == 2


def test_statements_prepared_in_committed_transactions_survive_a_refused_one(pg_store):
    """A refused append rolls back; the statements earlier transactions prepared (and
    the driver's own habits: a query run often) must still be there afterwards."""
    pg_store.append([promise("p1")])
    for _ in range(8):  # a query run often, which a driver might prepare on its own
        pg_store.load_checkpoint("nothing")
    pg_store.save_checkpoint("kept", 1, b"{}")
    with pytest.raises(Exception, match="already exists"):
        pg_store.append([promise("p1")])
    pg_store.save_checkpoint("kept", 2, b"[]")
    assert pg_store.load_checkpoint("kept") == (2, b"[]")
    pg_store.append(
        [make("measurement.recorded", "p1", metric="m", value=1, unit="u", period="2022")]
    )
    assert pg_store.count() == 3


def test_a_statement_the_server_refuses_at_commit_rolls_back_and_leaves_the_session_working(
    pg_store,
):
    """The insert is only answered with the ``COMMIT``: the server's refusal of it comes
    back as a storage error, nothing is stored, and the next append works."""
    pg_store.append([promise("p1")])
    with pg_store.engine.begin() as connection:
        connection.exec_driver_sql(
            """CREATE FUNCTION refuse_item() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 IF NEW.item = 'refused' THEN RAISE EXCEPTION 'item refused here'; END IF;
                 RETURN NEW;
               END $$"""
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse_item BEFORE INSERT ON events "
            "FOR EACH ROW EXECUTE FUNCTION refuse_item()"
        )
    with pytest.raises(StorageError, match="item refused here"):
        pg_store.append([promise("refused")])
    assert pg_store.count() == 2
    pg_store.append(
        [make("measurement.recorded", "p1", metric="m", value=1, unit="u", period="2022")]
    )
    assert [record.version for record in pg_store.read(item="p1")] == [1, 2]
    assert pg_store.count() == 3


def test_a_single_append_keeps_text_beyond_ascii(pg_store):
    """Parameters and results past psycopg's adapters are encoded in the session's own
    encoding: the stored body is the text sent, and the look-up reads it back as the
    same event (re-sending it is a no-op, not a conflict)."""
    title = "Тоқаев: «партия» — 5 000 қол қою → 5,000 signatures"
    event = promise("p1", title=title)
    stored = pg_store.append([event]).appended[0]
    assert pg_store.find_event(stored.id).data["title"] == title
    again = pg_store.append([event])
    assert (again.count, again.skipped) == (0, 1)
    assert pg_store.count() == 2
