"""Degrees of equivalence and drift against independent linear error propagation (hand computation).

No raw CCQM-K30 data (Hearn et al. 2008) was found in the reference corpus; its KCDB table only gives
D_i and U_i. The covariance forms are therefore checked against a direct propagation
var(x_i − Σ c_j x_j) = Σ_j (δ_ij − c_j)² u_j² for each linear reference value.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qiangji.core.comparison import degrees_of_equivalence, drift_reference, reference_value
from qiangji.core.errors import DegenerateDataWarning, InputError

X = np.array([10.1, 9.9, 10.3, 10.0, 9.7])
U = np.array([0.1, 0.2, 0.3, 0.15, 0.25])


def _propagated(c: np.ndarray) -> np.ndarray:
    eye = np.eye(X.size)
    return np.sqrt(((eye - c[None, :]) ** 2 * U[None, :] ** 2).sum(axis=1))


def test_it_uses_the_correlated_form_for_the_weighted_mean() -> None:
    ref = reference_value(X, U, method="weighted_mean")
    doe = degrees_of_equivalence(X, U, ref)
    w = 1 / U**2
    assert_allclose(doe.u_d, _propagated(w / w.sum()), rtol=1e-12)
    assert_allclose(doe.en, (X - ref.value) / (2 * doe.u_d))


def test_it_uses_the_arithmetic_mean_form() -> None:
    ref = reference_value(X, U, method="mean", mean_uncertainty="uncertainties")
    doe = degrees_of_equivalence(X, U, ref)
    assert_allclose(doe.u_d, _propagated(np.full(X.size, 1 / X.size)), rtol=1e-12)


def test_it_can_ignore_the_correlation_like_ccqm_k30() -> None:
    ref = reference_value(X, U, method="weighted_mean")
    doe = degrees_of_equivalence(X, U, ref, correlated=False)
    assert_allclose(doe.U_d, 2 * np.sqrt(U**2 + ref.u**2))
    assert set(doe.form) == {"independent"}


def test_it_marks_the_pilot_and_builds_the_bilateral_matrix() -> None:
    ref = reference_value(X, U, method="pilot", pilot=1)
    doe = degrees_of_equivalence(X, U, ref)
    assert doe.form[1] == "reference" and doe.verdicts[1].value == "not evaluated"
    assert doe.U_d[0] == pytest.approx(2 * np.hypot(0.1, 0.2))
    assert doe.bilateral_d[0, 2] == pytest.approx(-0.2)
    assert doe.bilateral_U[0, 2] == pytest.approx(2 * np.hypot(0.1, 0.3))


def test_it_warns_when_a_correlated_variance_is_not_positive() -> None:
    # u_2 = 0.05 < u_ref = 0.0707: u_2^2 - u_ref^2 < 0 (the u given here disagree with the reference's)
    ref = reference_value([1.0, 1.0], [0.1, 0.1], method="weighted_mean")
    with pytest.warns(DegenerateDataWarning):
        doe = degrees_of_equivalence([1.0, 1.0], [0.1, 0.05], ref)
    assert np.isnan(doe.U_d[1]) and doe.verdicts[1].value == "not evaluated"


def test_it_interpolates_the_pilot_drift_between_two_dates() -> None:
    # hand computation: X(t) = x0(1 - f) + x1 f, var = (1 - f)^2 u0^2 + f^2 u1^2, f = 10/40
    r = drift_reference(["2025-03-01", "2025-04-10"], [100.0, 100.4], [0.1, 0.2], ["2025-03-11"])
    assert r.value[0] == pytest.approx(100.1)
    assert r.u[0] == pytest.approx(np.sqrt(0.75**2 * 0.01 + 0.25**2 * 0.04))
    assert r.slope == pytest.approx(0.01) and r.dof == 0


def test_it_fits_a_least_squares_line_for_several_pilot_points() -> None:
    r = drift_reference([0, 10, 20, 30], [1.0, 1.1, 1.2, 1.3], [0.05] * 4, [15.0, 40.0])
    assert_allclose(r.value, [1.15, 1.4])
    assert r.chi2 == pytest.approx(0.0, abs=1e-20) and r.dof == 2
    assert r.u[1] > r.u[0]  # extrapolation is less certain


def test_it_refuses_a_drift_line_from_one_date() -> None:
    with pytest.raises(InputError, match="at least 2"):
        drift_reference([0], [1.0], [0.1], [1.0])
    with pytest.raises(InputError, match="must not all be equal"):
        drift_reference([3, 3], [1.0, 1.1], [0.1, 0.1], [1.0])
