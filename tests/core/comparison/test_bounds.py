"""Magnitude bounds of the comparison statistics (security review, issue 13: L3): 1e308 used to overflow
Algorithm A and the means (a 500 on the evaluation page); now every entry point refuses it first, naming
the laboratory or position and the rule, and every method stays finite at the bounds themselves."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

from qiangji.cli import main
from qiangji.core.comparison import (
    MAX_MAGNITUDE,
    MIN_UNCERTAINTY,
    REFERENCE_METHODS,
    algorithm_a,
    check_results,
    degrees_of_equivalence,
    reference_value,
)
from qiangji.core.errors import InputError


@pytest.mark.parametrize("method", sorted(REFERENCE_METHODS))
def test_reference_value_refuses_1e308_before_any_statistic(method: str) -> None:
    with pytest.raises(InputError, match=r"`x` must be within ±1e\+30, got 1e\+308 at position 2"):
        reference_value([10.0, 10.1, 1e308, 9.9], [0.1] * 4, method=method, pilot=0)


def test_algorithm_a_refuses_1e308() -> None:
    with pytest.raises(InputError, match="`x` must be within"):
        algorithm_a([1.0, 2.0, 1e308, 3.0])


@pytest.mark.parametrize("u", [1e308, 1e-300])
def test_uncertainties_out_of_bounds_are_refused(u: float) -> None:
    with pytest.raises(InputError, match="`u` must be"):
        reference_value([1.0, 1.1, 1.2], [0.1, u, 0.1], method="weighted_mean")


def test_check_results_names_every_laboratory_and_the_rule() -> None:
    with pytest.raises(InputError) as refused:
        check_results(["L1", "L2", "L3"], [1.0, 1e308, -2e30], [0.1, 0.1, 1e-31])
    assert refused.value.errors == [
        "lab 'L2': x must be a finite number within ±1e+30, got 1e+308",
        "lab 'L3': x must be a finite number within ±1e+30, got -2e+30",
    ]


@pytest.mark.parametrize("method", sorted(REFERENCE_METHODS))
def test_every_method_stays_finite_at_the_bounds(method: str) -> None:
    x = [MAX_MAGNITUDE, -MAX_MAGNITUDE, 1.0, 1.1, 1.2]
    u = [MAX_MAGNITUDE, MAX_MAGNITUDE, MIN_UNCERTAINTY, 1.0, MIN_UNCERTAINTY]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = reference_value(x, u, method=method, pilot=2)
        except InputError as exc:  # a documented refusal (no consistent pair), never an arithmetic error
            assert "consistent" in str(exc)
            return
        doe = degrees_of_equivalence(x, u, ref)
    assert math.isfinite(ref.value) and math.isfinite(ref.u)
    assert all(math.isfinite(d) for d in doe.d)


def test_dersimonian_laird_with_one_dominant_weight_is_not_a_division_by_zero() -> None:
    ref = reference_value([1.0, 1.1, 2.0, 3.0], [1e30, 1e-30, 1.0, 1.0], method="dersimonian_laird")
    assert math.isfinite(ref.value) and ref.tau >= 0


def _cli(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    f = tmp_path / "results.csv"
    f.write_text(text, encoding="utf-8")
    code = main(["comparison", "evaluate", str(f), "--reference", "algorithm_a"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("C,1e308,0.2,2,2025-03-01", "results.csv row 4, column x: must be within ±1e+30, got '1e308'"),
        ("C,10.1,1e308,2,2025-03-01", "results.csv row 4, column U: must be within ±1e+30, got '1e308'"),
        ("C,10.1,0.2,1e-300,2025-03-01", "results.csv row 4, lab 'C': u must be a finite number from 1e-30"),
        ("C,10.1,0.2,2,0001-01-01", "results.csv row 4, column date: must be a date from 2000-01-01 to"),
        ("C,10.1,0.2,2,9999-12-31", "results.csv row 4, column date: must be a date from 2000-01-01 to"),
    ],
)
def test_the_command_refuses_implausible_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    text = f"lab,x,U,k,date\nA,10.0,0.2,2,2025-03-01\nB,10.2,0.2,2,2025-03-02\n{row}\n"
    code, err = _cli(tmp_path, text, capsys)
    assert code != 0 and message in err
    assert "Traceback" not in err
