"""Q method and Hampel estimator (ISO 13528:2022 C.5) against a brute-force O(p²) reference kept here.

The reference materialises every pairwise difference and evaluates Σψ term by term at every node, as
the definitions of C.5.2.2 and C.5.3.3 read (and as qiangji computed them before the O(p log p) version).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from qiangji.core.comparison import q_hampel, q_method
from qiangji.core.comparison._q_hampel import kth_difference, pairs_within


def brute_q(x: np.ndarray) -> float:
    """s* = G₁⁻¹(0.25 + 0.75 H₁(0)) / (√2 Φ⁻¹(0.625 + 0.375 H₁(0))) over all p(p − 1)/2 differences."""
    i, j = np.triu_indices(x.size, k=1)
    pts, counts = np.unique(np.abs(x[i] - x[j]), return_counts=True)
    h = np.cumsum(counts) / i.size
    h0 = float(h[0]) if pts[0] == 0.0 else 0.0
    if h0 >= 1.0:
        return 0.0
    mids = 0.5 * (h[1:] + h[:-1])
    if pts[0] == 0.0:  # G₁ through (0, 0) and the mid-points of H₁'s jumps at d > 0
        gx, g = pts, np.concatenate(([0.0], mids))
    else:
        gx, g = np.concatenate(([0.0], pts)), np.concatenate(([0.0, 0.5 * h[0]], mids))
    num = float(np.interp(0.25 + 0.75 * h0, g, gx))
    return num / (math.sqrt(2.0) * float(stats.norm.ppf(0.625 + 0.375 * h0)))


def brute_psi_sum(x: np.ndarray, mu: np.ndarray, s: float) -> np.ndarray:
    q = (x[None, :] - mu[:, None]) / s
    aq = np.abs(q)
    psi = np.where(aq <= 1.5, q, np.sign(q) * np.where(aq <= 3.0, 1.5, np.maximum(4.5 - aq, 0.0)))
    out: np.ndarray = psi.sum(axis=1)
    return out


def brute_hampel(x: np.ndarray, s: float) -> float:
    """The root of Σψ nearest the median, from Σψ at every node x_i ± {1.5, 3, 4.5}s (C.5.3.3)."""
    med = float(np.median(x))
    if s <= 0:
        return med
    nodes = np.sort((x[:, None] + s * np.array([-4.5, -3.0, -1.5, 1.5, 3.0, 4.5])).ravel())
    f = brute_psi_sum(x, nodes, s)
    roots = list(nodes[f == 0.0])
    flat = np.flatnonzero((f[:-1] == 0.0) & (f[1:] == 0.0))  # Σψ = 0 on the whole step: every point a root
    roots.extend(np.clip(med, nodes[flat], nodes[flat + 1]))
    k = np.flatnonzero(f[:-1] * f[1:] < 0)
    roots.extend(nodes[k] - f[k] * (nodes[k + 1] - nodes[k]) / (f[k + 1] - f[k]))
    if not roots:
        return med
    r = np.array(roots)
    dist = np.abs(r - med)
    tol = 1e-12 * max(1.0, abs(med))
    nearest = r[np.isclose(dist, dist.min(), rtol=1e-12, atol=tol)]
    return float(nearest[0]) if np.ptp(nearest) <= tol else med


def check_against_brute_force(x: np.ndarray) -> None:
    s = brute_q(x)
    r = q_hampel(x)
    assert r.sd == pytest.approx(s, rel=1e-12, abs=0.0)
    scale = max(abs(r.value), s, 1e-300)  # the location's error is on the scale of the data
    assert abs(r.value - brute_hampel(x, s)) <= 1e-12 * scale


# Magnitudes below 1e-6 are left out: the nearest-root rule treats roots within 1e-12 (absolute, for data
# near 0) as equally near, so for data spread over less than that the choice among them is arbitrary.
samples = st.lists(
    st.one_of(
        st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False).filter(lambda v: v == 0 or abs(v) > 1e-6),
        st.integers(-5, 5).map(float),  # ties
        st.sampled_from([0.1, 0.2, 0.3, 1e-9, -0.0]),
    ),
    min_size=2,
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(samples)
def test_it_equals_the_brute_force_definition(values: list[float]) -> None:
    check_against_brute_force(np.array(values))


def test_a_median_between_groups_far_apart_is_the_root() -> None:
    """Two pairs more than 4.5·s* apart: Σψ is 0 on the whole step between them, the median included, so
    the root nearest the median is the median (C.5.3.3). Hypothesis found it: the prefix sums gave ±9e-16
    at the step's ends, and the refinement returned the step's lower end, 167.02."""
    x = np.array([0.0, 1.0, 993.0, 976.375])
    assert q_hampel(x).value == 488.6875 == float(np.median(x))
    check_against_brute_force(x)


@pytest.mark.parametrize("seed", range(12))
def test_it_equals_the_brute_force_definition_on_larger_samples(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = int(rng.integers(100, 700))
    x = [
        rng.normal(10.0, 1.0, p),
        np.round(rng.normal(0.0, 1.0, p), 1),  # many tied differences
        rng.standard_cauchy(p),  # far outliers on both sides
        np.concatenate([rng.normal(0.0, 1.0, p // 2), rng.normal(8.0, 1.0, p - p // 2)]),
    ][seed % 4]
    check_against_brute_force(x)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-4, 4).map(lambda v: v * 0.1), min_size=2, max_size=40), st.data())
def test_it_selects_every_order_statistic_of_the_differences(
    values: list[float], data: st.DataObject
) -> None:
    s = np.sort(np.array(values))
    i, j = np.triu_indices(s.size, k=1)
    diffs = np.sort(s[j] - s[i])
    k = data.draw(st.integers(1, diffs.size))
    assert kth_difference(s, k) == diffs[k - 1]
    t = float(diffs[k - 1])
    assert pairs_within(s, t) == np.count_nonzero(diffs <= t)
    assert pairs_within(s, t, strict=True) == np.count_nonzero(diffs < t)


def test_it_counts_differences_exactly_where_adding_the_threshold_rounds() -> None:
    # 0.1 + 0.2 rounds above 0.3: a search on s_i + t alone would miss the pair (0.1, 0.3)... or take one
    s = np.array([0.1, 0.2, 0.3, 0.30000000000000004, 0.7])
    i, j = np.triu_indices(s.size, k=1)
    d = s[j] - s[i]
    for t in np.unique(d):
        assert pairs_within(s, float(t)) == np.count_nonzero(d <= t)
        assert pairs_within(s, float(t), strict=True) == np.count_nonzero(d < t)


def test_it_handles_a_hundred_thousand_values_in_linear_memory() -> None:
    # the O(p²) version needs 37 GiB for the pairs alone; the figures are those of N(10, 1)
    rng = np.random.default_rng(17)
    r = q_hampel(rng.normal(10.0, 1.0, 100_000))
    assert r.p == 100_000
    assert abs(r.value - 10.0) < 0.02 and abs(r.sd - 1.0) < 0.02


def test_it_gives_zero_spread_for_identical_values() -> None:
    assert q_method([2.0, 2.0, 2.0]) == 0.0
    assert q_hampel([2.0, 2.0, 2.0]).value == 2.0


def test_the_sums_near_a_node_equal_the_sums_over_every_value() -> None:
    """The term-by-term Σψ at nodes near 0 reads only the values within 4.5·s of the node; each sum equals
    the one over the whole sample (exactly 0 where every term is 0)."""
    from qiangji.core.comparison.robust import _psi_sum, _psi_sums_near

    rng = np.random.default_rng(7)
    x = np.sort(np.concatenate([rng.normal(0.0, 1.0, 300), [40.0, 41.0, -55.0]]))
    s = q_method(x)
    mu = np.concatenate([x[[0, 150, -1]] + 4.5 * s, [20.0, 40.5, -55.0 - 4.5 * s, 1e6]])
    near, every = _psi_sums_near(x, mu, s), _psi_sum(x, mu, s)
    assert np.allclose(near, every, rtol=1e-12, atol=1e-12)
    assert near[3] == 0.0 and near[-1] == 0.0  # between the groups and far beyond: no term counts
