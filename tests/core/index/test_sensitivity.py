"""Saltelli design and Jansen estimators (qiangji.core.index.sensitivity)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.index.sensitivity import jansen_indices, saltelli_keys, saltelli_sample

# Ishigami & Homma (1990) with a = 7, b = 0.1 and X_i ~ U(−π, π). Analytic indices as tabulated in
# Saltelli et al. (2010), §5 / Saltelli et al. (2008) "Global Sensitivity Analysis: The Primer", §4.5:
#   V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = b²π⁸(1/18 − 1/50)
ISHIGAMI_FIRST = (0.3139, 0.4424, 0.0)
ISHIGAMI_TOTAL = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_it_reproduces_the_analytic_ishigami_indices() -> None:
    n = 2**14
    x = -np.pi + 2 * np.pi * saltelli_sample(n, 3, seed=2)
    result = jansen_indices(ishigami(x), n, 3, n_boot=300, seed=1)
    assert_allclose(result.first, ISHIGAMI_FIRST, atol=0.03)
    assert_allclose(result.total, ISHIGAMI_TOTAL, atol=0.03)
    # the 5–95 % bootstrap intervals are narrow and bracket the estimates
    assert np.all(result.first_low <= result.first) and np.all(result.first <= result.first_high)
    assert np.all(result.total_high - result.total_low < 0.06)


def test_it_checks_the_ishigami_analytic_values_themselves() -> None:
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = (1 + b * np.pi**4 / 5) ** 2 / 2
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    assert_allclose(
        [v1 / v, a**2 / 8 / v, (v1 + v13) / v, v13 / v], [0.3139, 0.4424, 0.5576, 0.2437], atol=1e-4
    )


def test_it_gives_squared_coefficient_shares_for_a_linear_model() -> None:
    # Y = Σ cᵢXᵢ with independent uniform Xᵢ: Sᵢ = S_Tᵢ = cᵢ² / Σ c² (no interactions), by hand.
    c = np.array([1.0, 2.0, 3.0, 0.0])
    n = 8192
    x = saltelli_sample(n, 4, seed=5)
    result = jansen_indices(x @ c, n, 4, n_boot=200)
    assert_allclose(result.first, c**2 / 14, atol=0.03)
    assert_allclose(result.total, c**2 / 14, atol=0.03)
    assert result.total[3] == 0.0


def test_it_gives_indices_per_output_column() -> None:
    n = 4096
    x = saltelli_sample(n, 2, seed=8)
    y = np.column_stack([x[:, 0], x[:, 1], x[:, 0] + x[:, 1]])
    result = jansen_indices(y, n, 2, n_boot=0)
    assert result.first.shape == (2, 3)
    assert_allclose(result.first, [[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]], atol=0.04)
    assert np.all(np.isnan(result.first_low))


def test_it_lays_out_the_design_in_blocks_a_b_and_mixed() -> None:
    keys = saltelli_keys(2, 2)
    # A rows: 0, 2; B rows: 1, 3; A_B^(1): first factor from B; A_B^(2): second factor from B
    assert_array_equal(keys, [[0, 0], [2, 2], [1, 1], [3, 3], [1, 0], [3, 2], [0, 1], [2, 3]])


def test_it_reuses_the_base_draws_in_the_mixed_rows() -> None:
    x = saltelli_sample(10, 3, seed=4)
    a, b, ab2 = x[:10], x[10:20], x[30:40]
    assert_array_equal(ab2[:, 1], b[:, 1])
    assert_array_equal(ab2[:, [0, 2]], a[:, [0, 2]])


def test_it_returns_nan_with_a_warning_for_a_constant_output() -> None:
    with pytest.warns(DegenerateDataWarning, match="zero variance"):
        result = jansen_indices(np.ones(5 * 4), 5, 2, n_boot=10)
    assert np.all(np.isnan(result.first)) and np.all(np.isnan(result.total))


def test_it_rejects_outputs_of_the_wrong_length() -> None:
    with pytest.raises(InputError, match=r"`y` must have 40 rows"):
        jansen_indices(np.zeros(39), 10, 2)


def test_it_rejects_a_bad_interval() -> None:
    with pytest.raises(InputError, match="`ci` must be two fractions"):
        jansen_indices(np.zeros(40), 10, 2, ci=(0.9, 0.1))
