"""Q method and Hampel estimator (ISO 13528:2022 C.5) in O(p log p) time and O(p) memory.

The Q method needs order statistics of the p(p − 1)/2 pairwise differences |x_i − x_j|. Over the sorted
values s, row i of the differences, ``fl(s_j − s_i)`` for j > i, is non-decreasing in j (rounding is
monotone), so the differences form a matrix with sorted rows and columns. Counting the differences at or
below a threshold takes one ``searchsorted`` per row, and the k-th smallest is found by the selection of
Johnson & Mirsky (1983) as Croux & Rousseeuw (1992) use it for Qn: the weighted median of the row medians
of the candidates left is a pivot that removes at least a quarter of them. Counts and pivots are taken on
the computed differences themselves, so the result is exactly what materialising every difference gives.

The Hampel location's Σψ is piecewise linear in μ with its kinks at the nodes ``x_i ± {1.5, 3, 4.5}·s``; at
each node it is evaluated with prefix sums over the sorted values (O(log p) per node) instead of p terms.

References
----------
Croux, C. & Rousseeuw, P. J. (1992). Time-efficient algorithms for two highly robust estimators of scale.
Computational Statistics 1, 411-428.
Johnson, D. B. & Mirsky, T. (1983). Selecting the Kth element in X + Y and X1 + X2 + ... + Xm.
SIAM J. Comput. 12(1), 35-42.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import stats

from qiangji.core.comparison._common import FloatArray

IntArray = npt.NDArray[np.intp]

_GATHER = 8  # materialise the candidates left once there are at most this many per value
HAMPEL_KNOTS = (-4.5, -3.0, -1.5, 1.5, 3.0, 4.5)  # ψ's kinks, in units of s (C.5.3, formula C.30)


def row_ends(s: FloatArray, t: float, *, strict: bool = False) -> IntArray:
    """For every i, the number of j with ``fl(s_j − s_i) ≤ t`` (``< t`` if ``strict``); ``s`` sorted.

    ``searchsorted`` on ``s_i + t`` gives the answer up to the rounding of that sum; the boundary is then
    moved, tie group by tie group, until the computed differences on either side of it agree.
    """
    n = s.size
    within: Callable[[FloatArray], npt.NDArray[np.bool_]] = (
        (lambda d: d < t) if strict else (lambda d: d <= t)
    )
    pos: IntArray = np.searchsorted(s, s + t, side="left" if strict else "right")
    while True:
        rows = np.flatnonzero(pos < n)
        fwd = rows[within(s[pos[rows]] - s[rows])]
        if fwd.size:
            pos[fwd] = np.searchsorted(s, s[pos[fwd]], side="right")
        rows = np.flatnonzero(pos > 0)
        back = rows[~within(s[pos[rows] - 1] - s[rows])]
        if back.size:
            pos[back] = np.searchsorted(s, s[pos[back] - 1], side="left")
        if not (fwd.size or back.size):
            return pos


def pairs_within(s: FloatArray, t: float, *, strict: bool = False) -> int:
    """Number of pairs i < j with ``fl(s_j − s_i) ≤ t`` (``< t`` if ``strict``); ``s`` sorted, t ≥ 0."""
    first = np.arange(1, s.size + 1)
    return int(np.maximum(row_ends(s, t, strict=strict) - first, 0).sum())


def kth_difference(s: FloatArray, k: int) -> float:
    """The k-th smallest (1-based) of the pairwise differences ``fl(s_j − s_i)``, i < j; ``s`` sorted."""
    n = s.size
    row = np.arange(n)
    lo, hi = row + 1, np.full(n, n)  # row i's candidates are columns lo[i] … hi[i] − 1
    while True:
        size = hi - lo
        total = int(size.sum())
        if total <= _GATHER * n:
            return _gathered(s, lo, size, k - int((lo - row - 1).sum()))
        live = np.flatnonzero(size > 0)
        mids = s[(lo[live] + hi[live] - 1) // 2] - s[live]
        order = np.argsort(mids)  # tied mid-points are equal values: any order gives the same pivot
        at = int(np.searchsorted(np.cumsum(size[live][order]), 0.5 * total))
        pivot = float(mids[order[at]])
        le = row_ends(s, pivot)
        if k > int((le - row - 1).sum()):
            lo = np.clip(le, lo, hi)
            continue
        lt = np.maximum(row_ends(s, pivot, strict=True), row + 1)
        if k > int((lt - row - 1).sum()):
            return pivot
        hi = np.clip(lt, lo, hi)


def _gathered(s: FloatArray, lo: IntArray, size: IntArray, k: int) -> float:
    """The k-th smallest (1-based) of the candidates left, materialised (at most a few per value)."""
    rows = np.repeat(np.arange(s.size), size)
    starts = np.cumsum(size) - size
    cols = np.arange(rows.size) - np.repeat(starts - lo, size)
    values = s[cols] - s[rows]
    return float(np.partition(values, k - 1)[k - 1])


def _neighbour(s: FloatArray, d: float, *, above: bool) -> float | None:
    """The smallest difference above ``d`` (or the largest below it); None if there is none."""
    row = np.arange(s.size)
    if above:
        j = row_ends(s, d)
        ok = np.flatnonzero(j < s.size)
        return float((s[j[ok]] - s[ok]).min()) if ok.size else None
    j = row_ends(s, d, strict=True) - 1
    ok = np.flatnonzero(j > row)
    return float((s[j[ok]] - s[ok]).max()) if ok.size else None


def q_scale(s: FloatArray) -> float:
    """The Q method's s* from sorted values (see ``robust.q_method``), exactly as the O(p²) definition.

    G₁ has a node at every distinct difference d > 0 with height ½(H₁(d⁻) + H₁(d)), and a node (0, 0);
    only the two nodes around the target are needed: they are found from one order statistic near the
    target and a walk to the neighbouring distinct differences, then interpolated as ``np.interp`` does.
    """
    p = s.size
    n_pairs = p * (p - 1) // 2
    h0 = pairs_within(s, 0.0) / n_pairs
    if h0 >= 1.0:
        return 0.0
    target = 0.25 + 0.75 * h0

    def height(d: float) -> float:
        if d == 0.0:
            return 0.0
        return 0.5 * (pairs_within(s, d) / n_pairs + pairs_within(s, d, strict=True) / n_pairs)

    d = kth_difference(s, min(n_pairs, int(target * n_pairs) + 1))
    g = height(d)
    if g <= target:
        while (up := _neighbour(s, d, above=True)) is not None:
            g_up = height(up)
            if g_up > target:
                return _g_inverse(target, (g, g_up), (d, up), h0)
            d, g = up, g_up
        return _g_inverse(target, (g,), (d,), h0)
    while True:
        down = _neighbour(s, d, above=False)
        down = 0.0 if down is None else down
        g_down = height(down)
        if g_down <= target:
            return _g_inverse(target, (g_down, g), (down, d), h0)
        d, g = down, g_down


def _g_inverse(target: float, g: tuple[float, ...], d: tuple[float, ...], h0: float) -> float:
    num = float(np.interp(target, g, d))
    return num / (math.sqrt(2.0) * float(stats.norm.ppf(0.625 + 0.375 * h0)))


def psi_sums_fast(s: FloatArray, centre: float, mu: FloatArray, scale: float) -> FloatArray:
    """Σ_i ψ((x_i − μ)/scale) at every μ by prefix sums over the sorted values ``s`` (Hampel ψ, C.30).

    Per μ, the points fall into five bands by (x − μ)/scale: [−4.5, −3) gives −(4.5 + q), [−3, −1.5)
    gives −1.5, [−1.5, 1.5] gives q, (1.5, 3] gives 1.5, (3, 4.5] gives 4.5 − q; ψ is continuous, so a
    point exactly on a band edge counts the same in either band. The prefix sums start at ``centre`` (the
    median) and run outwards, so a band's sum carries the rounding of the values between it and the centre,
    not of the whole sample.
    """
    y = s - centre
    m = mu - centre
    mid = int(np.searchsorted(y, 0.0))
    cum = np.empty(y.size + 1)
    cum[mid] = 0.0
    cum[mid + 1 :] = np.cumsum(y[mid:])
    cum[:mid] = -np.cumsum(y[:mid][::-1])[::-1]
    edges = [np.searchsorted(y, m + c * scale, side="left" if c < 0 else "right") for c in HAMPEL_KNOTS]

    def band(a: IntArray, b: IntArray) -> tuple[FloatArray, FloatArray]:
        count = (b - a).astype(np.float64)
        return count, (cum[b] - cum[a]) - count * m

    n_low, low = band(edges[0], edges[1])
    n_neg, _ = band(edges[1], edges[2])
    _, inner = band(edges[2], edges[3])
    n_pos, _ = band(edges[3], edges[4])
    n_high, high = band(edges[4], edges[5])
    out: FloatArray = (inner - low - high) / scale + 1.5 * (n_pos - n_neg) + 4.5 * (n_high - n_low)
    return out
