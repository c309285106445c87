"""Reference values against metafor (Kacker 2004 data), DerSimonian & Kacker 2007, and hand computations."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from qiangji.core.comparison import REFERENCE_METHODS, largest_consistent_subset, reference_value
from qiangji.core.errors import DegenerateDataWarning, InputError
from tests.core.comparison import data

KY, KU = np.array(data.KACKER_Y), np.sqrt(data.KACKER_V)


def _clasp() -> tuple[np.ndarray, np.ndarray]:
    n1, n2, a, c = (
        np.array(v, dtype=float) for v in (data.CLASP_N1, data.CLASP_N2, data.CLASP_A, data.CLASP_C)
    )
    y = np.log(a * (n2 - c) / ((n1 - a) * c))
    return y, np.sqrt(1 / a + 1 / (n1 - a) + 1 / c + 1 / (n2 - c))


def test_it_matches_metafor_for_the_weighted_mean_and_its_chi2_test() -> None:
    # > rma(y, v, method="FE"): b 62.5833970939982, se 0.107845705498231, QE 24.8019, QEp 0.00167935
    r = reference_value(KY, KU, method="weighted_mean")
    assert_allclose((r.value, r.u), (data.KACKER_FE["b"], data.KACKER_FE["se"]), rtol=1e-10)
    assert r.chi2 is not None
    assert_allclose((r.chi2.chi2, r.chi2.p_value), (data.KACKER_FE["QE"], data.KACKER_FE["QEp"]), rtol=1e-9)
    assert not r.chi2.consistent
    assert r.chi2.birge_ratio == pytest.approx(np.sqrt(data.KACKER_FE["QE"] / 8))


def test_it_inflates_by_the_birge_ratio_on_request() -> None:
    r = reference_value(KY, KU, method="weighted_mean", birge_inflation=True)
    assert r.u == pytest.approx(data.KACKER_FE["se"] * np.sqrt(data.KACKER_FE["QE"] / 8), rel=1e-9)


def test_it_matches_metafor_for_dersimonian_laird_and_mandel_paule() -> None:
    # > rma(y, v, method="DL") and method="PM" (Kacker 2004 data, statsmodels results_meta.py)
    dl = reference_value(KY, KU, method="dersimonian_laird")
    assert_allclose(
        (dl.value, dl.u, dl.tau**2),
        (data.KACKER_DL["b"], data.KACKER_DL["se"], data.KACKER_DL["tau2"]),
        rtol=1e-9,
    )
    pm = reference_value(KY, KU, method="mandel_paule")
    assert_allclose(
        (pm.value, pm.u, pm.tau**2),
        (data.KACKER_PM["b"], data.KACKER_PM["se"], data.KACKER_PM["tau2"]),
        rtol=1e-7,
    )


def test_it_reproduces_dersimonian_kacker_2007_clasp() -> None:
    # DerSimonian & Kacker (2007) Tables 3-4: PM tau 0.3681, mu -0.3811, se 0.2060; DL 0.2323/-0.3240/0.1540
    y, u = _clasp()
    for method, expected in (("mandel_paule", data.CLASP_PM), ("dersimonian_laird", data.CLASP_DL)):
        r = reference_value(y, u, method=method)
        assert_allclose((r.tau, r.value, r.u), (expected["tau"], expected["mu"], expected["se"]), atol=5e-5)


def test_it_gives_zero_tau_when_results_agree() -> None:
    r = reference_value([1.0, 1.1, 0.9], [1.0, 1.0, 1.0], method="mandel_paule")
    assert r.tau == 0.0 and r.value == pytest.approx(1.0)


def test_it_seeds_the_median_monte_carlo_and_matches_the_asymptotic_sd() -> None:
    # median of n normals with sd 1: sd ≈ sqrt(pi/(2n)) (asymptotic; n = 101 -> 0.1247)
    x, u = np.zeros(101), np.ones(101)
    a = reference_value(x, u, method="median", seed=7)
    b = reference_value(x, u, method="median", seed=7)
    assert a.u == b.u
    assert a.u == pytest.approx(np.sqrt(np.pi / 202), rel=0.04)


def test_it_computes_the_mean_with_either_uncertainty() -> None:
    x, u = [1.0, 2.0, 4.0], [0.1, 0.2, 0.2]
    data_based = reference_value(x, u, method="mean")
    assert data_based.u == pytest.approx(np.std(x, ddof=1) / np.sqrt(3))
    unc = reference_value(x, u, method="mean", mean_uncertainty="uncertainties")
    assert unc.u == pytest.approx(np.sqrt(0.01 + 0.04 + 0.04) / 3)


def test_it_respects_the_included_mask() -> None:
    r = reference_value(
        [1.0, 1.2, 9.0], [0.1, 0.1, 0.1], method="weighted_mean", included=[True, True, False]
    )
    assert r.value == pytest.approx(1.1)
    assert list(r.included) == [True, True, False]


def _brute_lcs(x: np.ndarray, u: np.ndarray) -> tuple[int, float]:
    for m in range(x.size, 1, -1):
        best = np.inf
        for s in map(list, itertools.combinations(range(x.size), m)):
            w = 1 / u[s] ** 2
            c = float(np.sum(w * (x[s] - np.sum(w * x[s]) / w.sum()) ** 2))
            if c <= stats.chi2.ppf(0.95, m - 1):
                best = min(best, c)
        if best < np.inf:
            return m, best
    return 0, np.inf


def test_it_finds_the_same_largest_consistent_subset_as_exhaustive_search() -> None:
    # independent check: all 2^n subsets for small n (Cox 2007 definition)
    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(3, 10))
        x, u = rng.normal(0, rng.uniform(0.5, 2.5), n), rng.uniform(0.3, 1.5, n)
        size, chi2 = _brute_lcs(x, u)
        if size == 0:
            continue
        sub = largest_consistent_subset(x, u)
        assert (sub.size, sub.members.sum()) == (size, size)
        assert sub.chi2 == pytest.approx(chi2, rel=1e-9, abs=1e-12)


def test_it_drops_the_discrepant_result_from_the_kacker_data() -> None:
    r = reference_value(KY, KU, method="largest_consistent_subset")
    assert r.diagnostics["excluded"] == (0,)
    assert r.chi2 is not None and r.chi2.consistent


def test_it_runs_every_method_on_a_hundred_laboratories() -> None:
    rng = np.random.default_rng(1)
    x, u = rng.normal(10, 0.1, 100), rng.uniform(0.05, 0.15, 100)
    for method in REFERENCE_METHODS:
        r = reference_value(x, u, method=method, pilot=0)
        assert np.isfinite(r.value) and np.isfinite(r.u)


def test_it_explains_degenerate_rounds() -> None:
    with pytest.raises(InputError, match="at least 2 included results"):
        reference_value([1.0], [0.1], method="weighted_mean")
    with pytest.raises(InputError, match="`u` must be positive"):
        reference_value([1.0, 2.0], [0.1, 0.0], method="weighted_mean")
    with pytest.raises(InputError, match="`method` must be one of"):
        reference_value([1.0, 2.0], [0.1, 0.1], method="mode")
    with pytest.raises(InputError, match="`pilot` must be the index"):
        reference_value([1.0, 2.0], [0.1, 0.1], method="pilot")
    with pytest.warns(DegenerateDataWarning):
        r = reference_value([2.0, 2.0, 2.0], [0.1, 0.1, 0.1], method="mean")
    assert r.u == 0.0
    same = reference_value([2.0, 2.0, 2.0], [0.1, 0.1, 0.1], method="weighted_mean")
    assert same.chi2 is not None and same.chi2.p_value == 1.0
