"""Robust statistics against ISO 13528:2022 Annex E (printed values; see data.py for the transcription)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qiangji.core.comparison import (
    algorithm_a,
    algorithm_s,
    algorithm_s_factors,
    huber_consistency_factor,
    made,
    median_niqr,
    q_hampel,
)
from qiangji.core.errors import DegenerateDataWarning, InputError
from tests.core.comparison import data


def test_it_converges_algorithm_a_on_e1_to_the_full_precision_values() -> None:
    # docs/comparison-formulas.md#algorithm-a: full convergence of E.1 third column gives 23.9585 / 8.5960
    r = algorithm_a(data.E1_HALF)
    assert r.converged
    assert_allclose((r.mean, r.sd), (23.9585, 8.5960), atol=5e-5)
    assert r.iterations[0].mean == 25.0  # the start row is the median
    assert abs(r.iterations[-1].mean - r.iterations[-2].mean) <= 1e-10 * r.sd


def test_it_stops_algorithm_a_by_the_printed_three_figure_rule() -> None:
    # C.3.1 rule gives 23.96 / 8.59 (Table E.1 prints 23.95 / 8.60, a known inconsistency)
    r = algorithm_a(data.E1_HALF, stop="iso_3sf")
    assert (round(r.mean, 2), round(r.sd, 2)) == (23.96, 8.59)
    ignored = algorithm_a(data.E1_IGNORED, stop="iso_3sf")
    assert (round(ignored.mean, 2), round(ignored.sd, 2)) == (26.01, 7.23)  # Table E.1 first column


def test_it_reproduces_table_e5_robust_estimates() -> None:
    # ISO 13528:2022 Table E.5 (atrazine): Algorithm A 0.2570/0.0395/u 0.0085; median 0.2620, nIQR
    # 0.0402, u 0.0086; MADe 0.0386; Q/Hampel 0.2600/0.0426/u 0.0091.
    a = algorithm_a(data.E3)
    assert_allclose((a.mean, a.sd, a.u), (0.2570, 0.0395, 0.0085), atol=5e-5)
    m = median_niqr(data.E3)
    assert_allclose((m.value, m.sd, m.u), (0.2620, 0.0402, 0.0086), atol=5e-5)
    assert made(data.E3) == pytest.approx(0.0386, abs=5e-5)
    q = q_hampel(data.E3)
    assert_allclose((q.value, q.sd, q.u), (0.2600, 0.0426, 0.0091), atol=5e-5)


def test_it_reproduces_e7_algorithm_a_on_the_mercury_results() -> None:
    # ISO 13528:2022 E.7: x* = 0.03161, s* = 0.0164, u(x*) = 0.0045 for the 21 results of Table E.6
    r = algorithm_a([row[1] for row in data.E4])
    # half a unit of each printed last digit
    assert abs(r.mean - 0.03161) <= 5e-6
    assert abs(r.sd - 0.0164) <= 5e-5 and abs(r.u - 0.0045) <= 5e-5


def test_it_offers_the_exact_huber_factor() -> None:
    assert huber_consistency_factor() == pytest.approx(1.13339, abs=5e-6)
    exact, printed = algorithm_a(data.E3, factor="exact"), algorithm_a(data.E3)
    assert exact.factor == pytest.approx(1.13339, abs=5e-6)
    assert exact.sd < printed.sd


def test_it_reproduces_algorithm_s_and_table_c1() -> None:
    assert algorithm_s(data.E13_SD, 3).value == pytest.approx(0.34, abs=0.005)  # E.13: w* = 0.34
    # computed eta matches Table C.1 to its last digit; computed xi within 0.0007 (the table is used)
    for dof, (eta, xi) in data.TABLE_C1.items():
        assert algorithm_s_factors(dof) == (eta, xi)
        computed = algorithm_s_factors(dof, printed=False)
        assert abs(computed[0] - eta) <= 5e-4 and abs(computed[1] - xi) <= 7e-4


def test_it_matches_a_plain_loop_on_a_large_sample() -> None:
    # the windowed fast path must give what the textbook loop gives (independent implementation)
    rng = np.random.default_rng(3)
    x = rng.normal(100.0, 3.0, 200_000)
    x[:8000] += 25.0
    m = float(np.median(x))
    s = 1.483 * float(np.median(np.abs(x - m)))
    for _ in range(500):
        w = np.clip(x, m - 1.5 * s, m + 1.5 * s)
        m, s = w.mean(), 1.134 * w.std(ddof=1)
    r = algorithm_a(x)
    assert_allclose((r.mean, r.sd), (m, s), rtol=1e-9)


def test_it_warns_on_identical_values_and_refuses_one_value() -> None:
    with pytest.warns(DegenerateDataWarning):
        r = algorithm_a([5.0, 5.0, 5.0])
    assert (r.mean, r.sd) == (5.0, 0.0)
    with pytest.raises(InputError, match="at least 2"):
        algorithm_a([1.0])
    with pytest.raises(InputError, match="`stop` must be one of"):
        algorithm_a([1.0, 2.0], stop="fast")  # type: ignore[arg-type]


def test_it_gives_the_trail_as_a_table() -> None:
    table = algorithm_a(data.E1_HALF).table()
    assert set(table[0]) == {"iteration", "mean", "sd", "delta", "n_low", "n_high"}
    assert table[1]["n_low"] + table[1]["n_high"] > 0
