"""Bulk work without the cyclic garbage collector's repeated passes.

Importing, replaying and evaluating build hundreds of thousands of small lists, dicts
and models and no reference cycles; the collector's generational passes over them cost
as much as the work itself. ``gc_paused`` switches it off for the duration, and on the
way out moves what survived straight to the oldest generation: left young, every object
made during the pause would be scanned by the next young pass and again by the middle
one (a third of a second for a status over 100,000 events), although it is as
long-lived as anything the collector keeps.
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
            gc.freeze()  # to the permanent generation, and from there
            gc.unfreeze()  # to the oldest, which a young pass does not scan
            gc.enable()
