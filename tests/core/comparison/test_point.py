"""`evaluate_point`: a point's reference value and every laboratory's U(d), En, ζ, z/z′ (or the drift line).

Expected numbers are hand computations from the formula sheet (docs/comparison-formulas.md): §1a/§1b
En = d/sqrt(U_i² + U_ref² + U_ts²); §3 ζ = d/sqrt(u_i² + u_ref²), z = d/σ_pt, z′ = d/sqrt(σ_pt² + u_ref²);
§7 a two-point drift line; §8 the correlated form u²(d) = u_i² − u_ref² of the weighted mean.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from qiangji.core.comparison import (
    METHOD_LABELS,
    OPTION_NAMES,
    REFERENCE_METHODS,
    RESULT_COLUMNS,
    LabScore,
    evaluate_point,
)
from qiangji.core.errors import InputError

# the 200 g point of the web tests: pilot P at 0 ± 0.5 (k = 2), L1 0.4, L2 −0.6, L3 3.0, each ± 1.0
X = [0.0, 0.4, -0.6, 3.0]
U = [0.25, 0.5, 0.5, 0.5]  # standard uncertainties U/2
LABS = ["P", "L1", "L2", "L3"]


def _pilot(**options: object) -> list[LabScore]:
    return list(evaluate_point(X, U, method="pilot", labs=LABS, pilot=0, **options).rows)


def test_it_scores_against_the_pilot() -> None:
    p, _, l2, l3 = _pilot()
    assert l3.en == pytest.approx(3.0 / math.sqrt(1.25), rel=1e-12) and l3.verdict == "unsatisfactory"
    assert l2.en == pytest.approx(-0.6 / math.sqrt(1.25), rel=1e-12) and l2.verdict == "satisfactory"
    assert l3.zeta == pytest.approx(3.0 / math.sqrt(0.25 + 0.0625), rel=1e-12)
    assert (l3.x, l3.U, l3.x_ref, l3.U_ref) == (3.0, 1.0, 0.0, 0.5)
    assert p.form == "reference" and p.en is None and p.zeta is None and p.verdict == "not evaluated"


def test_it_adds_the_transfer_standard_term() -> None:
    l3 = _pilot(U_ts=1.0)[3]
    assert l3.en == pytest.approx(3.0 / math.sqrt(1.0 + 0.25 + 1.0), rel=1e-12)
    assert l3.zeta == pytest.approx(3.0 / math.sqrt(0.25 + 0.0625), rel=1e-12)  # ζ has no U_ts


def test_it_uses_the_correlated_form_of_the_weighted_mean() -> None:
    out = evaluate_point(X, U, method="weighted_mean")
    assert out.value == pytest.approx(0.4, rel=1e-12) and out.u == pytest.approx(28**-0.5, rel=1e-12)
    assert out.rows[3].en == pytest.approx(2.6 / (2 * math.sqrt(0.25 - 1 / 28)), rel=1e-12)
    independent = evaluate_point(X, U, method="weighted_mean", correlated=False)
    assert independent.rows[3].en == pytest.approx(2.6 / (2 * math.sqrt(0.25 + 1 / 28)), rel=1e-12)
    assert out.trail["chi2"]["chi2"] == pytest.approx(33.6, rel=1e-12)


def test_it_chooses_z_or_z_prime_by_the_uncertainty_of_the_reference() -> None:
    # ISO 13528:2022 9.2.1: z if u(x_pt) ≤ 0.3σ_pt; the weighted mean's u is 28^−½ = 0.189
    wide = evaluate_point(X, U, method="weighted_mean", sigma_pt=1.0)
    assert wide.rows[3].z_kind == "z" and wide.rows[3].z == pytest.approx(2.6, rel=1e-12)
    narrow = evaluate_point(X, U, method="weighted_mean", sigma_pt=0.5)
    assert narrow.rows[3].z_kind == "z'"
    assert narrow.rows[3].z == pytest.approx(2.6 / math.sqrt(0.25 + 1 / 28), rel=1e-12)
    assert narrow.trail["sigma_pt_source"] == "given"


def test_a_consensus_without_sigma_pt_takes_the_robust_sd() -> None:
    out = evaluate_point(X, U, method="algorithm_a")
    assert out.trail["sigma_pt_source"] == "robust_sd" and all(r.z is not None for r in out.rows)
    assert _pilot()[3].z is None  # the pilot's value has no σ_pt of its own


def test_it_draws_the_pilot_drift_line_with_the_transfer_standard_term() -> None:
    # pilot 0.0 on 03-01 and 1.0 on 03-11 (u 0.25 each): X_P(03-06) = 0.5 with u = 0.25/√2, at 03-11 1.0
    checks = [("2025-03-01", 0.0, 0.25), ("2025-03-11", 1.0, 0.25)]
    out = evaluate_point(
        [0.5, 1.5],
        [0.5, 0.5],
        method="pilot",
        labs=["L1", "L2"],
        dates=["2025-03-06", "2025-03-11"],
        pilot_checks=checks,
        U_ts=0.4,
    )
    l1, l2 = out.rows
    assert out.value is None and out.doe_form == "drift" and out.drift is not None
    assert l1.x_ref == pytest.approx(0.5) and l1.U_ref == pytest.approx(2 * 0.25 / math.sqrt(2), rel=1e-9)
    assert l2.en == pytest.approx(0.5 / math.sqrt(1.0 + 0.25 + 0.16), rel=1e-9)
    assert l2.zeta == pytest.approx(0.5 / math.sqrt(0.25 + 0.0625), rel=1e-9)
    assert out.trail["U_ts"] == 0.4 and out.trail["kind"] == "drift"


def test_a_laboratory_on_the_drift_line_needs_its_date() -> None:
    checks = [("2025-03-01", 0.0, 0.25), ("2025-03-11", 1.0, 0.25)]
    with pytest.raises(InputError, match="lab 'L2' needs a measurement date"):
        evaluate_point([0.5, 1.5], [0.5, 0.5], method="pilot", labs=["L1", "L2"], dates=["2025-03-06", ""],
                       pilot_checks=checks)  # fmt: skip


def test_it_names_what_it_refuses() -> None:
    with pytest.raises(InputError, match=r"options must be among .*got tolerance"):
        evaluate_point(X, U, method="mean", tolerance=1)
    with pytest.raises(InputError, match="pilot laboratory has no result"):
        evaluate_point(X, U, method="pilot")
    with pytest.raises(InputError, match="lab 'L3': x must be"):
        evaluate_point([0.0, 1.0, 1e308], [1.0, 1.0, 1.0], method="mean", labs=["L1", "L2", "L3"])


def test_the_row_type_is_the_declaration() -> None:
    assert [f.name for f in dataclasses.fields(LabScore)] == ["index", *(c.name for c in RESULT_COLUMNS)]
    for c in RESULT_COLUMNS:
        assert c.kind in {"value", "uncertainty", "score", "code", "verdict"}
        assert (c.max_length > 0) == (c.kind in {"code", "verdict"}), c.name


def test_every_method_has_one_label_and_the_options_are_the_functions() -> None:
    assert list(METHOD_LABELS) == list(REFERENCE_METHODS)
    for method in REFERENCE_METHODS:
        options = {"seed": 3} if method != "pilot" else {}
        out = evaluate_point(X, U, method=method, pilot=0, **options)
        assert out.trail["method"] == method and len(out.rows) == 4
    assert set(OPTION_NAMES) >= {"U_ts", "correlated", "seed"}


def test_a_columns_texts_are_its_text_of_each_value() -> None:
    """The command line formats a whole column at once (`ResultColumn.texts`), exactly as value by value."""
    values: list[object] = [None, "", 0.1 + 0.2, -1234.5678901234, 1e-12, 3, "LCS", float("nan")]
    for column in RESULT_COLUMNS:
        assert column.texts(iter(values)) == [column.text(v) for v in values], column.name
    en = next(c for c in RESULT_COLUMNS if c.name == "en")
    assert en.texts([0.456, None]) == ["0.46", "—"]  # a score: fixed decimals
