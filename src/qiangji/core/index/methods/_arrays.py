"""NaN-aware column statistics shared by the method kernels (no warnings on empty columns)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def col_min(y: FloatArray, axis: int = -2) -> FloatArray:
    """Minimum over the units axis, ignoring NaN; NaN for an all-missing column."""
    out = np.where(np.isnan(y), np.inf, y).min(axis=axis, keepdims=True)
    return np.where(np.isinf(out) & (out > 0), np.nan, out)


def col_max(y: FloatArray, axis: int = -2) -> FloatArray:
    """Maximum over the units axis, ignoring NaN; NaN for an all-missing column."""
    out = np.where(np.isnan(y), -np.inf, y).max(axis=axis, keepdims=True)
    return np.where(np.isinf(out) & (out < 0), np.nan, out)


def col_count(y: FloatArray, axis: int = -2) -> FloatArray:
    """Number of non-missing values over the units axis (as float, kept dims)."""
    out: FloatArray = (~np.isnan(y)).sum(axis=axis, keepdims=True).astype(np.float64)
    return out


def col_mean(y: FloatArray, axis: int = -2) -> FloatArray:
    """Mean over the units axis, ignoring NaN; NaN for an all-missing column."""
    n = col_count(y, axis)
    total = np.where(np.isnan(y), 0.0, y).sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / n, np.nan)


def col_sd(y: FloatArray, axis: int = -2) -> FloatArray:
    """Sample standard deviation (denominator n − 1, as R's ``sd``), ignoring NaN."""
    n = col_count(y, axis)
    dev = np.where(np.isnan(y), 0.0, y - col_mean(y, axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, np.sqrt((dev * dev).sum(axis=axis, keepdims=True) / (n - 1)), np.nan)


def min_rank(y: FloatArray, axis: int = -2, *, descending: bool = False, tol: float = 0.0) -> FloatArray:
    """Competition ("min") ranks along ``axis``: ties share the lowest rank (1, 2, 2, 4); NaN stays NaN.

    Values are sorted; a new tie group starts where the gap to the previous sorted value exceeds
    ``tol · max(1, |previous|)`` (``tol = 0``: exact equality, as R's ``rank(ties.method = "min")``).
    With ``descending`` the largest value gets rank 1.
    """
    z = np.moveaxis(np.asarray(y, dtype=np.float64), axis, -1)
    missing = np.isnan(z)
    # one C-ordered copy with each ranked row contiguous (sorting and scanning strided rows costs several
    # times more); NaN → +inf sorts missing values last and keeps numpy's SIMD sort path; tied values
    # share one rank, so the sort need not be stable
    key = np.negative(z, order="C") if descending else np.array(z, order="C")
    np.copyto(key, np.inf, where=missing)
    order = np.argsort(key, axis=-1)
    s = np.take_along_axis(key, order, axis=-1)
    n = s.shape[-1]
    first = (np.arange(math.prod(s.shape[:-1]), dtype=np.intp) * n).reshape(*s.shape[:-1], 1)
    ranks = np.empty(s.shape, dtype=np.float64)
    ranks.ravel()[(order + first).ravel()] = (_tie_starts(s, tol) + 1.0).ravel()
    ranks[missing] = np.nan
    return np.moveaxis(ranks, -1, axis)


def _tie_starts(s: FloatArray, tol: float) -> NDArray[np.intp]:
    """Position (in each sorted row) of the first value of each value's tie group."""
    n = s.shape[-1]
    with np.errstate(invalid="ignore"):  # inf − inf between missing values
        gap = s[..., 1:] - s[..., :-1]
        bound = np.abs(s[..., :-1])
        np.maximum(bound, 1.0, out=bound)
        bound *= tol
        tied = np.flatnonzero(gap <= bound)  # value k + 1 of its row joins the group of value k
    starts = np.broadcast_to(np.arange(n, dtype=np.intp), s.shape)
    if not tied.size:
        return starts
    row = tied // (n - 1)
    before = tied + row  # flat position in `s` of value k (rows of s are one longer than rows of `gap`)
    # consecutive positions form one tie group, which starts at the first of them
    opens = np.ones(tied.size, dtype=bool)
    opens[1:] = before[1:] != before[:-1] + 1
    group_first = before[opens][np.cumsum(opens) - 1]
    out = starts.copy()
    out.ravel()[before + 1] = group_first - row * n
    return out
