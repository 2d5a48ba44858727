"""Canonical JSON: the one byte form of an event that is hashed and exported.

Sorted keys, UTF-8 (no ASCII escaping), no insignificant whitespace. Two equal events
always give the same bytes, so the hash chain is reproducible on any machine.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json"]

_encoder = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def canonical_json(value: Any) -> str:
    return _encoder.encode(value)
