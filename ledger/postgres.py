"""What differs on PostgreSQL: engine set-up, the append lock, triggers.

Appends take a transaction-scoped advisory lock before reading the chain head, so that
position order equals commit order and the chain cannot fork between servers' clients.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, inspect, text

__all__ = ["connect", "exists", "lock_for_append", "schema_statements", "take_append_lock"]

APPEND_LOCK_KEY = 0x5245_464C  # "REFL"


def connect(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


def exists(url: str) -> bool:
    engine = connect(url)
    try:
        return inspect(engine).has_table("events")
    finally:
        engine.dispose()


def lock_for_append(connection: Connection) -> Connection:
    return connection


def take_append_lock(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})


def schema_statements() -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION reform_ledger_append_only() RETURNS trigger
           LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION USING MESSAGE = 'events are append-only: ' || TG_OP || ' refused';
           END $$""",
        """CREATE OR REPLACE TRIGGER events_append_only
           BEFORE UPDATE OR DELETE ON events
           FOR EACH ROW EXECUTE FUNCTION reform_ledger_append_only()""",
        """CREATE OR REPLACE TRIGGER events_no_truncate
           BEFORE TRUNCATE ON events
           FOR EACH STATEMENT EXECUTE FUNCTION reform_ledger_append_only()""",
    ]
