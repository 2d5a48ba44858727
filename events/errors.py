"""The one exception tree of Reform Ledger.

It lives in the lowest layer so that every package can raise it; ``ledger`` and
``reports`` add their own subclasses in their own ``errors`` modules. ``cli.main``
catches :class:`LedgerError`, prints ``error: <message>`` as one line and exits with
the exception's ``exit_code`` (2 is left to Typer for usage errors).

    LedgerError                      exit 1
    ├── InvalidInput                 exit 3   bad file, field, date, quote, type
    │   └── UnknownEventType         exit 3
    ├── ledger.errors.*              (store, concurrency, integrity)
    └── reports.errors.*             (rendering, scheduling)
"""

from __future__ import annotations

__all__ = ["InvalidInput", "LedgerError", "UnknownEventType"]


class LedgerError(Exception):
    """Root of every error Reform Ledger raises on purpose."""

    exit_code = 1


class InvalidInput(LedgerError):
    """Raised when an event, a file or a field fails validation; names where and why."""

    exit_code = 3

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    def at(self, where: str) -> InvalidInput:
        """The same error with a place (file and line, or a field) put in front."""
        return InvalidInput(self.message, where=f"{where}: {self.where}" if self.where else where)


class UnknownEventType(InvalidInput):
    """Raised when an event names a type that is not in the catalogue."""

    def __init__(self, type_name: str, *, where: str | None = None) -> None:
        from events.registry import event_types

        self.type_name = type_name
        known = ", ".join(event_types())
        super().__init__(f"unknown event type {type_name!r} (known: {known})", where=where)
