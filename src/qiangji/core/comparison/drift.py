"""Drift-corrected pilot reference value of a transfer standard (JJF 1117 ring/star; Elster et al. 2005)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from qiangji.core.comparison._common import FloatArray, as_uncertainties, as_values
from qiangji.core.errors import InputError

__all__ = ["DriftResult", "drift_reference"]


@dataclass(frozen=True)
class DriftResult:
    """X_P(t) = a + b·(t − t̄) fitted to the pilot's measurements, evaluated at each laboratory's date.

    ``value`` and ``u`` are arrays (one per ``t_lab``); u²(X_P(t)) = [1, t − t̄]·Cov(a, b)·[1, t − t̄]ᵀ.
    ``chi2``/``dof``/``p_value`` check the straight line (dof = m − 2; NaN for two points, where the
    line is the interpolation through them). Times are in days.
    """

    value: FloatArray
    u: FloatArray
    intercept: float
    slope: float
    u_slope: float
    t_mean: float
    covariance: FloatArray
    chi2: float
    dof: int
    p_value: float
    residuals: FloatArray


def _days(t: Any, name: str) -> FloatArray:
    arr = np.asarray(t)
    if arr.dtype.kind in "MO" or arr.dtype.kind == "U":
        try:
            arr = np.asarray(arr, dtype="datetime64[s]")
        except (TypeError, ValueError) as exc:
            raise InputError(f"`{name}` must be numbers of days or dates, got {t!r}") from exc
        return (arr - np.datetime64("1970-01-01T00:00:00", "s")).astype(np.float64) / 86400.0
    return as_values(arr, name)


def drift_reference(times: Any, values: Any, u: Any, t_lab: Any) -> DriftResult:
    """Pilot value of the transfer standard at each laboratory's measurement date, with its uncertainty.

    Weighted least squares (weights 1/u²) of a straight line through the pilot's m ≥ 2 measurements; with
    m = 2 it is the linear interpolation X_P(t) = x_0 + (x_1 − x_0)(t − t_0)/(t_1 − t_0), and its
    uncertainty follows from the same covariance. Dates may be numbers of days or dates/datetimes.

    Raises InputError for fewer than two pilot measurements or all at the same time.
    """
    t = _days(times, "times")
    y = as_values(values, "values", min_size=2)
    if t.size != y.size:
        raise InputError(f"`times` must have {y.size} values like `values`, got {t.size}")
    uu = as_uncertainties(u, "u", y.size)
    if np.ptp(t) == 0:
        raise InputError("`times` must not all be equal: a drift line needs two different dates")
    tl = np.atleast_1d(_days(t_lab, "t_lab"))
    tm = float(np.average(t, weights=1 / uu**2))
    design = np.column_stack((np.ones_like(t), t - tm)) / uu[:, None]
    cov: FloatArray = np.asarray(np.linalg.inv(design.T @ design), dtype=np.float64)
    a, b = cov @ design.T @ (y / uu)
    resid = y - a - b * (t - tm)
    dof = y.size - 2
    chi2 = float(np.sum((resid / uu) ** 2)) if dof > 0 else math.nan
    p = float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan
    g = np.column_stack((np.ones_like(tl), tl - tm))
    var = np.einsum("ij,jk,ik->i", g, cov, g)
    return DriftResult(
        a + b * (tl - tm),
        np.sqrt(var),
        float(a),
        float(b),
        math.sqrt(cov[1, 1]),
        tm,
        cov,
        chi2,
        dof,
        p,
        resid,
    )
