"""Bulk work without the cyclic garbage collector's repeated passes.

Importing, replaying and evaluating build hundreds of thousands of small lists, dicts
and models and no reference cycles; the collector's generational passes over them cost
as much as the work itself. ``gc_paused`` switches it off for the duration.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
