"""Lazy public names for a package's ``__init__``: each name's module loads on first use.

A command that needs one corner of the library should not pay for importing the rest (the
event models, SQLAlchemy, Jinja2…). ``lazy_exports`` gives a package the PEP 562
``__getattr__`` and ``__dir__`` over a table of module → names; ``events``, ``ledger`` and
``reports`` use it, so their public API stays one sorted ``__all__``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any], modules: dict[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package whose globals are ``namespace``."""
    where = {name: module for module, names in modules.items() for name in names}
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        """A public name, imported from its module the first time it is asked for."""
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    return __getattr__, __dir__
