"""Robust statistics of ISO 13528:2022 Annex C: MADe, nIQR, Algorithm A, Algorithm S, Q/Hampel.

Every estimator returns its calculation trail (Algorithm A and S: one row per iteration) so that a report
can show how the number was obtained.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from qiangji.core.comparison._common import ArrayLike, FloatArray, as_values, check_choice, degenerate
from qiangji.core.comparison._q_hampel import HAMPEL_KNOTS, psi_sums_fast, q_scale
from qiangji.core.errors import InputError

__all__ = [
    "ALGORITHM_A_FACTOR",
    "AlgorithmAIteration",
    "AlgorithmAResult",
    "AlgorithmSResult",
    "RobustEstimate",
    "algorithm_a",
    "algorithm_s",
    "algorithm_s_factors",
    "huber_consistency_factor",
    "made",
    "median_niqr",
    "niqr",
    "q_hampel",
    "q_method",
]

MADE_FACTOR = 1.483  # C.2.2, 1/Φ⁻¹(0.75) rounded
NIQR_FACTOR = 0.7413  # C.2.3
ALGORITHM_A_FACTOR = 1.134  # C.3.1, formula (C.10), as printed
ALGORITHM_A_K = 1.5  # C.3.1, formula (C.7)
_WINDOW_AFTER = 3e-2  # switch to the boundary window once an update moves the limits by < 3 % of s*
U_ROBUST_FACTOR = 1.25  # 7.7.7, formula (6): u(x_pt) = 1.25 s*/√p


def huber_consistency_factor(k: float = ALGORITHM_A_K) -> float:
    """Exact consistency factor of Huber's proposal 2, 1/sqrt(θ + (1 − θ)k² − 2kφ(k)), θ = 2Φ(k) − 1.

    For k = 1.5 this is 1.13339..., which ISO 13528 C.3.1 prints rounded as 1.134.
    """
    theta = 2.0 * stats.norm.cdf(k) - 1.0
    return float(1.0 / math.sqrt(theta + (1.0 - theta) * k * k - 2.0 * k * stats.norm.pdf(k)))


def _median(a: FloatArray, *, scratch: bool = False) -> float:
    """Median by selection (partition), O(n) instead of a sort; ``scratch=True`` reorders `a` in place."""
    part = a if scratch else a.copy()
    mid = part.size // 2
    part.partition(mid)
    if part.size % 2:
        return float(part[mid])
    return float(0.5 * (part[:mid].max() + part[mid]))


def made(x: ArrayLike) -> float:
    """Scaled median absolute deviation MADe = 1.483·med|x_i − med(x)| (ISO 13528 C.2.2).

    ISO 13528:2022 Table E.5 (atrazine, E.3): MADe = 0.0386.
    """
    a = as_values(x, "x")
    return MADE_FACTOR * _median(np.abs(a - _median(a)))


def niqr(x: ArrayLike) -> float:
    """Normalised interquartile range nIQR = 0.7413·(Q3 − Q1) (ISO 13528 C.2.3).

    Quartiles by linear interpolation (R type 7), which reproduces ISO 13528:2022 Table E.5 (0.0402).
    """
    a = as_values(x, "x", min_size=2)
    q1, q3 = np.quantile(a, [0.25, 0.75])
    return float(NIQR_FACTOR * (q3 - q1))


@dataclass(frozen=True)
class RobustEstimate:
    """A robust location (``value``) and scale (``sd``) with u(x_pt) = 1.25·sd/√p (ISO 13528 7.7.7)."""

    method: str
    value: float
    sd: float
    u: float
    p: int


def median_niqr(x: ArrayLike) -> RobustEstimate:
    """Median with nIQR as robust SD (ISO 13528 C.2.1, C.2.3); u = 1.25·nIQR/√p.

    ISO 13528:2022 Table E.5: median 0.2620, nIQR 0.0402, u 0.0086 for the atrazine data of E.3.
    """
    a = as_values(x, "x", min_size=2)
    s = niqr(a)
    return RobustEstimate("median_niqr", _median(a), s, U_ROBUST_FACTOR * s / math.sqrt(a.size), a.size)


@dataclass(frozen=True)
class AlgorithmAIteration:
    """One row of Algorithm A's trail; row 0 holds the starting values (median, MADe)."""

    iteration: int
    mean: float
    sd: float
    delta: float
    n_low: int
    n_high: int


@dataclass(frozen=True)
class AlgorithmAResult:
    """Robust mean x* and SD s* of ISO 13528 C.3.1, with every iteration.

    ``u`` is 1.25·s*/√p (7.7.7); ``stop`` and ``tol`` say how iteration ended; ``factor`` is the
    consistency factor used in (C.10).
    """

    mean: float
    sd: float
    u: float
    p: int
    iterations: tuple[AlgorithmAIteration, ...]
    converged: bool
    stop: str
    tol: float
    factor: float

    def table(self) -> tuple[dict[str, Any], ...]:
        """The trail as rows of plain values, for a report or a web page."""
        return tuple(vars(row).copy() for row in self.iterations)


class _Winsorizer:
    """Exact winsorised sums of y over [lo, hi], computed over a small boundary window when possible.

    Points far below `lo`, far above `hi` and well inside are summarised once; only points near the two
    limits are looked at in each iteration. When a limit leaves its window, the window is rebuilt. The sums
    are exact for the points summarised, so the result does not depend on the window.
    """

    def __init__(self, y: FloatArray) -> None:
        self.y = y
        self.window: tuple[float, float, float, float] | None = None
        self.fixed = (0, 0, 0.0)  # points surely below, surely above, sum of those surely inside
        self.fixed_sq = 0.0
        self.edge = self.cum = self.cum_sq = np.empty(0)  # the sorted points near a limit, cumsums

    def full(self, lo: float, hi: float) -> tuple[int, int, float, float]:
        y = self.y
        n_lo, n_hi = int(np.count_nonzero(y < lo)), int(np.count_nonzero(y > hi))
        c = np.clip(y, lo, hi)
        s1 = float(c.sum())
        return n_lo, n_hi, s1 - n_lo * lo - n_hi * hi, _sumsq(c) - n_lo * lo * lo - n_hi * hi * hi

    def build(self, lo: float, hi: float, half: float) -> None:
        half = min(half, 0.2 * (hi - lo))
        win = (lo - half, lo + half, hi - half, hi + half)
        y = self.y
        below, above = y < win[0], y > win[3]
        inner = (y > win[1]) & (y < win[2])
        mid = y[inner]
        self.fixed = (int(np.count_nonzero(below)), int(np.count_nonzero(above)), float(mid.sum()))
        self.fixed_sq = _sumsq(mid)
        edge = np.sort(y[~(below | above | inner)])
        self.edge = edge
        self.cum = np.concatenate(([0.0], np.cumsum(edge)))
        self.cum_sq = np.concatenate(([0.0], np.cumsum(edge * edge)))
        self.window = win

    def windowed(self, lo: float, hi: float) -> tuple[int, int, float, float] | None:
        win = self.window
        if win is None or not (win[0] <= lo <= win[1] and win[2] <= hi <= win[3]):
            return None
        n_b, n_a, s1 = self.fixed
        i = int(np.searchsorted(self.edge, lo, "left"))
        j = int(np.searchsorted(self.edge, hi, "right"))
        s1 += float(self.cum[j] - self.cum[i])
        s2 = self.fixed_sq + float(self.cum_sq[j] - self.cum_sq[i])
        return n_b + i, n_a + self.edge.size - j, s1, s2


def _sumsq(a: FloatArray) -> float:
    """Σa² in one single-threaded pass (einsum, not BLAS: no threads waiting for busy cores, and the same
    bits whatever the number of cores)."""
    return float(np.einsum("i,i->", a, a))


def _sig3(v: float) -> float:
    return 0.0 if v == 0 else round(v, 2 - math.floor(math.log10(abs(v))))


def _update(
    w: _Winsorizer, mean: float, sd: float, factor: float, p: int, step: float
) -> tuple[float, float, int, int]:
    """One Algorithm A update (C.7-C.10) on centred data; windowed once the updates have become small."""
    delta = ALGORITHM_A_K * sd
    lo, hi = mean - delta, mean + delta
    sums = w.windowed(lo, hi)
    if sums is None:
        if step < _WINDOW_AFTER * sd:
            w.build(lo, hi, max(4.0 * step, 1e-9 * sd))
            sums = w.windowed(lo, hi)
        if sums is None:
            sums = w.full(lo, hi)
    n_lo, n_hi, s1, s2 = sums
    n_mid = p - n_lo - n_hi
    new_mean = (n_lo * lo + n_hi * hi + s1) / p
    ss = n_lo * (lo - new_mean) ** 2 + n_hi * (hi - new_mean) ** 2 + s2 - 2 * new_mean * s1
    ss += n_mid * new_mean * new_mean
    return new_mean, factor * math.sqrt(max(ss, 0.0) / (p - 1)), n_lo, n_hi


def _start(a: FloatArray) -> tuple[float, FloatArray, float]:
    """Median, data centred on it, and s* = MADe (or the sample SD when MADe is 0, C.3.1 NOTE)."""
    med = _median(a)
    y = a - med
    sd = MADE_FACTOR * _median(np.abs(y), scratch=True)
    if sd == 0.0:
        sd = float(np.std(y, ddof=1))
    return med, y, sd


def algorithm_a(
    x: ArrayLike,
    *,
    stop: Literal["tolerance", "iso_3sf"] = "tolerance",
    tol: float = 1e-10,
    max_iter: int = 1000,
    factor: Literal["iso", "exact"] = "iso",
) -> AlgorithmAResult:
    """Algorithm A, robust mean and SD (ISO 13528:2022 C.3.1, formulas C.5-C.10).

    Start x* = med(x), s* = 1.483·med|x_i − x*|; repeat δ = 1.5 s*, x_i* = clip(x_i, x* − δ, x* + δ),
    x* = Σx_i*/p, s* = 1.134·sqrt(Σ(x_i* − x*)²/(p − 1)).

    Parameters
    ----------
    x : array of p ≥ 2 results.
    stop : ``"tolerance"`` (default) iterates until neither x* nor s* changes by more than ``tol``·s*
        between two updates; ``"iso_3sf"`` uses the printed rule (no change in the third significant
        figure of x* and s*), at the earliest after the second update since the start values are not an
        iteration. The printed rule depends on units and origin; the tolerance rule does not.
    tol : relative tolerance of the ``"tolerance"`` rule.
    factor : ``"iso"`` uses 1.134 as printed; ``"exact"`` the Huber consistency factor 1.13339...

    Returns
    -------
    AlgorithmAResult with ``iterations`` (row 0 = start values) and u = 1.25 s*/√p.

    Identical values (s* = 0 even after the SD fallback) return sd = 0 with a DegenerateDataWarning.

    Examples
    --------
    ISO 13528:2022 E.1, third treatment: full convergence gives x* = 23.9585, s* = 8.5960; the printed
    Table E.1 shows 23.95/8.60, the printed stopping rule 23.96/8.59.
    """
    check_choice(stop, "stop", ("tolerance", "iso_3sf"))
    c = ALGORITHM_A_FACTOR if check_choice(factor, "factor", ("iso", "exact")) == "iso" else _EXACT
    a = as_values(x, "x", min_size=2)
    med, y, sd = _start(a)
    rows = [AlgorithmAIteration(0, med, sd, math.nan, 0, 0)]
    if sd == 0.0:
        degenerate("Algorithm A: all values are identical; s* = 0")
        return AlgorithmAResult(med, 0.0, 0.0, a.size, tuple(rows), True, stop, tol, c)
    w, mean, step, converged = _Winsorizer(y), 0.0, math.inf, False
    for it in range(1, max_iter + 1):
        new_mean, new_sd, n_lo, n_hi = _update(w, mean, sd, c, a.size, step)
        rows.append(AlgorithmAIteration(it, med + new_mean, new_sd, ALGORITHM_A_K * sd, n_lo, n_hi))
        step = abs(new_mean - mean) + ALGORITHM_A_K * abs(new_sd - sd)
        converged = _stopped(stop, tol, rows, new_mean - mean, new_sd - sd, new_sd)
        mean, sd = new_mean, new_sd
        if converged:
            break
    else:
        warnings.warn(f"Algorithm A did not converge in {max_iter} iterations", RuntimeWarning, stacklevel=2)
    u = U_ROBUST_FACTOR * sd / math.sqrt(a.size)
    return AlgorithmAResult(med + mean, sd, u, a.size, tuple(rows), converged, stop, tol, c)


_EXACT = huber_consistency_factor()


def _stopped(
    stop: str, tol: float, rows: list[AlgorithmAIteration], d_mean: float, d_sd: float, sd: float
) -> bool:
    if stop == "tolerance":
        return abs(d_mean) <= tol * sd and abs(d_sd) <= tol * sd
    if len(rows) < 3:
        return False
    prev, last = rows[-2], rows[-1]
    return _sig3(prev.mean) == _sig3(last.mean) and _sig3(prev.sd) == _sig3(last.sd)


@dataclass(frozen=True)
class AlgorithmSResult:
    """Robust pooled SD w* of ISO 13528 C.4 with its factors and trail (one value per iteration)."""

    value: float
    dof: int
    eta: float
    xi: float
    iterations: tuple[float, ...]
    converged: bool


# ISO 13528:2022 Table C.1: (η, ξ) of Algorithm S for ν = 1..10, as printed.
_TABLE_C1 = {
    1: (1.645, 1.097),
    2: (1.517, 1.054),
    3: (1.444, 1.039),
    4: (1.395, 1.032),
    5: (1.359, 1.027),
    6: (1.332, 1.024),
    7: (1.310, 1.021),
    8: (1.292, 1.019),
    9: (1.277, 1.018),
    10: (1.264, 1.017),
}


def algorithm_s_factors(dof: int, *, printed: bool = True) -> tuple[float, float]:
    """Limit factor η and adjustment factor ξ of Algorithm S for ν degrees of freedom.

    ν ≤ 10 with ``printed=True``: ISO 13528:2022 Table C.1 as printed. Otherwise computed:
    η = sqrt(χ²₀.₉(ν)/ν), ξ = 1/sqrt(F_{ν+2}(νη²) + 0.1·η²) (consistency of the winsorised mean square).
    The computed η agrees with Table C.1 to its last digit; ξ to within 0.0007.
    """
    if printed and dof in _TABLE_C1:
        return _TABLE_C1[dof]
    q = float(stats.chi2.ppf(0.9, dof))
    eta2 = q / dof
    return math.sqrt(eta2), 1.0 / math.sqrt(float(stats.chi2.cdf(q, dof + 2)) + 0.1 * eta2)


def algorithm_s(s: ArrayLike, dof: int, *, tol: float = 1e-10, max_iter: int = 1000) -> AlgorithmSResult:
    """Algorithm S, robust pooled standard deviation (ISO 13528:2022 C.4).

    Start w* = med(w_i); repeat ψ = η·w*, w_i* = min(w_i, ψ), w* = ξ·sqrt(Σ w_i*²/p) until the relative
    change is below ``tol``. ``dof`` is the degrees of freedom of each w_i (1 for ranges of duplicates,
    m − 1 for SDs of m replicates). ISO 13528:2022 E.13: w* = 0.34 for the 25 SDs of 4 replicates.
    """
    if not isinstance(dof, int | np.integer) or dof < 1:
        raise InputError(f"`dof` must be an integer not less than 1, got {dof!r}")
    w = as_values(s, "s", min_size=2)
    if np.any(w < 0):
        raise InputError(f"`s` must be non-negative, got {w[w < 0][0]}")
    eta, xi = algorithm_s_factors(int(dof))
    ws = _median(w) or math.sqrt(float(np.mean(w * w)))
    trail = [ws]
    if ws == 0.0:
        degenerate("Algorithm S: all standard deviations are 0")
        return AlgorithmSResult(0.0, int(dof), eta, xi, tuple(trail), True)
    for _ in range(max_iter):
        new = xi * math.sqrt(float(np.mean(np.minimum(w, eta * ws) ** 2)))
        trail.append(new)
        if abs(new - ws) <= tol * new:
            return AlgorithmSResult(new, int(dof), eta, xi, tuple(trail), True)
        ws = new
    return AlgorithmSResult(ws, int(dof), eta, xi, tuple(trail), False)


def q_method(x: ArrayLike) -> float:
    """Q method robust SD for one result per participant (ISO 13528:2022 C.5.2.2, formulas C.22-C.25).

    H₁ is the empirical distribution of the p(p − 1)/2 pairwise |x_i − x_j|; G₁ interpolates the mid-points
    of its jumps; s* = G₁⁻¹(0.25 + 0.75 H₁(0)) / (√2 Φ⁻¹(0.625 + 0.375 H₁(0))). The differences are never
    materialised: their order statistics are selected over the sorted values, O(p log p) time and O(p)
    memory (`qiangji.core.comparison._q_hampel`).
    """
    return q_scale(np.sort(as_values(x, "x", min_size=2)))


def _psi_sum(a: FloatArray, mu: FloatArray, s: float) -> FloatArray:
    """Σ_i ψ((x_i − μ)/s) for each μ term by term, O(p) per μ (Hampel ψ, a = 1.5, b = 3, c = 4.5, C.30).

    Used for the two nodes around the chosen root only, so that the root is interpolated from the same
    sums, to the last bit, as evaluating every node this way would give.
    """
    out = np.empty(mu.size)
    for start in range(0, mu.size, 512):
        q = (a[None, :] - mu[start : start + 512, None]) / s
        aq = np.abs(q)
        psi = np.where(aq <= 1.5, q, np.sign(q) * np.where(aq <= 3.0, 1.5, np.maximum(4.5 - aq, 0.0)))
        out[start : start + 512] = psi.sum(axis=1)
    return out


def _psi_sums_near(ordered: FloatArray, mu: FloatArray, s: float) -> FloatArray:
    """Σψ((x_i − μ)/s) for each μ term by term over the values within 4.5·s of μ only (ψ is 0 beyond):
    a node near an isolated result sums a handful of terms, not the whole sample (a million Cauchy results
    have hundreds of such nodes)."""
    reach = HAMPEL_KNOTS[-1] * s
    first = np.searchsorted(ordered, mu - reach, side="left")
    last = np.searchsorted(ordered, mu + reach, side="right")
    out = np.empty(mu.size)
    for k, (i, j) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
        out[k] = _psi_sum(ordered[i:j], mu[k : k + 1], s)[0] if j > i else 0.0
    return out


def _hampel(a: FloatArray, s: float) -> float:
    """Finite-step Hampel location (C.5.3.3): the root of Σψ nearest the median (the median if none).

    Σψ is linear between consecutive nodes x_i ± {1.5, 3, 4.5}·s; its roots are the nodes where it is 0,
    the linear interpolations where it changes sign, and every point of a step where it is 0 at both ends
    (data split into groups more than 4.5·s apart: there the root nearest the median is the step's point
    nearest the median, often the median itself). Σψ is evaluated at every node by prefix sums; the chosen
    root is then re-interpolated from term-by-term sums at its two nodes.
    """
    med = _median(a)
    if s <= 0:
        return med
    nodes = np.sort((a[:, None] + s * np.array(HAMPEL_KNOTS)).ravel())
    ordered = np.sort(a)
    f = np.array(psi_sums_fast(ordered, med, nodes, s), dtype=float)
    # Where the prefix sums come within their rounding of 0, the term-by-term sum says whether it is 0:
    # ±1e-16 for an exact 0 made a step between groups far apart look like a sign change, or hid it.
    tiny = np.flatnonzero(np.abs(f) <= 64 * np.finfo(float).eps * a.size)
    f[tiny] = _psi_sums_near(ordered, nodes[tiny], s)
    zero = np.flatnonzero(f == 0.0)
    flat = np.flatnonzero((f[:-1] == 0.0) & (f[1:] == 0.0))
    change = np.flatnonzero(f[:-1] * f[1:] < 0)
    lo, hi, flo, fhi = nodes[change], nodes[change + 1], f[change], f[change + 1]
    exact = np.concatenate((nodes[zero], np.clip(med, nodes[flat], nodes[flat + 1])))
    roots = np.concatenate((exact, lo - flo * (hi - lo) / (fhi - flo)))
    if not roots.size:
        return med
    dist = np.abs(roots - med)
    near = np.flatnonzero(np.isclose(dist, dist.min(), rtol=1e-12, atol=1e-12 * max(1.0, abs(med))))
    if np.ptp(roots[near]) > 1e-12 * max(1.0, abs(med)):
        return med
    first = int(near[0])
    if first < exact.size:
        return float(roots[first])
    k = int(change[first - exact.size])
    return _refined_root(a, (nodes[k], nodes[k + 1]), s, float(roots[first]), med)


def _refined_root(a: FloatArray, step: tuple[float, float], s: float, fallback: float, med: float) -> float:
    """The root between the nodes ``step`` from term-by-term sums (``fallback`` if they disagree): where
    both sums are 0 (the prefix sums' rounding had made a sign change of ±1e-16), every point of the step
    is a root and the one nearest the median is taken."""
    lo, hi = step
    flo, fhi = _psi_sum(a, np.array([lo, hi]), s)
    if flo * fhi < 0:
        return float(lo - flo * (hi - lo) / (fhi - flo))
    if flo == 0.0 and fhi == 0.0:
        return float(min(max(med, lo), hi))
    if flo == 0.0:
        return float(lo)
    if fhi == 0.0:
        return float(hi)
    return fallback


def q_hampel(x: ArrayLike) -> RobustEstimate:
    """Q/Hampel (ISO 13528:2022 C.5.4): Q-method SD and finite-step Hampel mean; u = 1.25 s*/√p.

    ISO 13528:2022 Table E.5 (atrazine, E.3): x* = 0.2600, s* = 0.0426, u = 0.0091.
    """
    a = as_values(x, "x", min_size=2)
    s = q_method(a)
    return RobustEstimate("q_hampel", _hampel(a, s), s, U_ROBUST_FACTOR * s / math.sqrt(a.size), a.size)
