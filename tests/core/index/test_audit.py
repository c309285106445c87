"""The statistical audit (issue 15, point 2): hand-computed cases, COINr agreement, degenerate data."""

import doctest
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index import Framework, compute
from qiangji.core.index import audit_stats as st
from qiangji.core.index.audit import audit, audit_scores
from qiangji.core.index.data import IndexData
from tests.core.index.test_coinr import a_amean, n_minmax

NA = float("nan")


def run(fw: Framework, values, units=None):
    values = np.array(values, dtype=float)
    units = units or tuple(f"u{i}" for i in range(len(values)))
    return compute(fw, IndexData(tuple(units), fw.indicators, values))


def two_dims(weights=(1, 1), kids=2) -> Framework:
    return Framework.from_dict(
        {
            "code": "IX",
            "nodes": [
                {
                    "code": f"D{d}",
                    "weight": w,
                    "children": [{"code": f"i{d}{k}", "direction": 1} for k in range(kids)],
                }
                for d, w in enumerate(weights)
            ],
        }
    )


# --- hand-computed values -------------------------------------------------------------------------------


def test_it_runs_the_docstring_examples() -> None:
    assert doctest.testmod(st).failed == 0


def test_it_computes_pairwise_pearson_on_the_shared_rows_only() -> None:
    # rows 1–3 shared: a = 1, 2, 3; b = 2, 4, 7 → means 2, 13/3; Σ da·db = 5, Σ da² = 2, Σ db² = 38/3
    a = np.array([1.0, 2.0, 3.0, NA, 9.0])
    b = np.array([2.0, 4.0, 7.0, 5.0, NA])
    assert st.pairwise_pearson(a, b) == pytest.approx(5 / math.sqrt(2 * 38 / 3), rel=1e-14)


def test_it_computes_cronbach_alpha_by_hand() -> None:
    # variances 1, 1 and covariance 0.5 → α = k² σ̄ / σ_all = 4 · 0.5 / 3
    assert st.cronbach_alpha([[0, 0], [1, 2], [2, 1]]) == pytest.approx(2 / 3, rel=1e-14)


def test_it_computes_the_first_component_by_hand() -> None:
    # two variables with r = 0.5: eigenvalues 1 ± r → share (1 + r) / 2, loadings 1/√2
    share, load = st.pca_first([[0, 0], [1, 2], [2, 1], [NA, 5]])
    assert share == pytest.approx(0.75, rel=1e-14)
    np.testing.assert_allclose(load, [2**-0.5, 2**-0.5], rtol=1e-14)


def test_it_computes_variance_shares_by_hand() -> None:
    # D1 = 0, 1, 2; D2 = 0, 2, 1; w = 3/4, 1/4 → T = 0, 1.25, 1.75; V(T)·2 = 1.625;
    # Σ dD1·dT = 1.75, Σ dD2·dT = 1.25 → shares 0.75·1.75/1.625 and 0.25·1.25/1.625 (sum 1)
    d = np.array([[0, 0], [1, 2], [2, 1]], dtype=float)
    t = d @ [0.75, 0.25]
    np.testing.assert_allclose(
        st.variance_shares(d, t, np.array([3.0, 1.0])), [1.3125 / 1.625, 0.3125 / 1.625], rtol=1e-14
    )


def test_it_gives_a_main_effect_of_one_when_the_total_is_a_line_in_the_dimension() -> None:
    # the local-linear smoother reproduces a straight line exactly, whatever the bandwidth
    d = np.array([0.0, 1.0, 1.5, 4.0, 7.0, 7.5, 10.0])
    np.testing.assert_allclose(
        st.main_effects(np.column_stack([d, 3 - 2 * d]), 5 + 0.5 * d), [1, 1], rtol=1e-12
    )


def test_it_matches_a_brute_force_weighted_least_squares_smoother() -> None:
    rng = np.random.default_rng(7)
    d, y = rng.uniform(0, 100, 40), rng.normal(size=40)
    h = st.bandwidth(d)
    expected = []
    for x0 in d:  # weighted least squares of y on (1, d − x0) with Gaussian kernel weights
        sw = np.sqrt(np.exp(-0.5 * ((d - x0) / h) ** 2))
        design = np.column_stack([np.ones_like(d), d - x0]) * sw[:, None]
        expected.append(np.linalg.lstsq(design, y * sw, rcond=None)[0][0])
    np.testing.assert_allclose(st.local_linear(d, y, h), expected, rtol=1e-9, atol=1e-12)


def test_it_uses_the_rule_of_thumb_bandwidth() -> None:
    d = np.arange(1.0, 11.0)  # s = √(55/6); R quantile type 7: IQR = 7.75 − 3.25 = 4.5
    assert st.bandwidth(d) == pytest.approx(1.06 * min(math.sqrt(55 / 6), 4.5 / 1.349) * 10**-0.2)


def test_it_estimates_main_effects_of_independent_dimensions_near_their_analytic_values() -> None:
    # T = D1 + 2·D2 with independent uniforms: S₁ = 1/5, S₂ = 4/5 (V(aU) ∝ a²)
    rng = np.random.default_rng(20250101)
    d = rng.uniform(size=(3000, 2))
    effects = st.main_effects(d, d @ [1.0, 2.0])
    np.testing.assert_allclose(effects, [0.2, 0.8], atol=0.02)


def test_it_gives_effective_weights_as_products_down_the_tree(small) -> None:
    result = run(small, [[1, 5, 6], [2, 4, 3], [3, 1, 9], [5, 3, 1]])
    eff = audit(result).eff_weight
    # IX: A 2, b 1 → 2/3, 1/3; A: a1 1, a2 3 → 1/4, 3/4
    assert dict(eff) == pytest.approx({"a1": 2 / 3 / 4, "a2": 2 / 3 * 3 / 4, "A": 2 / 3, "b": 1 / 3})


def test_it_audits_the_tree_with_shares_summing_to_one_under_arithmetic_aggregation(small) -> None:
    result = run(small, [[1, 5, 6], [2, NA, 3], [3, 1, 9], [5, 3, NA], [4, 2, 1]])
    report = audit(result)
    assert report.n_complete == 4  # U4 has no b
    assert sum(report.var_share.values()) == pytest.approx(1.0, rel=1e-12)
    assert report.parent == {"a1": "A", "a2": "A", "A": "IX", "b": "IX"}
    assert set(report.cronbach) == {"A", "IX"}
    table = report.table()
    assert list(table.columns) == ["kind", "node", "item", "value"]
    assert set(table.kind) == {
        "corr_parent",
        "cronbach",
        "pca_var1",
        "pca_abs_load",
        "eff_weight",
        "var_share",
        "main_effect",
    }
    assert table[table.kind == "cronbach"].item.eq("").all()


# --- nominal weights against importance -----------------------------------------------------------------


def lopsided() -> Framework:
    # D0 weighs 3 but barely varies; D1 weighs 1 and carries almost all the variance of the index
    return two_dims(weights=(3, 1), kids=1)


def lopsided_values() -> np.ndarray:
    rng = np.random.default_rng(3)
    big = rng.uniform(0, 100, 30)
    small_spread = 50 + rng.uniform(-1, 1, 30) + 0.02 * big
    return np.column_stack([small_spread, big])


def test_it_warns_where_importance_and_nominal_weight_differ_by_more_than_the_factor() -> None:
    fw = lopsided().with_methods(normalise={"method": "none"})
    report = audit(run(fw, lopsided_values()))
    flagged = {(f.dimension, f.measure) for f in report.findings}
    assert ("D0", "var_share") in flagged and ("D1", "var_share") in flagged
    d1 = next(f for f in report.findings if f.dimension == "D1" and f.measure == "var_share")
    assert d1.nominal == 0.25 and d1.ratio > 2
    assert "D1: nominal weight 25.0% but share of the variance of the index" in d1.message
    assert audit(run(fw, lopsided_values()), factor=1e9).findings == ()


def test_it_finds_nothing_when_importance_follows_the_weights() -> None:
    rng = np.random.default_rng(5)
    values = rng.uniform(0, 100, size=(200, 2))  # independent, equal spread, equal weights
    report = audit(run(two_dims(kids=1).with_methods(normalise={"method": "none"}), values))
    assert report.findings == ()


@pytest.mark.parametrize("factor", [1, 0.5, -3, True, "2"])
def test_it_rejects_a_factor_not_greater_than_one(small, factor) -> None:
    result = run(small, [[1, 5, 6], [2, 4, 3], [3, 1, 9]])
    with pytest.raises(InputError, match="`factor` must be a number greater than 1, got"):
        audit(result, factor=factor)


def test_it_rejects_scores_of_the_wrong_shape(small) -> None:
    with pytest.raises(InputError, match=r"`scores` must be \(units, 5 nodes\), got shape \(3, 4\)"):
        audit_scores(small, np.zeros((3, 4)))


# --- degenerate data ------------------------------------------------------------------------------------


def test_it_gives_nan_alpha_with_a_warning_for_a_single_indicator_dimension() -> None:
    fw = Framework.from_dict(
        {
            "code": "IX",
            "nodes": [
                {"code": "D0", "children": [{"code": "a", "direction": 1}]},
                {"code": "D1", "children": [{"code": "b", "direction": 1}, {"code": "c", "direction": 1}]},
            ],
        }
    )
    result = run(fw, [[1, 2, 3], [2, 1, 5], [4, 4, 4], [3, 6, 1]])
    with pytest.warns(
        DegenerateDataWarning, match="Cronbach's alpha of D0: needs at least 2 variables, got 1"
    ):
        report = audit(result)
    assert math.isnan(report.cronbach["D0"])
    assert not math.isnan(report.cronbach["D1"])
    assert report.pca_var1["D0"] == 1.0  # prcomp on one column: one component with all the variance


def test_it_handles_a_constant_column_as_r_does() -> None:
    fw = two_dims(kids=2).with_methods(normalise={"method": "none"})
    values = [[1, 5, 2, 3], [2, 5, 4, 1], [3, 5, 1, 1], [4, 5, 3, 5]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = audit(run(fw, values))
    messages = [str(w.message) for w in caught if w.category is DegenerateDataWarning]
    assert "correlation (i01 with D0): a variable is constant on the shared units; returning NaN" in messages
    assert any(m.startswith("PCA of D0: a variable is constant") for m in messages)
    assert math.isnan(report.corr_parent["i01"]) and math.isnan(report.pca_var1["D0"])
    # R's cov gives 0 for a constant column, so α is still defined: C = [[5/3, 0], [0, 0]] → σ̄ = 0 → α = 0
    assert report.cronbach["D0"] == 0.0


def test_it_gives_nan_importances_with_a_warning_when_the_index_is_constant() -> None:
    fw = two_dims(kids=1).with_methods(normalise={"method": "none"})
    with pytest.warns(DegenerateDataWarning, match="the total is constant"):
        report = audit(run(fw, [[1, 3], [2, 2], [3, 1]]))
    assert all(math.isnan(v) for v in report.var_share.values())
    assert all(math.isnan(v) for v in report.main_effect.values())
    assert report.findings == ()


def test_it_gives_a_constant_dimension_no_main_effect() -> None:
    fw = two_dims(kids=1).with_methods(normalise={"method": "none"})
    with pytest.warns(DegenerateDataWarning, match="main effect of D0: the dimension is constant"):
        report = audit(run(fw, [[5, 1], [5, 2], [5, 4], [5, 3]]))
    assert report.main_effect["D0"] == 0.0 and report.main_effect["D1"] == pytest.approx(1.0)
    assert report.var_share["D0"] == 0.0


# --- COINr 1.1.14 ---------------------------------------------------------------------------------------

# 8 units × 2 dimensions × 3 indicators, one missing cell (u3, x13), one indicator with direction −1
COINR_VALUES = [
    [12.0, 3.1, 40.0, 0.52, 7.0, 110.0],
    [15.0, 2.4, 35.0, 0.61, 9.5, 98.0],
    [9.0, 4.0, NA, 0.47, 6.2, 130.0],
    [20.0, 1.9, 52.0, 0.70, 11.0, 90.0],
    [17.5, 2.2, 47.0, 0.66, 8.1, 101.0],
    [11.0, 3.6, 31.0, 0.40, 5.5, 125.0],
    [14.0, 2.9, 44.0, 0.58, 10.2, 104.0],
    [8.0, 3.9, 29.0, 0.45, 6.9, 140.0],
]
COINR_TREE = {
    "P1": {"weight": 2.0, "children": {"x11": (1, 1.0), "x12": (-1, 2.0), "x13": (1, 1.0)}},
    "P2": {"weight": 1.0, "children": {"x21": (1, 1.0), "x22": (1, 1.0), "x23": (-1, 3.0)}},
}


def coinr_framework() -> Framework:
    return Framework.from_dict(
        {
            "code": "Index",
            "nodes": [
                {
                    "code": p,
                    "weight": spec["weight"],
                    "children": [
                        {"code": c, "direction": d, "weight": w} for c, (d, w) in spec["children"].items()
                    ],
                }
                for p, spec in COINR_TREE.items()
            ],
        }
    )


def coinr_aggregated() -> pd.DataFrame:
    """COINr's "Aggregated" data set: ``Normalise`` (n_minmax 0–100 after × direction), ``Aggregate``
    (a_amean level by level with the metadata weights) — the formulas checked in test_coinr.py."""
    cols = list(zip(*COINR_VALUES, strict=True))
    leaves = [c for spec in COINR_TREE.values() for c in spec["children"]]
    directions = {c: d for spec in COINR_TREE.values() for c, (d, _) in spec["children"].items()}
    data = {
        c: n_minmax([v * directions[c] for v in col], 0.0, 100.0) for c, col in zip(leaves, cols, strict=True)
    }
    for p, spec in COINR_TREE.items():
        kids, w = list(spec["children"]), [w for _, w in spec["children"].values()]
        data[p] = [a_amean([data[k][u] for k in kids], w) for u in range(len(COINR_VALUES))]
    data["Index"] = [
        a_amean([data[p][u] for p in COINR_TREE], [s["weight"] for s in COINR_TREE.values()])
        for u in range(len(COINR_VALUES))
    ]
    return pd.DataFrame(data)


def coinr_lineage() -> pd.DataFrame:
    rows = [(c, p, "Index") for p, spec in COINR_TREE.items() for c in spec["children"]]
    return pd.DataFrame(rows, columns=["Indicator", "Pillar", "Index"])


def r_get_corr_withparent(agg: pd.DataFrame, lin: pd.DataFrame, lower: str, upper: str) -> dict[str, float]:
    # get_corr(coin, "Aggregated", Levels = c(l, l + 1), withparent = TRUE, pval = 0):
    #   crmat <- stats::cor(iData1, iData2, use = "pairwise.complete.obs")  (pandas .corr() is pairwise)
    #   crtable <- merge(unique(lin[Levels]), lengthen(crmat))               (keep child–parent pairs)
    codes1, codes2 = list(dict.fromkeys(lin[lower])), list(dict.fromkeys(lin[upper]))
    crmat = agg[codes1 + codes2].corr(method="pearson").loc[codes1, codes2]
    pairs = lin[[lower, upper]].drop_duplicates()
    return {a: float(crmat.loc[a, b]) for a, b in pairs.itertuples(index=False)}


def r_get_cronbach(x: pd.DataFrame) -> float:
    # get_cronbach: k <- ncol(iData); cvtrix <- stats::cov(iData, use = "pairwise.complete.obs")
    #   sigall <- sum(cvtrix, na.rm = TRUE); sigav <- (sigall - sum(diag(cvtrix), na.rm = TRUE))/(k*(k-1))
    #   (k^2 * sigav)/sigall
    k = x.shape[1]
    cvtrix = x.cov().to_numpy()
    sigall = np.nansum(cvtrix)
    sigav = (sigall - np.nansum(np.diag(cvtrix))) / (k * (k - 1))
    return float(k**2 * sigav / sigall)


def r_prcomp_scaled(x: pd.DataFrame) -> tuple[float, np.ndarray]:
    # get_PCA: dat4PCA <- stats::na.omit(iData_)
    #   PCAres <- stats::prcomp(dat4PCA, center = TRUE, scale = TRUE)
    # prcomp: x <- scale(x, center, scale); s <- svd(x, nu = 0); sdev = s$d/sqrt(max(1, nrow(x) - 1));
    #   rotation = s$v.  Proportion of variance = sdev^2/sum(sdev^2) (summary() rounds it to 5 places)
    dat = x.dropna().to_numpy()
    z = (dat - dat.mean(axis=0)) / dat.std(axis=0, ddof=1)
    _, d, vt = np.linalg.svd(z, full_matrices=False)
    sdev = d / math.sqrt(max(1, dat.shape[0] - 1))
    return float(sdev[0] ** 2 / (sdev**2).sum()), np.abs(vt[0])


def r_get_eff_wts() -> dict[str, float]:
    # get_eff_wts: EffWeight <- Weight/sum(Weight) within each Parent; then for lev in (maxlev-1):1
    #   EffWeight[lev] <- EffWeight[lev] * EffWeight[parent]
    meta = [(c, 1, p, w) for p, s in COINR_TREE.items() for c, (_, w) in s["children"].items()]
    meta += [(p, 2, "Index", s["weight"]) for p, s in COINR_TREE.items()] + [("Index", 3, "none", 1.0)]
    eff = {}
    for code, _, parent, w in meta:
        eff[code] = w / sum(m[3] for m in meta if m[2] == parent)
    for lev in (2, 1):
        for code, level, parent, _ in meta:
            if level == lev:
                eff[code] = eff[code] * eff[parent]
    return eff


def test_it_matches_coinr_get_corr_cronbach_pca_and_eff_weights() -> None:
    """Agreement with COINr 1.1.14 to 1e-9 on an 8 × (2 × 3) index with a missing cell.

    R cannot be installed here, so the reference is an independent re-implementation, line by line, of the
    COINr functions as its source (repository bluefoxr/COINr) writes them, each quoted above its helper:

    * ``get_corr`` (``R/correlations.R``) with ``withparent = TRUE`` and ``pval = 0`` (the default
      ``pval = 0.05`` blanks correlations that are not significant; the audit reports them all), called
      with ``Levels = c(1, 2)`` and ``c(2, 3)``; R's ``cor(use = "pairwise.complete.obs")`` is pandas'
      ``DataFrame.corr`` (pairwise-complete by construction);
    * ``get_cronbach`` (``R/stats.R``) on each pillar's indicators (``Level = 1``) and on the pillars
      (``iCodes = "Index", Level = 2``), R's pairwise ``cov`` being pandas' ``DataFrame.cov``;
    * ``get_PCA`` (``R/PCA.R``) by group: ``prcomp(na.omit(x), center = TRUE, scale = TRUE)``, with
      prcomp's own SVD of the scaled matrix (the audit uses an eigen-decomposition instead);
    * ``get_eff_wts`` (``R/weights.R``).

    The "Aggregated" data set they read is rebuilt with COINr's ``n_minmax`` and ``a_amean`` (test_coinr.py).
    """
    result = run(coinr_framework(), COINR_VALUES)
    agg = coinr_aggregated()
    np.testing.assert_allclose(result.scores_frame()[agg.columns].to_numpy(), agg.to_numpy(), rtol=1e-12)
    report = audit(result)
    lin = coinr_lineage()
    expected = {
        **r_get_corr_withparent(agg, lin, "Indicator", "Pillar"),
        **r_get_corr_withparent(agg, lin, "Pillar", "Index"),
    }
    assert set(report.corr_parent) == set(expected)
    for code, r in expected.items():
        assert report.corr_parent[code] == pytest.approx(r, abs=1e-9), code
    groups = {p: list(s["children"]) for p, s in COINR_TREE.items()} | {"Index": list(COINR_TREE)}
    for g, kids in groups.items():
        assert report.cronbach[g] == pytest.approx(r_get_cronbach(agg[kids]), abs=1e-9), g
        share, load = r_prcomp_scaled(agg[kids])
        assert report.pca_var1[g] == pytest.approx(share, abs=1e-9), g
        np.testing.assert_allclose([report.pca_abs_load[g][k] for k in kids], load, atol=1e-9)
    eff = r_get_eff_wts()
    assert set(report.eff_weight) == set(eff) - {"Index"}
    for code, w in report.eff_weight.items():
        assert w == pytest.approx(eff[code], abs=1e-12), code


def test_it_fits_an_isolated_unit_by_its_own_value_instead_of_nan() -> None:
    # the far unit's kernel weights on the others underflow to 0: no slope can be fitted there
    d = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1e6])
    y = np.array([1.0, 2.0, 1.5, 3.0, 2.5, 2.0, 3.5, 9.0])
    fit = st.local_linear(d, y, st.bandwidth(d))
    assert np.isfinite(fit).all() and fit[-1] == 9.0
