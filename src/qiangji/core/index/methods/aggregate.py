"""Aggregation methods: combine the children of a node into the node's score.

Every aggregator takes ``values`` shaped ``(..., units, children)`` (NaN = missing child) and ``weights``
shaped ``(..., children)`` or broadcastable to it (relative weights, any positive scale), and returns
``(..., units)``. Leading axes (Monte-Carlo replications) broadcast: ``values`` (R, U, C) with ``weights``
(R, C) aggregates R perturbed weight sets at once.

Missing children are skipped and the weights renormalised over the children present, as COINr does
(``a_amean``: "If x contains NAs, these x values and the corresponding w values are removed"); a unit with
no child present is missing. ``min_data`` (share of children present, COINr ``dat_thresh``) makes the node
missing when fewer children are present; ``None`` sets no threshold.

Sources: JRC/OECD *Handbook on Constructing Composite Indicators* (2008), §1.6; COINr ``R/aggregate.R``
(``a_amean``, ``a_gmean``, ``a_hmean``, ``a_genmean``, ``a_wmedian``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.methods._arrays import BoolArray, FloatArray
from qiangji.core.index.methods.registry import Registry

Aggregator = Callable[..., FloatArray]
aggregators: Registry[Aggregator] = Registry("aggregate")


def _present(values: FloatArray, weights: FloatArray | Any) -> tuple[BoolArray, FloatArray, FloatArray]:
    """(present mask, weights zeroed where missing, their sum) with ``weights`` broadcast to ``values``."""
    w = np.asarray(weights, dtype=np.float64)[..., None, :]
    present = ~np.isnan(values)
    wp = np.where(present, w, 0.0)
    return present, wp, wp.sum(axis=-1)


def _finish(out: FloatArray, present: BoolArray, wsum: FloatArray, min_data: float | None) -> FloatArray:
    out = np.where(wsum > 0, out, np.nan)
    if min_data is not None:
        share = present.sum(axis=-1) / present.shape[-1]
        out = np.where(share < min_data, np.nan, out)
    return out


def _require(values: FloatArray, present: BoolArray, ok: BoolArray, rule: str, method: str) -> None:
    bad = present & ~ok
    if np.any(bad):
        raise InputError(
            f"`values` must be {rule} for the {method} mean, got {float(values[bad].min())} "
            "(normalise onto a positive range first, e.g. minmax with low=1, high=100)"
        )


@aggregators.register("arithmetic")
def arithmetic(values: FloatArray, weights: FloatArray, *, min_data: float | None = None) -> FloatArray:
    """Weighted arithmetic mean ``y = Σ wᵢxᵢ / Σ wᵢ`` over the children present.

    COINr ``a_amean``; JRC/OECD Handbook §1.6.1 (linear aggregation, fully compensatory).
    """
    present, wp, wsum = _present(values, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.where(present, values, 0.0) * wp).sum(axis=-1) / wsum
    return _finish(out, present, wsum, min_data)


@aggregators.register("geometric")
def geometric(values: FloatArray, weights: FloatArray, *, min_data: float | None = None) -> FloatArray:
    """Weighted geometric mean ``y = (Π xᵢ^wᵢ)^(1/Σ wᵢ) = exp(Σ wᵢ ln xᵢ / Σ wᵢ)`` over the children present.

    All present values must be positive (normalise to e.g. [1, 100] first). COINr ``a_gmean``;
    JRC/OECD Handbook §1.6.2 (geometric aggregation, partially compensatory).
    """
    present, wp, wsum = _present(values, weights)
    _require(values, present, values > 0, "positive", "geometric")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp((np.log(np.where(present, values, 1.0)) * wp).sum(axis=-1) / wsum)
    return _finish(out, present, wsum, min_data)


@aggregators.register("harmonic")
def harmonic(values: FloatArray, weights: FloatArray, *, min_data: float | None = None) -> FloatArray:
    """Weighted harmonic mean ``y = Σ wᵢ / Σ (wᵢ / xᵢ)`` over the children present (values positive).

    COINr ``a_hmean``.
    """
    present, wp, wsum = _present(values, weights)
    _require(values, present, values > 0, "positive", "harmonic")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = wsum / (wp / np.where(present, values, 1.0)).sum(axis=-1)
    return _finish(out, present, wsum, min_data)


def _check_generalised(params: Mapping[str, Any], direction: int) -> list[str]:
    try:
        float(params["p"])
    except (TypeError, ValueError):
        return [f"`p` must be a number, got {params['p']!r}"]
    return []


@aggregators.register("generalised", check=_check_generalised)
def generalised(
    values: FloatArray, weights: FloatArray, *, p: float, min_data: float | None = None
) -> FloatArray:
    """Weighted generalised (power) mean ``y = (Σ wᵢxᵢᵖ / Σ wᵢ)^(1/p)``; p → 0 is the geometric mean.

    p = 1 arithmetic, p = −1 harmonic, p = 0 geometric. Values must be positive for p ≤ 0 and
    non-negative otherwise. COINr ``a_genmean``; Decancq & Lugo (2013), *Econometric Reviews* 32(1).
    """
    if p == 0:
        return geometric(values, weights, min_data=min_data)
    present, wp, wsum = _present(values, weights)
    if p < 0:
        _require(values, present, values > 0, "positive", "generalised")
    else:
        _require(values, present, values >= 0, "non-negative", "generalised")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = ((np.where(present, values, 1.0) ** p * wp).sum(axis=-1) / wsum) ** (1.0 / p)
    return _finish(out, present, wsum, min_data)


@aggregators.register("median")
def median(values: FloatArray, weights: FloatArray, *, min_data: float | None = None) -> FloatArray:
    """Weighted median: with the present values sorted, x₍₁₎ ≤ … ≤ x₍ₖ₎, and cumulative weight shares
    Wⱼ = Σ_{i≤j} w₍ᵢ₎ / Σ w, the median is x₍ⱼ₎ for the first j with Wⱼ ≥ ½; when Wⱼ = ½ exactly
    (within 1e-12) it is the midpoint of x₍ⱼ₎ and x₍ⱼ₊₁₎, so equal weights give the ordinary median.

    COINr ``a_wmedian`` (weighted median, non-compensatory); Edgeworth (1888).
    """
    present, wp, wsum = _present(values, weights)
    order = np.argsort(values, axis=-1, kind="stable")  # NaN last, with zero weight
    xs = np.take_along_axis(values, order, axis=-1)
    ws = np.take_along_axis(wp, order, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cum = np.cumsum(ws, axis=-1) / wsum[..., None]
    j = np.argmax(cum >= 0.5 - 1e-12, axis=-1)[..., None]
    lower = np.take_along_axis(xs, j, axis=-1)[..., 0]
    exact = np.abs(np.take_along_axis(cum, j, axis=-1)[..., 0] - 0.5) <= 1e-12
    nxt = np.minimum(j + 1, xs.shape[-1] - 1)
    upper = np.take_along_axis(xs, nxt, axis=-1)[..., 0]
    upper = np.where(np.isnan(upper), lower, upper)
    out = np.where(exact, (lower + upper) / 2.0, lower)
    return _finish(out, present, wsum, min_data)
