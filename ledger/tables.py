"""The ledger's tables, as SQLModel models.

``events`` is the append-only log: one row per event, its canonical JSON in ``body``
and the other columns derived from it for indexing. ``projection_checkpoints`` holds
each projection's folded state and the last position it folded. Only ``store`` writes.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["ProjectionCheckpoint", "StoredEvent", "metadata"]

metadata = SQLModel.metadata


class StoredEvent(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("item", "version", name="events_item_version"),
        Index("events_type", "type"),
    )

    # On SQLite only "INTEGER PRIMARY KEY" makes the position the rowid itself (a 64-bit
    # integer there too); "BIGINT" would add a second B-tree that every append updates.
    position: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
        )
    )
    event_id: str = Field(max_length=36, unique=True)
    item: str = Field(max_length=120)
    version: int
    type: str = Field(max_length=60)
    schema_version: int
    effective: str = Field(max_length=40)
    recorded_at: str = Field(max_length=32)
    body: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ProjectionCheckpoint(SQLModel, table=True):
    __tablename__ = "projection_checkpoints"

    name: str = Field(primary_key=True, max_length=60)
    position: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
