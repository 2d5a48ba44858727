"""The one exception tree of Reform Ledger.

It lives in the lowest layer so that every package can raise it; ``ledger`` and
``reports`` add their own subclasses in their own ``errors`` modules. ``cli.main``
catches :class:`LedgerError`, prints ``error: <message>`` as one line and exits with
the exception's ``exit_code`` (2 is left to Typer for usage errors).

    LedgerError                      exit 1
    ├── InvalidInput                 exit 3   bad file, field, date, quote, type
    │   ├── UnknownEventType         exit 3
    │   └── InvalidInputs            exit 3   several at once (an import), one line each
    ├── ledger.errors.*              (store, concurrency, integrity)
    └── reports.errors.*             (rendering, scheduling)
"""

from __future__ import annotations

__all__ = ["InvalidInput", "InvalidInputs", "LedgerError", "UnknownEventType"]

#: How many errors an import lists before "… and N more".
MAX_LISTED = 50


class LedgerError(Exception):
    """Root of every error Reform Ledger raises on purpose."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as the lines the CLI prints, each after ``error: ``."""
        return [str(self)]


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


class InvalidInputs(InvalidInput):
    """Raised when validation found several errors (an import file): one line each.

    Keeps the first ``MAX_LISTED`` errors and the count of the rest.
    """

    def __init__(self, errors: list[InvalidInput], *, total: int | None = None) -> None:
        self.errors = errors[:MAX_LISTED]
        self.total = max(total or 0, len(errors))
        more = self.total - 1
        first = str(self.errors[0])
        super().__init__(f"{first} (and {more} more)" if more else first)

    def lines(self) -> list[str]:
        more = self.total - len(self.errors)
        return [str(error) for error in self.errors] + ([f"… and {more} more"] if more else [])

    def at(self, where: str) -> InvalidInputs:
        return InvalidInputs([error.at(where) for error in self.errors], total=self.total)

    @staticmethod
    def of(errors: list[InvalidInput], total: int | None = None) -> InvalidInput:
        """One error as itself, several as one ``InvalidInputs``."""
        if len(errors) == 1 and (total or 1) == 1:
            return errors[0]
        return InvalidInputs(errors, total=total)
