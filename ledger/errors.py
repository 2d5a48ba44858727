"""Errors of the store and projections, under the one root ``events.LedgerError``.

LedgerError
├── InvalidInput (events)            exit 3
│   ├── UnknownItem                  an event for, or a link to, an item never created
│   ├── ItemExists                   creating an item twice
│   ├── UnknownEvent                 retracting an event that is not stored
│   └── KindMismatch                 a law event on a promise, and the like
├── ConflictError                    exit 4
│   ├── ConcurrencyError             the item moved past the expected version
│   └── DuplicateEventId             another event is stored under this id
├── StorageError                     exit 5  no ledger, database unreachable
│   └── NotALedger                   a database without the ledger's tables
└── IntegrityError                   exit 6  ``verify`` found a broken chain
"""

from __future__ import annotations

from events.errors import InvalidInput, LedgerError

__all__ = [
    "ConcurrencyError",
    "ConflictError",
    "DuplicateEventId",
    "IntegrityError",
    "ItemExists",
    "KindMismatch",
    "LockHeld",
    "LockLost",
    "NotALedger",
    "StorageError",
    "UnknownEvent",
    "UnknownItem",
]


class UnknownItem(InvalidInput):
    """Raised when an event names, or links to, an item that was never created."""


class ItemExists(InvalidInput):
    """Raised when an event that creates an item names one that already exists."""


class UnknownEvent(InvalidInput):
    """Raised when a retraction names an event id that is not in the ledger."""


class KindMismatch(InvalidInput):
    """Raised when an event does not fit its item's kind (a law event on a promise)."""


class ConflictError(LedgerError):
    """Raised when an append conflicts with what is already stored."""

    exit_code = 4


class ConcurrencyError(ConflictError):
    """Raised when the writer's expected item version is stale."""


class DuplicateEventId(ConflictError):
    """Raised when a different event is sent under an id already stored."""


class StorageError(LedgerError):
    """Raised when the database is missing, unreachable or not a ledger."""

    exit_code = 5


class NotALedger(StorageError):
    """Raised when a database opens but lacks the ledger's tables (an empty file, or
    another program's database); creating the ledger there is the way on."""


class IntegrityError(LedgerError):
    """Raised when the hash chain does not verify, or no longer extends a digest."""

    exit_code = 6

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        super().__init__(message)


class LockHeld(StorageError):
    """Raised when another process holds a ledger-wide lock (one scheduler per ledger)."""

    def __init__(self, holder: str, detail: str) -> None:
        self.holder, self.detail = holder, detail
        super().__init__(f"held by {holder} ({detail})")


class LockLost(StorageError):
    """Raised when a held ledger-wide lock has been lost (its database session died)."""
