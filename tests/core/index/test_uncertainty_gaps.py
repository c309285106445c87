"""The engine's mean over children with gaps (W·Y₀ / W·M) against the child-by-child loop, to the bit.

The loop below is how the engine computed a node with a missing child before the matrix form: each child's
term and weight added in turn where the child is present. The matrix form must give the same bits, so that
seeded runs on data with gaps reproduce exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiangji.core.index.mc.engine import LeafBlock, _leaf_mean, _mean, _Value


def child_by_child(ys: list[np.ndarray], w: np.ndarray, min_data: float | None) -> np.ndarray:
    num: np.ndarray | float = 0.0
    wsum: np.ndarray | float = 0.0
    count: np.ndarray | float = 0.0
    for j, y in enumerate(ys):
        present = ~np.isnan(y)
        wj = w[:, j : j + 1]
        num = num + np.where(present, wj * y, 0.0)
        wsum = wsum + np.where(present, wj, 0.0)
        count = count + present
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(np.asarray(wsum) > 0, np.asarray(num) / wsum, np.nan)
    if min_data is not None:
        out = np.where(np.asarray(count) / len(ys) < min_data, np.nan, out)
    return np.asarray(out)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 9),  # children
    st.integers(1, 40),  # units (one unit is a special case of einsum's loop order)
    st.integers(1, 30),  # replications
    st.floats(0.0, 0.6),  # share of missing cells
    st.sampled_from([None, 0.5, 0.8]),
    st.booleans(),  # zero weights
    st.integers(0, 2**32 - 1),
)
def test_it_equals_the_child_by_child_loop(
    c: int, u: int, n: int, gaps: float, min_data: float | None, zeros: bool, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    y = rng.uniform(1.0, 100.0, (c, u))
    y[rng.random((c, u)) < gaps] = np.nan
    y[0, 0] = np.nan  # at least one gap: the matrix form is the gap path
    w = rng.uniform(0.5, 2.0, (n, c))
    if zeros:
        w[rng.random((n, c)) < 0.3] = 0.0
    got = _mean("G", False, [_Value(row) for row in y], w, min_data).value()
    assert np.array_equal(got, child_by_child(list(y), w, min_data), equal_nan=True)


@pytest.mark.parametrize("units", [1, 2, 3000])
def test_it_equals_the_child_by_child_loop_on_logs_with_shared_weights(units: int) -> None:
    # a geometric node; weights not perturbed are one row broadcast to every replication
    rng = np.random.default_rng(units)
    y = rng.uniform(1.0, 100.0, (5, units))
    y[rng.random(y.shape) < 0.05] = np.nan
    y[2, 0] = np.nan
    w = np.broadcast_to(np.array([1.0, 2.0, 1.5, 1.0, 3.0]), (1, 5))
    logs = [np.log(row) for row in y]
    got = _mean("G", True, [_Value(log=row) for row in logs], w, None)
    assert np.array_equal(got.log("G"), child_by_child(logs, w, None), equal_nan=True)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9),  # children
    st.integers(1, 40),  # units
    st.integers(1, 30),  # replications
    st.floats(0.0, 0.6),  # share of missing cells (0: a complete group)
    st.sampled_from([None, 0.5, 0.8]),
    st.integers(0, 2**32 - 1),
)
def test_a_prepared_group_of_leaves_gives_the_same_bits(
    c: int, u: int, n: int, gaps: float, min_data: float | None, seed: int
) -> None:
    # the block a variant prepares once must give what the per-chunk computation gave: the loop above
    # with gaps, the weighted sum over the weights' row sums without
    rng = np.random.default_rng(seed)
    y = rng.uniform(1.0, 100.0, (c, u))
    y[rng.random((c, u)) < gaps] = np.nan
    w = rng.uniform(0.5, 2.0, (n, c))
    got = _leaf_mean(LeafBlock.of(y.T.T), w, min_data)
    if np.isnan(y).any():
        expected = child_by_child(list(y), w, min_data)
    else:
        expected = np.einsum("nc,cu->nu", w, y) / w.sum(axis=1, keepdims=True)
    assert np.array_equal(got, expected, equal_nan=True)
