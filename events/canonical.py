"""Canonical JSON: the one byte form of an event that is hashed and exported.

Sorted keys, UTF-8 (no ASCII escaping), no insignificant whitespace, no NaN or infinity.
The stored body is what is hashed, so ``verify`` never re-serializes; the serializer only
has to be deterministic, and orjson is, at a fraction of the standard library's cost.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["canonical_bytes", "canonical_json", "loads"]

_OPTIONS = orjson.OPT_SORT_KEYS


def canonical_json(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode("utf-8")


def canonical_bytes(value: Any) -> bytes:
    """The canonical form as UTF-8 bytes: what the store hashes, then keeps as text."""
    return orjson.dumps(value, option=_OPTIONS)


def loads(text: str | bytes) -> Any:
    """Parse JSON (stored bodies, checkpoints, JSON Lines)."""
    return orjson.loads(text)
