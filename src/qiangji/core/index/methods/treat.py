"""Treatment methods: tame outliers and skew before normalising.

Each treatment takes one indicator column ``x`` (1-D, NaN = missing) and returns the treated column and a
short note of what was done (e.g. ``"winsorised 2 high"``, ``"log"``), which the result keeps.

Sources: JRC/OECD *Handbook on Constructing Composite Indicators* (2008), §1.4; COINr ``R/treat.R``
(``Treat.numeric`` defaults: ``f1 = winsorise`` with ``winmax = 5``, ``f_pass = check_SkewKurt`` with
``skew_thresh = 2``, ``kurt_thresh = 3.5``, ``f2 = log_CT`` applied to the *original* column).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.methods.registry import Registry

Treatment = Callable[..., tuple[FloatArray, str]]
treatments: Registry[Treatment] = Registry("treat")


def skew(x: FloatArray) -> float:
    """Sample skewness, type 2 (Excel's SKEW; e1071 ``skewness(type = 2)``; COINr ``skew``), NaN skipped.

    ``g = √n Σd³ / (Σd²)^{3/2}``, ``G = g · √(n(n − 1)) / (n − 2)`` with dᵢ = xᵢ − x̄; NaN for n < 3.
    """
    v = x[~np.isnan(x)]
    n = v.size
    if n < 3:
        return float("nan")
    d = v - v.mean()
    s2 = float((d * d).sum())
    if s2 == 0:
        return 0.0
    g = np.sqrt(n) * float((d**3).sum()) / s2**1.5
    return float(g * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: FloatArray) -> float:
    """Sample excess kurtosis, type 2 (Excel's KURT; e1071 ``kurtosis(type = 2)``; COINr ``kurt``).

    ``r = n Σd⁴ / (Σd²)²``, ``K = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3))``; NaN for n < 4.
    """
    v = x[~np.isnan(x)]
    n = v.size
    if n < 4:
        return float("nan")
    d = v - v.mean()
    s2 = float((d * d).sum())
    if s2 == 0:
        return 0.0
    r = n * float((d**4).sum()) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def passes(x: FloatArray, skew_max: float = 2.0, kurt_max: float = 3.5) -> bool:
    """COINr ``check_SkewKurt``: a column passes when ``|skew| < skew_max`` or ``kurtosis < kurt_max``.

    A column too short to measure (fewer than 4 values) passes.
    """
    s, k = skew(x), kurt(x)
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < skew_max or k < kurt_max)


def _log_ct(x: FloatArray) -> FloatArray:
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def _check_winsorise(params: Mapping[str, Any], direction: int) -> list[str]:
    winmax = params.get("winmax", 5)
    if not isinstance(winmax, int) or isinstance(winmax, bool) or winmax < 1:
        return [f"`winmax` must be an integer not less than 1, got {winmax!r}"]
    return []


@treatments.register("winsorise", check=_check_winsorise)
def winsorise(
    x: FloatArray, *, winmax: int = 5, skew_max: float = 2.0, kurt_max: float = 3.5
) -> tuple[FloatArray, str]:
    """COINr's default treatment: winsorise one point at a time, then fall back to a log transform.

    A column fails when ``|skew| ≥ skew_max`` and ``kurtosis ≥ kurt_max`` (``passes``). While it fails and
    fewer than ``winmax`` points are treated, the most extreme value on the side of the skew (high if
    skew ≥ 0) is set to the next value inward (tied extremes move together). If the column still fails,
    the winsorisation is reverted and the original column is log-transformed,
    ``log(x − min x + 0.01 · (max x − min x))`` (COINr ``log_CT``).
    """
    if passes(x, skew_max, kurt_max):
        return x.copy(), ""
    y = x.copy()
    hi = lo = 0
    while not passes(y, skew_max, kurt_max) and hi + lo < winmax:
        present = y[~np.isnan(y)]
        if np.unique(present).size < 3:
            break
        if skew(y) >= 0:
            at = y == present.max()
            y[at] = present[present < present.max()].max()
            hi += int(at.sum())
        else:
            at = y == present.min()
            y[at] = present[present > present.min()].min()
            lo += int(at.sum())
    if passes(y, skew_max, kurt_max):
        return y, " ".join(f"winsorised {n} {side}" for n, side in ((hi, "high"), (lo, "low")) if n)
    return _log_ct(x), "log"


@treatments.register("log")
def log(x: FloatArray) -> tuple[FloatArray, str]:
    """COIN Tool log transform ``log(x − min x + 0.01 · (max x − min x))`` (COINr ``log_CT``)."""
    return _log_ct(x), "log"


@treatments.register("log1p")
def log1p(x: FloatArray) -> tuple[FloatArray, str]:
    """``ln(1 + x)`` for skewed counts (docs/domain.md#scoring: "log1p(x) before min-max"); needs x > −1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(x), "log1p"


@treatments.register("none")
def none(x: FloatArray) -> tuple[FloatArray, str]:
    """No treatment: ``x`` is used as reported (COINr ``Treat(global_specs = "none")``)."""
    return x.copy(), ""
