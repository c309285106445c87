"""Agreement with COINr (issue 3, point 8), against an independent reference implementation.

R is not reachable here, so COINr's documented formulas are re-implemented below, element by element,
following its source (bluefoxr/COINr):

* ``R/normalise.R``, ``Normalise.numeric``: ``x <- x * direction``, then ``n_minmax``:
  ``(x - minx)/(maxx - minx)*(l_u[2]-l_u[1]) + l_u[1]`` with ``min``/``max`` over non-NA values
  (``na.rm = TRUE``); a zero range gives NaN ("The range of x is 0: returning vector of NaNs").
* ``R/aggregate.R``, ``a_amean``: NA values and their weights are removed, ``w <- w/sum(w)``,
  ``sum(w*x)``; all NA → NA. ``a_gmean``: ``w[is.na(x)] <- NA``,
  ``exp(sum(w*log(x), na.rm = TRUE)/sum(w, na.rm = TRUE))``; all NA → NA.
* ``Aggregate.coin``: aggregates level by level, each group from its children with the metadata weights
  (``w1$Weight[match(codes, w1$iCode)]``), no data-availability threshold by default.
"""

import math
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qiangji.core.errors import DegenerateDataWarning
from qiangji.core.index import Framework, compute
from qiangji.core.index.data import IndexData

NA = float("nan")


def n_minmax(x: list[float], lo: float, hi: float) -> list[float]:
    present = [v for v in x if not math.isnan(v)]
    if not present:  # R: min(NA, na.rm = TRUE) is Inf, and every x is NA → NA
        return [NA] * len(x)
    mn, mx = min(present), max(present)
    if mn == mx:
        return [NA] * len(x)
    return [(v - mn) / (mx - mn) * (hi - lo) + lo if not math.isnan(v) else NA for v in x]


def a_amean(x: list[float], w: list[float]) -> float:
    pairs = [(v, wi) for v, wi in zip(x, w, strict=True) if not math.isnan(v)]
    if not pairs:
        return NA
    total = sum(wi for _, wi in pairs)
    return sum(wi / total * v for v, wi in pairs)


def a_gmean(x: list[float], w: list[float]) -> float:
    pairs = [(v, wi) for v, wi in zip(x, w, strict=True) if not math.isnan(v)]
    if not pairs:
        return NA
    return math.exp(sum(wi * math.log(v) for v, wi in pairs) / sum(wi for _, wi in pairs))


def coinr_index(tree, values, directions, weights, lo, hi, agg):
    """The COINr build: Normalise (n_minmax) then Aggregate (a_amean / a_gmean) level by level."""
    n_units = len(values)
    cols = list(zip(*values, strict=True))
    norm = {
        code: n_minmax([v * directions[code] for v in col], lo, hi)
        for code, col in zip(tree["leaves"], cols, strict=True)
    }
    groups = {}
    for g, kids in tree["groups"].items():
        groups[g] = [agg([norm[k][u] for k in kids], [weights[k] for k in kids]) for u in range(n_units)]
    top = tree["top"]
    return [agg([groups[g][u] for g in top], [weights[g] for g in top]) for u in range(n_units)], groups


@st.composite
def builds(draw):
    n_groups = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_groups)]
    n_units = draw(st.integers(2, 25))
    leaves, groups, weights, directions = [], {}, {}, {}
    for g, size in enumerate(sizes):
        kids = [f"i{g}.{k}" for k in range(size)]
        groups[f"G{g}"] = kids
        leaves += kids
        weights[f"G{g}"] = draw(st.floats(0.1, 10))
        for k in kids:
            weights[k] = draw(st.floats(0.1, 10))
            directions[k] = draw(st.sampled_from([1, -1]))
    cell = st.one_of(st.floats(-1e3, 1e3), st.just(NA), st.integers(-3, 3).map(float))
    values = [[draw(cell) for _ in leaves] for _ in range(n_units)]
    tree = {"leaves": leaves, "groups": groups, "top": list(groups)}
    return tree, values, weights, directions


def framework_for(tree, weights, directions, normalise, aggregate) -> Framework:
    nodes = [
        {
            "code": g,
            "weight": weights[g],
            "children": [{"code": k, "weight": weights[k], "direction": directions[k]} for k in kids],
        }
        for g, kids in tree["groups"].items()
    ]
    return Framework.from_dict(
        {"code": "IX", "method": {"normalise": normalise, "aggregate": aggregate}, "nodes": nodes}
    )


def check(build, lo, hi, method, agg) -> None:
    tree, values, weights, directions = build
    fw = framework_for(tree, weights, directions, {"method": "minmax", "low": lo, "high": hi}, method)
    data = IndexData(tuple(f"u{i}" for i in range(len(values))), fw.indicators, np.array(values, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)  # constant columns, as COINr warns
        result = compute(fw, data)
    expected, groups = coinr_index(tree, values, directions, weights, lo, hi, agg)
    np.testing.assert_allclose(result.scores[:, -1], expected, rtol=1e-9, atol=1e-9 * hi)
    for g, vals in groups.items():
        np.testing.assert_allclose(result.scores[:, fw.index[g]], vals, rtol=1e-9, atol=1e-9 * hi)


@settings(max_examples=200, deadline=None)
@given(builds())
def test_it_agrees_with_coinr_minmax_0_100_and_arithmetic_mean(build) -> None:
    check(build, 0.0, 100.0, "arithmetic", a_amean)


@settings(max_examples=200, deadline=None)
@given(builds())
def test_it_agrees_with_coinr_minmax_1_100_and_geometric_mean(build) -> None:
    check(build, 1.0, 100.0, "geometric", a_gmean)


def test_it_reproduces_the_coinr_documentation_examples() -> None:
    from qiangji.core.index.methods import aggregators

    # ?a_amean: x <- 1:10, w <- 10:1 → Σ i(11 − i) / 55 = 220 / 55 = 4
    x = np.arange(1.0, 11.0)[None, :]
    assert aggregators["arithmetic"](x, np.arange(10.0, 0.0, -1.0))[0] == 4.0
    # ?a_gmean with equal weights: (10!)^(1/10)
    np.testing.assert_allclose(
        aggregators["geometric"](x, np.ones(10))[0], math.factorial(10) ** 0.1, rtol=1e-14
    )
