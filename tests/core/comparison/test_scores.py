"""z, z', zeta and En against ISO 13528:2022 E.4 (Tables E.6 and E.7), every printed digit."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qiangji.core.comparison import Verdict, en_numbers, z_scores, zeta_scores, zprime_scores
from qiangji.core.errors import DegenerateDataWarning, InputError
from tests.core.comparison import data

X = np.array([r[1] for r in data.E4])
U = np.array([r[2] for r in data.E4])
K = np.array([r[3] for r in data.E4])


def _printed(col: int) -> np.ndarray:
    return np.array([r[col] for r in data.E4])


def test_it_reproduces_the_printed_scores_of_e4() -> None:
    u_pt = data.E4_U_XPT / 2  # E.4: u(x_pt) = U(x_pt)/2, u(x_i) = U_i/k_i
    assert_allclose(z_scores(X, data.E4_XPT, data.E4_SIGMA).scores, _printed(6), atol=0.005 + 1e-12)
    assert_allclose(
        zprime_scores(X, data.E4_XPT, data.E4_SIGMA, u_pt).scores, _printed(7), atol=0.005 + 1e-12
    )
    assert_allclose(zeta_scores(X, U / K, data.E4_XPT, u_pt).scores, _printed(8), atol=0.005 + 1e-12)
    assert_allclose(en_numbers(X, U, data.E4_XPT, data.E4_U_XPT).en, _printed(9), atol=0.005 + 1e-12)


def test_it_classifies_by_the_iso_17043_bands() -> None:
    r = z_scores([0.0, 2.0, 2.5, 3.0, -3.5], 0.0, 1.0)
    assert r.verdicts == (
        Verdict.SATISFACTORY,
        Verdict.SATISFACTORY,
        Verdict.QUESTIONABLE,
        Verdict.UNSATISFACTORY,
        Verdict.UNSATISFACTORY,
    )
    assert Verdict.QUESTIONABLE.label == "有问题/questionable"
    en = en_numbers([1.0, 2.0, 2.01], [1.0, 1.0, 1.0], 1.0, 0.0)
    assert [v.zh for v in en.verdicts] == ["满意", "满意", "不满意"]


def test_it_uses_the_correlated_and_transfer_standard_forms() -> None:
    # hand computation: (x - X)/sqrt(U^2 - U_ref^2 + U_ts^2) = 0.3/sqrt(0.25 - 0.09 + 0.04) = 0.3/sqrt(0.2)
    r = en_numbers([1.3], [0.5], 1.0, 0.3, correlated=True, U_ts=0.2)
    assert r.en[0] == pytest.approx(0.3 / np.sqrt(0.2))
    assert r.form == ("correlated",)


def test_it_returns_nan_with_a_warning_for_an_impossible_correlated_denominator() -> None:
    with pytest.warns(DegenerateDataWarning):
        r = en_numbers([1.3], [0.2], 1.0, 0.3, correlated=True)
    assert np.isnan(r.en[0]) and r.verdicts == (Verdict.NOT_EVALUATED,)


def test_it_rejects_bad_inputs_with_named_parameters() -> None:
    with pytest.raises(InputError, match="`sigma_pt` must be a finite positive number"):
        z_scores([1.0], 0.0, 0.0)
    with pytest.raises(InputError, match="`U` must have 2 values"):
        en_numbers([1.0, 2.0], [1.0, 1.0, 1.0], 0.0, 1.0)
    with pytest.raises(InputError, match="`x` must be finite"):
        z_scores([np.nan], 0.0, 1.0)


def test_it_notes_the_small_n_pitfall_of_z() -> None:
    assert z_scores([1.0, 2.0, 3.0], 2.0, 1.0).notes
