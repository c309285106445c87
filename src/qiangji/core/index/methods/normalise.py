"""Normalisation methods: bring indicators onto a common scale.

Every normaliser works column-wise on a float array shaped ``(..., units, indicators)`` (NaN = missing;
any leading axes, e.g. Monte-Carlo replications, broadcast) and returns an array of the same shape. The
pipeline applies the direction first, as COINr's ``Normalise.numeric`` does (``x <- x * direction``):
``y = direction · x``, so that higher ``y`` is always better. ``direction`` (±1 per column) is passed too,
for the methods whose parameters (target, goalposts, ordinal keys) are given in the indicator's own units.

Sources: JRC/OECD *Handbook on Constructing Composite Indicators* (2008), §1.5 and Table 3;
COINr ``R/normalise.R`` (``n_minmax``, ``n_zscore``, ``n_rank``, ``n_prank``, ``n_borda``,
``n_dist2targ``, ``n_goalposts``); docs/domain.md#scoring for ``target`` and ``ordinal``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.methods._arrays import (
    FloatArray,
    col_count,
    col_max,
    col_mean,
    col_min,
    col_sd,
    min_rank,
)
from qiangji.core.index.methods.registry import Registry

Normaliser = Callable[..., FloatArray]
normalisers: Registry[Normaliser] = Registry("normalise")

_CONSTANT = ("nan", "low", "high", "mid")


def _check_minmax(params: Mapping[str, Any], direction: int) -> list[str]:
    problems = []
    if float(params.get("high", 100.0)) <= float(params.get("low", 0.0)):
        problems.append(
            f"`high` must be greater than `low`, got low={params.get('low', 0.0)}, high={params.get('high')}"
        )
    if params.get("constant", "nan") not in _CONSTANT:
        problems.append(f"`constant` must be one of {', '.join(_CONSTANT)}, got {params.get('constant')!r}")
    return problems


@normalisers.register("minmax", check=_check_minmax)
def minmax(
    y: FloatArray, *, direction: FloatArray, low: float = 0.0, high: float = 100.0, constant: str = "nan"
) -> FloatArray:
    """Min-max scaling onto ``[low, high]``.

    ``s = (y − min y) / (max y − min y) · (high − low) + low`` over the units present
    (COINr ``n_minmax``, default ``l_u = c(0, 100)``; JRC/OECD Handbook eq. (1.5)).
    A constant column has no range: COINr returns NaN with a warning (``constant="nan"``, the default);
    ``"low"``, ``"mid"`` or ``"high"`` give every present unit that score instead (docs/domain.md#scoring).
    """
    lo, hi = col_min(y), col_max(y)
    rng = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (y - lo) / rng * (high - low) + low
    flat = rng == 0
    if np.any(flat):
        if constant == "nan":
            warnings.warn("min-max of a constant column gives NaN", DegenerateDataWarning, stacklevel=2)
        else:
            fill = {"low": low, "high": high, "mid": (low + high) / 2.0, "nan": np.nan}[constant]
            out = np.where(flat & ~np.isnan(y), fill, out)
    return out


def _check_zscore(params: Mapping[str, Any], direction: int) -> list[str]:
    sd = float(params.get("sd", 1.0))
    return [] if sd > 0 else [f"`sd` must be positive, got {sd}"]


@normalisers.register("zscore", check=_check_zscore)
def zscore(y: FloatArray, *, direction: FloatArray, mean: float = 0.0, sd: float = 1.0) -> FloatArray:
    """Standardisation to mean ``mean`` and standard deviation ``sd``.

    ``s = (y − ȳ) / σ_y · sd + mean`` with the sample standard deviation σ (n − 1), as COINr ``n_zscore``
    (``m_sd = c(0, 1)``) and the JRC/OECD Handbook eq. (1.4). Fewer than two values, or σ = 0, give NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return (y - col_mean(y)) / col_sd(y) * sd + mean


@normalisers.register("rank")
def rank(y: FloatArray, *, direction: FloatArray) -> FloatArray:
    """Rank of each unit, the best getting the highest number: ``s = rank(y)`` (ties: minimum rank).

    COINr ``n_rank`` (``rank(x, ties.method = "min", na.last = "keep")``); JRC/OECD Handbook §1.5 "ranking".
    """
    return min_rank(y)


def _check_scale(params: Mapping[str, Any], direction: int) -> list[str]:
    scale = float(params.get("scale", 100.0))
    return [] if scale > 0 else [f"`scale` must be positive, got {scale}"]


@normalisers.register("percentile", check=_check_scale)
def percentile(y: FloatArray, *, direction: FloatArray, scale: float = 100.0) -> FloatArray:
    """Percentile rank ``s = (rank(y) − 1) / (n − 1) · scale`` with minimum ranks for ties.

    COINr ``n_prank`` (which uses ``scale = 1``); n is the number of units with a value.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return (min_rank(y) - 1.0) / (col_count(y) - 1.0) * scale


@normalisers.register("borda")
def borda(y: FloatArray, *, direction: FloatArray) -> FloatArray:
    """Borda score ``s = rank(y) − 1``: the number of units a unit beats (ties: minimum rank).

    COINr ``n_borda``; Borda (1781), as cited in the JRC/OECD Handbook §1.6 (non-compensatory methods).
    """
    return min_rank(y) - 1.0


@normalisers.register("distance_to_target", check=_check_scale, absolute=("target",))
def distance_to_target(
    y: FloatArray, *, direction: FloatArray, target: float, cap: bool = True, scale: float = 100.0
) -> FloatArray:
    """Distance to a target: ``s = (1 − (t − y) / (t − min y)) · scale``, capped at ``scale`` if ``cap``.

    COINr ``n_dist2targ`` (``scale = 1``, ``cap_max``). ``target`` is given in the indicator's own units and
    turned with the direction, ``t = direction · target``; a column whose minimum equals t gives NaN.
    """
    t = direction * target
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 1.0 - (t - y) / (t - col_min(y))
    if cap:
        s = np.where(s > 1.0, 1.0, s)
    return s * scale


def _check_goalposts(params: Mapping[str, Any], direction: int) -> list[str]:
    problems = _check_scale(params, direction)
    if float(params["high"]) <= float(params["low"]):
        problems.append(f"`high` must be greater than `low`, got low={params['low']}, high={params['high']}")
    return problems


@normalisers.register("goalposts", check=_check_goalposts, absolute=("low", "high"))
def goalposts(
    y: FloatArray,
    *,
    direction: FloatArray,
    low: float,
    high: float,
    scale: float = 100.0,
    truncate: bool = True,
) -> FloatArray:
    """Goalposts: ``s = (x − low) / (high − low) · scale`` (direction 1),
    ``s = (high − x) / (high − low) · scale`` (direction −1), truncated to [0, scale] if ``truncate``.

    ``low`` and ``high`` are fixed in the indicator's own units (x = direction · y), so scores are comparable
    across periods. COINr ``n_goalposts`` (``gposts = c(l, u, a)``, flipped for direction −1);
    UNDP Human Development Report technical notes (goalposts).
    """
    x = y * direction
    s = np.where(direction > 0, (x - low) / (high - low), (high - x) / (high - low))
    if truncate:
        s = np.clip(s, 0.0, 1.0)
    return s * scale


def _check_target(params: Mapping[str, Any], direction: int) -> list[str]:
    problems = _check_scale(params, direction)
    target = float(params["target"])
    if direction > 0 and target <= 0:
        problems.append(f"`target` must be positive for a higher-is-better indicator, got {target}")
    tol = params.get("tolerance")
    if direction < 0 and (tol is None or float(tol) <= 0):
        problems.append(f"`tolerance` must be positive for a lower-is-better indicator, got {tol}")
    return problems


@normalisers.register("target", check=_check_target, absolute=("target", "tolerance"))
def target(
    y: FloatArray,
    *,
    direction: FloatArray,
    target: float,
    tolerance: float | None = None,
    scale: float = 100.0,
) -> FloatArray:
    """Target ratio (docs/domain.md#scoring), in the indicator's own units x = direction · y.

    Higher is better: ``s = min(x / target, 1) · scale`` (and not below 0).
    Lower is better: ``s = scale`` if ``x ≤ target``, else ``max(0, 1 − (x − target) / tolerance) · scale``.
    """
    x = y * direction
    tol = np.inf if tolerance is None else tolerance
    with np.errstate(invalid="ignore", divide="ignore"):
        up = np.clip(x / target, 0.0, 1.0)
        down = np.where(x <= target, 1.0, np.maximum(0.0, 1.0 - (x - target) / tol))
    return np.where(direction > 0, up, np.where(np.isnan(x), np.nan, down)) * scale


def _check_ordinal(params: Mapping[str, Any], direction: int) -> list[str]:
    mapping = params["mapping"]
    if not isinstance(mapping, Mapping) or not mapping:
        return [f"`mapping` must be a non-empty mapping of value → score, got {mapping!r}"]
    problems = _check_scale(params, direction)
    for key, val in mapping.items():
        try:
            float(key), float(val)
        except (TypeError, ValueError):
            problems.append(f"`mapping` entries must be numbers, got {key!r}: {val!r}")
    return problems


@normalisers.register("ordinal", check=_check_ordinal, absolute=None)
def ordinal(
    y: FloatArray, *, direction: FloatArray, mapping: Mapping[Any, float], scale: float = 100.0
) -> FloatArray:
    """Ordinal mapping: ``s = mapping[x] · scale`` for each raw level x (direction is not used: the table
    already orders the levels). Example (docs/domain.md#indicators, D5.1): ``{0: 0, 1: 0.4, 2: 0.8, 3: 1}``.

    A value that is not a key of the table is an error (an unlisted level cannot be scored).
    """
    x = y * direction
    out = np.full(x.shape, np.nan)
    for key, val in mapping.items():
        out = np.where(x == float(key), float(val) * scale, out)
    unknown = ~np.isnan(x) & np.isnan(out)
    if np.any(unknown):
        bad = sorted({float(v) for v in x[unknown]})
        keys = ", ".join(str(k) for k in mapping)
        shown = ", ".join(f"{v:g}" for v in bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else "")
        raise InputError(f"`value` must be one of the ordinal levels {keys}, got {shown}")
    return out


@normalisers.register("none")
def none(y: FloatArray, *, direction: FloatArray) -> FloatArray:
    """No normalisation: ``s = direction · x`` (COINr ``f_n = "none"``), for data on a common scale."""
    return y
