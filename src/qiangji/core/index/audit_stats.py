"""The statistics of the index audit, on plain arrays (`qiangji.core.index.audit` applies them to a tree).

Each function takes a ``(units, variables)`` array with NaN for a missing value and returns numbers; legal
but degenerate data gives a documented NaN with a ``DegenerateDataWarning``.

Pairwise-complete statistics (R's ``use = "pairwise.complete.obs"``)
    For a pair of columns a, b only the rows where both are present are used, and the means are those
    of these rows: ``cov(a, b) = Σ (aᵣ − ā)(bᵣ − b̄) / (n_ab − 1)``, and Pearson's r divides that by the
    two standard deviations computed on the same rows. The diagonal of the covariance matrix is each
    column's variance over its own present rows.

Cronbach's α (COINr ``get_cronbach``, ``R/stats.R``)
    With k variables and their pairwise covariance matrix C: ``σ_all = Σᵢⱼ Cᵢⱼ``,
    ``σ̄ = (σ_all − tr C) / (k(k − 1))`` (the mean off-diagonal covariance) and
    ``α = k² σ̄ / σ_all``. Cronbach (1951), *Psychometrika* 16, 297–334.

First principal component (COINr ``get_PCA``: ``prcomp(na.omit(x), center = TRUE, scale = TRUE)``)
    On the complete rows, the eigen-decomposition of the correlation matrix R = V Λ Vᵀ (λ₁ ≥ … ≥ λₖ):
    the first component's share of the variance is ``λ₁ / Σ λ = λ₁ / k`` and its loadings are the first
    column of V (``rotation[, 1]``), reported in absolute value since the sign of a component is
    arbitrary. (``summary(prcomp(...))`` prints the share rounded to 5 decimals; this is unrounded.)

Main effect (Paruolo, Saisana & Saltelli 2013, §2–3)
    Karl Pearson's correlation ratio ``Sᵢ = V[E(T | Dᵢ)] / V(T)``: the share of the variance of the
    total T explained by Dᵢ alone, whatever the shape of the dependence. E(T | Dᵢ) is estimated by a
    nonparametric smoother of T on Dᵢ, as the paper does; here a local-linear kernel regression
    (Fan & Gijbels 1996, §3.1) with a Gaussian kernel K(u) = exp(−u²/2): at each observed dᵢ,

        m̂(d) = (S₂·Σ kⱼyⱼ − S₁·Σ kⱼ(dⱼ − d)yⱼ) / (S₀S₂ − S₁²),  kⱼ = K((dⱼ − d)/h),
        Sₚ = Σ kⱼ (dⱼ − d)ᵖ,

    and ``Sᵢ = Σ (m̂ⱼ − m̄)² / Σ (Tⱼ − T̄)²`` over the units. The bandwidth follows Silverman's rule of
    thumb (1986, eq. 3.31) with Scott's constant: ``h = 1.06 · min(s, IQR / 1.349) · n^(−1/5)`` (s the
    standard deviation, IQR with R's default quantile type 7; s alone when the IQR is 0). The estimator
    is deterministic and reproduces a straight line exactly, so a T linear in Dᵢ gives Sᵢ = 1. With very
    few units it is rough: read it with the linear variance share.

Variance share (Paruolo et al. 2013, eq. 6)
    ``vᵢ = cov(wᵢDᵢ, T) / V(T)`` with wᵢ the normalised weight; under arithmetic aggregation on units
    with every Dᵢ present, T = Σ wᵢDᵢ and the vᵢ sum to 1.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.methods._arrays import FloatArray

__all__ = [
    "bandwidth",
    "cronbach_alpha",
    "local_linear",
    "main_effects",
    "pairwise_cov",
    "pairwise_pearson",
    "pca_first",
    "variance_shares",
]

CHUNK_CELLS = 1 << 17
"""Kernel cells held at once by the smoother (rows of evaluation points × units)."""


def _matrix(x: NDArray[np.float64] | list[list[float]], name: str) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise InputError(f"`{name}` must be a 2-d array (units × variables), got {a.ndim} dimension(s)")
    if np.isinf(a).any():
        raise InputError(f"`{name}` must hold finite numbers or NaN, got an infinite value")
    return a


def _pair(a: FloatArray, b: FloatArray) -> tuple[float, float, float, int]:
    """(covariance, variance of a, variance of b, n) on the rows where both are present."""
    ok = ~(np.isnan(a) | np.isnan(b))
    n = int(ok.sum())
    if n < 2:
        return np.nan, np.nan, np.nan, n
    da, db = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    return float(da @ db) / (n - 1), float(da @ da) / (n - 1), float(db @ db) / (n - 1), n


def pairwise_cov(x: NDArray[np.float64] | list[list[float]]) -> FloatArray:
    """Covariance matrix on pairwise-complete rows (R: ``cov(x, use = "pairwise.complete.obs")``).

    NaN where a pair has fewer than 2 rows in common.
    """
    a = _matrix(x, "x")
    k = a.shape[1]
    out = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            out[i, j] = out[j, i] = _pair(a[:, i], a[:, j])[0]
    return out


def pairwise_pearson(a: FloatArray, b: FloatArray, *, label: str = "") -> float:
    """Pearson's r of two vectors on the rows where both are present (R: ``cor(a, b, use = "pairwise…")``).

    NaN with a ``DegenerateDataWarning`` when fewer than 2 rows are shared or either is constant there.
    """
    cov, va, vb, n = _pair(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    where = f" ({label})" if label else ""
    if n < 2:
        _warn(f"correlation{where}: fewer than 2 units have both values; returning NaN")
        return np.nan
    if va == 0 or vb == 0:
        _warn(f"correlation{where}: a variable is constant on the shared units; returning NaN")
        return np.nan
    return float(cov / np.sqrt(va * vb))


def cronbach_alpha(x: NDArray[np.float64] | list[list[float]], *, label: str = "") -> float:
    """Cronbach's α of the columns of ``x`` with pairwise-complete covariances (COINr ``get_cronbach``).

    ``α = k² σ̄ / σ_all`` (module docstring). NaN with a ``DegenerateDataWarning`` for a single column
    (α is undefined) or when the covariances sum to 0 (every column constant).

    Examples
    --------
    Two columns with variances 1 and 1 and covariance 0.5: σ_all = 3, σ̄ = 0.5, α = 4 · 0.5 / 3 = 2/3.

    >>> round(cronbach_alpha([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]]), 12)
    0.666666666667
    """
    a = _matrix(x, "x")
    k = a.shape[1]
    where = f" of {label}" if label else ""
    if k < 2:
        _warn(f"Cronbach's alpha{where}: needs at least 2 variables, got {k}; returning NaN")
        return np.nan
    c = pairwise_cov(a)
    total = float(np.nansum(c))
    if total == 0:
        _warn(f"Cronbach's alpha{where}: the covariances sum to 0 (constant variables); returning NaN")
        return np.nan
    mean_off = (total - float(np.nansum(np.diag(c)))) / (k * (k - 1))
    return float(k * k * mean_off / total)


def pca_first(x: NDArray[np.float64] | list[list[float]], *, label: str = "") -> tuple[float, FloatArray]:
    """First principal component of the complete rows, centred and scaled (COINr ``get_PCA``).

    Returns ``(variance share, absolute loadings)``: ``λ₁ / Σλ`` and ``|V[:, 0]|`` of the correlation
    matrix of the complete rows. NaN (share and loadings) with a ``DegenerateDataWarning`` when fewer
    than 2 rows are complete or a column is constant on them (prcomp: "cannot rescale a constant/zero
    column to unit variance").
    """
    a = _matrix(x, "x")
    k = a.shape[1]
    where = f" of {label}" if label else ""
    rows = a[~np.isnan(a).any(axis=1)]
    nan = (np.nan, np.full(k, np.nan))
    if rows.shape[0] < 2:
        _warn(f"PCA{where}: fewer than 2 units have every value; returning NaN")
        return nan
    sd = rows.std(axis=0, ddof=1)
    if np.any(sd == 0):
        _warn(f"PCA{where}: a variable is constant on the complete units; returning NaN")
        return nan
    z = (rows - rows.mean(axis=0)) / sd
    corr = (z.T @ z) / (rows.shape[0] - 1)
    values, vectors = np.linalg.eigh(corr)  # ascending eigenvalues
    values = np.clip(values, 0.0, None)
    return float(values[-1] / values.sum()), np.abs(vectors[:, -1])


def bandwidth(d: NDArray[np.float64]) -> float:
    """Rule-of-thumb bandwidth ``1.06 · min(s, IQR / 1.349) · n^(−1/5)`` (s alone if the IQR is 0)."""
    d = np.asarray(d, dtype=np.float64)
    s = float(d.std(ddof=1))
    q1, q3 = np.percentile(d, [25.0, 75.0])  # linear interpolation: R's quantile type 7
    iqr = float(q3 - q1) / 1.349
    spread = min(s, iqr) if iqr > 0 else s
    return float(1.06 * spread * d.size ** (-0.2))


def local_linear(d: FloatArray, y: FloatArray, h: float) -> FloatArray:
    """Local-linear Gaussian-kernel fit of each column of ``y`` on ``d``, evaluated at every ``d``.

    ``d`` is ``(n,)``, ``y`` ``(n,)`` or ``(n, m)`` (several responses share the kernel weights); the
    result has the shape of ``y``. Exact: the kernel sums run over every unit, at each distinct value of
    ``d`` (the n × n kernel is formed in row chunks). Where all the weight sits on one value (an
    isolated unit, S₀S₂ − S₁² ≈ 0) there is no slope to fit and the local mean is used.
    """
    d = np.asarray(d, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64)
    y2 = yy.reshape(d.size, -1)
    points = np.unique(d)
    out = np.empty((points.size, y2.shape[1]))
    step = max(1, CHUNK_CELLS // max(d.size, 1))
    scale = -0.5 / (h * h)
    for start in range(0, points.size, step):
        u = d[None, :] - points[start : start + step, None]
        k = u * u
        k *= scale
        np.exp(k, out=k)  # each point is a unit's own value: its weight 1 keeps S₀ ≥ 1 (no underflow)
        ku = k * u
        s0, s1, s2 = k.sum(axis=1), ku.sum(axis=1), np.einsum("ij,ij->i", ku, u)
        t0, t1 = k @ y2, ku @ y2
        det = s0 * s2 - s1 * s1
        flat = det <= 1e-12 * s0 * s2
        with np.errstate(invalid="ignore", divide="ignore"):
            fit = (s2[:, None] * t0 - s1[:, None] * t1) / det[:, None]
        out[start : start + step] = np.where(flat[:, None], t0 / s0[:, None], fit)
    return out[np.searchsorted(points, d)].reshape(yy.shape)


def main_effects(dims: FloatArray, total: FloatArray, *, labels: tuple[str, ...] = ()) -> FloatArray:
    """Main effect ``Sᵢ = V[E(T | Dᵢ)] / V(T)`` of each column of ``dims`` on ``total`` (complete rows).

    The caller passes complete rows (no NaN). A constant Dᵢ explains nothing: Sᵢ = 0. NaN for every
    i with a ``DegenerateDataWarning`` when T is constant or fewer than 3 units are given.
    """
    dims = _matrix(dims, "dims")
    t = np.asarray(total, dtype=np.float64)
    out = np.zeros(dims.shape[1])
    vt = float(((t - t.mean()) ** 2).sum()) if t.size else 0.0
    if t.size < 3 or vt == 0:
        _warn("main effects: the total is constant or fewer than 3 units are complete; returning NaN")
        return np.full(dims.shape[1], np.nan)
    for i in range(dims.shape[1]):
        d = dims[:, i]
        if np.ptp(d) == 0:
            name = labels[i] if i < len(labels) else str(i)
            _warn(f"main effect of {name}: the dimension is constant, it explains nothing; returning 0")
            continue
        fit = local_linear(d, t, bandwidth(d))
        out[i] = float(((fit - fit.mean()) ** 2).sum()) / vt
    return out


def variance_shares(dims: FloatArray, total: FloatArray, weights: FloatArray) -> FloatArray:
    """``vᵢ = cov(wᵢDᵢ, T) / V(T)`` on complete rows, ``weights`` normalised to sum 1.

    NaN for every i with a ``DegenerateDataWarning`` when T is constant or fewer than 2 units are given.
    """
    dims = _matrix(dims, "dims")
    t = np.asarray(total, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    if t.size < 2 or np.ptp(t) == 0:
        _warn("variance shares: the total is constant or fewer than 2 units are complete; returning NaN")
        return np.full(dims.shape[1], np.nan)
    dt = t - t.mean()
    cov = ((dims - dims.mean(axis=0)) * dt[:, None]).sum(axis=0)
    result: FloatArray = w * cov / float(dt @ dt)
    return result


def _warn(message: str) -> None:
    warnings.warn(message, DegenerateDataWarning, stacklevel=3)
