"""Rank statistics of a Monte-Carlo score matrix (qiangji.core.index.rankstats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate, stats

from qiangji.core.errors import InputError
from qiangji.core.index.rankstats import RankAccumulator, rank_rows, rank_statistics


def test_it_ranks_highest_first_with_min_ties_and_leaves_nan_unranked() -> None:
    # by hand: 5 is first; the two 3s share rank 2; 1 is fourth (competition ranking 1, 2, 2, 4)
    assert_array_equal(rank_rows(np.array([[3.0, 5.0, 3.0, 1.0, np.nan]])), [[2, 1, 2, 4, 0]])


def test_it_agrees_with_pandas_min_rank_on_many_rows() -> None:
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 6, size=(500, 9)).astype(float)
    expected = pd.DataFrame(scores).rank(axis=1, method="min", ascending=False).to_numpy()
    assert_array_equal(rank_rows(scores), expected)


def test_it_matches_numpy_quantiles_and_means_of_the_rank_matrix() -> None:
    rng = np.random.default_rng(11)
    scores = rng.normal(size=(999, 7)) + np.linspace(0, 1.5, 7)
    nominal = np.linspace(0, 1.5, 7)
    result, shift = rank_statistics(scores, nominal)
    ranks = pd.DataFrame(scores).rank(axis=1, method="min", ascending=False).to_numpy()
    assert_allclose(result.mean, ranks.mean(axis=0))
    for q, got in ((0.5, result.median), (0.05, result.p05), (0.95, result.p95)):
        assert_allclose(got, np.quantile(ranks, q, axis=0, method="linear"))
    nominal_rank = np.arange(7, 0, -1)
    assert_array_equal(result.nominal, nominal_rank)
    assert_allclose(result.shift_mean, np.abs(ranks - nominal_rank).mean(axis=0))
    assert_allclose(shift, np.abs(ranks - nominal_rank).mean(axis=1))
    assert_allclose(result.probabilities.sum(axis=1), 1.0)
    assert_allclose(result.top_probabilities[:, 1], (ranks <= 3).mean(axis=0))


def test_it_collapses_every_interval_when_nothing_varies() -> None:
    nominal = np.array([10.0, 30.0, 20.0, 30.0])
    result, shift = rank_statistics(np.tile(nominal, (50, 1)), nominal)
    expected = np.array([4, 1, 3, 1])
    for stat in (result.mean, result.median, result.p05, result.p95):
        assert_array_equal(stat, expected)
    assert_array_equal(result.shift_mean, 0.0)
    assert_array_equal(shift, 0.0)
    assert_array_equal(result.probabilities[np.arange(4), expected - 1], 1.0)


def test_it_gives_the_same_result_whatever_the_chunks() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(1000, 25))
    nominal = rank_rows(np.zeros((1, 25)) + np.arange(25))[0]
    whole = RankAccumulator(nominal, top=(1, 5))
    whole.add(rank_rows(scores))
    # a tiny buffer forces several flushes, some in the middle of a chunk
    parts = RankAccumulator(nominal, top=(1, 5), buffer_bytes=2 * 25 * 97)
    for chunk in np.array_split(scores, [1, 2, 300, 301, 777]):
        parts.add(rank_rows(chunk))
    a, b = whole.result(), parts.result()
    for name in ("mean", "median", "p05", "p95", "shift_mean", "probabilities", "top_probabilities"):
        assert_array_equal(getattr(a, name), getattr(b, name))


def test_it_estimates_the_probability_of_leading_for_two_normal_units() -> None:
    # A − B ~ N(μ, σ²) with μ = 0.5, σ² = 1² + 0.5²: P(A ranked first) = Φ(μ / σ), exactly.
    rng = np.random.default_rng(2024)
    n = 200_000
    scores = np.column_stack([rng.normal(0.5, 1.0, n), rng.normal(0.0, 0.5, n)])
    result, _ = rank_statistics(scores, np.array([0.5, 0.0]))
    exact = stats.norm.cdf(0.5 / np.hypot(1.0, 0.5))
    tol = 4 * np.sqrt(exact * (1 - exact) / n)
    assert abs(result.probabilities[0, 0] - exact) < tol
    assert abs(result.probabilities[1, 1] - exact) < tol


def test_it_estimates_the_rank_probabilities_of_three_normal_units() -> None:
    # P(unit i first) = ∫ φ_i(x) Π_{j≠i} Φ_j(x) dx; P(i last) = ∫ φ_i(x) Π_{j≠i} (1 − Φ_j(x)) dx.
    means, sds = np.array([1.0, 0.5, 0.0]), np.array([1.0, 0.7, 1.5])
    dists = [stats.norm(m, s) for m, s in zip(means, sds, strict=True)]

    def exact(i: int, first: bool) -> float:
        def f(x: float) -> float:
            others = [d.cdf(x) if first else d.sf(x) for j, d in enumerate(dists) if j != i]
            return float(dists[i].pdf(x) * np.prod(others))

        return float(integrate.quad(f, -15, 15)[0])

    rng = np.random.default_rng(99)
    n = 200_000
    result, _ = rank_statistics(rng.normal(means, sds, size=(n, 3)), means)
    for i in range(3):
        for rank, first in ((1, True), (3, False)):
            p = exact(i, first)
            assert abs(result.probabilities[i, rank - 1] - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_it_rejects_a_score_matrix_of_the_wrong_width() -> None:
    with pytest.raises(InputError, match="`scores` must have shape"):
        rank_statistics(np.zeros((3, 4)), np.zeros(5))


def test_it_rejects_a_top_k_below_one() -> None:
    with pytest.raises(InputError, match="`top` must hold integers not less than 1"):
        RankAccumulator(np.array([1, 2], dtype=np.int32), top=(0,))
