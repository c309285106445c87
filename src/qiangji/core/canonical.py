"""Canonical JSON and the one rule for missing numbers, for every text that is stored or hashed.

Bit-for-bit reproducibility (docs/design.md §reproducibility) compares a recomputed run with the stored
text byte for byte and hashes the stored texts, so every writer of such text must produce the same bytes
for the same data. They all go through `canonical_json`:

- keys sorted, non-ASCII characters written as themselves (UTF-8), floats written with Python's ``repr``
  (the shortest text that reads back to the same double, so a reload is exact);
- no ``NaN`` or ``Infinity`` (JSON has neither): a number that is missing is ``null``. `nan_to_none` is
  the rule that turns a float into what is written (not finite → ``None``); `json_ready` applies it to a
  whole structure of numpy and Python values. Writing a non-finite float raises `InputError`;
- two layouts, both kept because stored texts are hashed or compared: ``compact`` (``,`` and ``:``) for
  index-run inputs and results and for publication content, and ``spaced`` (``, `` and ``: ``, the
  layout of the standard library's default) for run specs and framework versions, whose stored SHA-256
  and frozen-version check rely on it.

>>> canonical_json({"b": float("0.1"), "a": [1, nan_to_none(float("nan"))]})
'{"a":[1,null],"b":0.1}'
>>> canonical_json({"名": 1.5}, layout="spaced")
'{"名": 1.5}'
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from qiangji.core.errors import InputError

__all__ = ["Layout", "canonical_bytes", "canonical_json", "json_ready", "nan_to_none", "sha256_text"]

Layout = Literal["compact", "spaced"]
_SEPARATORS: dict[str, tuple[str, str]] = {"compact": (",", ":"), "spaced": (", ", ": ")}


def nan_to_none(x: Any) -> float | None:
    """``x`` as a float, or ``None`` when it is missing (NaN) or not finite (JSON has no such number)."""
    v = float(x)
    return v if math.isfinite(v) else None


def json_ready(v: Any) -> Any:
    """A plain copy of ``v``: mappings (keys as text), sequences and arrays as lists, numpy scalars as
    Python ones, every float through `nan_to_none`. Other values (text, ``None``) are kept."""
    if isinstance(v, Mapping):
        return {str(k): json_ready(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [json_ready(x) for x in v]
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return nan_to_none(v)
    return v


def canonical_json(data: Any, *, layout: Layout = "compact") -> str:
    """``data`` (JSON types only) as canonical JSON text (module docstring); `InputError` on NaN/∞."""
    try:
        return json.dumps(
            data, ensure_ascii=False, sort_keys=True, allow_nan=False, separators=_SEPARATORS[layout]
        )
    except ValueError as exc:  # a float that is not finite: the writer must apply `nan_to_none` first
        raise InputError(f"canonical JSON must hold no NaN or infinity (use null), got one: {exc}") from None


def canonical_bytes(data: Any, *, layout: Layout = "compact") -> bytes:
    """`canonical_json` encoded as UTF-8: what is hashed."""
    return canonical_json(data, layout=layout).encode("utf-8")


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8 (the stored hash of a canonical text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
