"""Evaluation of a round: reference values, En, stored trail, replay, corrective actions.

Expected numbers are hand computations from docs/comparison-formulas.md:
§1a En = d/sqrt(U_i² + U_ref²); §2 Procedure A y = Σx/u² / Σ1/u²; §8 correlated u²(d) = u_i² − u_ref².
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from qiangji.web.comparisons.evaluate import EvaluationError, evaluate_round, matches_stored
from qiangji.web.comparisons.models import (
    ComparisonRound,
    CorrectiveAction,
    Evaluation,
    LabResult,
    PilotCheck,
)
from qiangji.web.registry.models import SupervisionFinding

from .conftest import D, submit

CLOSED = ComparisonRound.Status.CLOSED


def _close(rnd: ComparisonRound) -> ComparisonRound:
    rnd.status = CLOSED
    rnd.save()
    return rnd


def _en(point_order: int, lab: str) -> LabResult:
    return LabResult.objects.get(evaluation__point__order=point_order, participant__lab_code=lab)


def test_it_refuses_an_open_round(filled: dict[str, Any]) -> None:
    with pytest.raises(EvaluationError, match="close it before evaluating"):
        evaluate_round(filled["round"])


def test_it_scores_against_the_pilot(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="pilot", options={})
    # 200 g: X_ref = 0 mg, U_ref = 0.5 mg; L3: 3.0/sqrt(1.0² + 0.5²) = 2.683282
    assert _en(1, "L3").en == pytest.approx(3.0 / math.sqrt(1.25), rel=1e-12)
    assert _en(1, "L1").en == pytest.approx(0.4 / math.sqrt(1.25), rel=1e-12)
    assert _en(1, "L3").verdict == "unsatisfactory"
    assert _en(1, "P").verdict == "not evaluated" and _en(1, "P").en is None
    # 100 g: L3 gave U = 0.45 at k = 3, i.e. 0.30 at k = 2: (0.30 − 0.10)/sqrt(0.30² + 0.30²)
    assert math.isclose(_en(2, "L3").U, 0.30, rel_tol=1e-12)
    assert _en(2, "L3").en == pytest.approx(0.2 / math.sqrt(0.18), rel=1e-12)
    assert filled["round"].status == ComparisonRound.Status.EVALUATED


def test_it_adds_the_transfer_standard_term(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="pilot", options={"U_ts": 1.0})
    assert _en(1, "L3").en == pytest.approx(3.0 / math.sqrt(1.0 + 0.25 + 1.0), rel=1e-12)


def test_it_stores_the_weighted_mean_trail(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="weighted_mean", options={})
    ev = Evaluation.objects.get(point__order=1)
    # u = 0.25, 0.5, 0.5, 0.5 → w = 16, 4, 4, 4; y = 11.2/28 = 0.4; u(y) = 28^−½; χ² = 33.6 on 3 dof
    assert ev.value == pytest.approx(0.4, rel=1e-12)
    assert ev.u == pytest.approx(28**-0.5, rel=1e-12)
    assert ev.trail["chi2"]["chi2"] == pytest.approx(33.6, rel=1e-12)
    assert ev.trail["chi2"]["dof"] == 3 and ev.trail["chi2"]["consistent"] is False
    # L3 is in the mean: u²(d) = 0.25 − 1/28 (correlated form), d = 2.6
    assert _en(1, "L3").en == pytest.approx(2.6 / (2 * math.sqrt(0.25 - 1 / 28)), rel=1e-12)
    assert _en(1, "L3").form == "correlated"


def test_it_can_force_the_independent_form(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="weighted_mean", options={"correlated": False})
    assert _en(1, "L3").en == pytest.approx(2.6 / (2 * math.sqrt(0.25 + 1 / 28)), rel=1e-12)


def test_it_keeps_algorithm_a_iterations(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="algorithm_a", options={})
    rows = Evaluation.objects.get(point__order=1).trail["algorithm_a"]["rows"]
    assert rows[0]["iteration"] == 0 and len(rows) >= 3
    # start values: median of (0, 0.4, −0.6, 3.0) = 0.2
    assert rows[0]["mean"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    "method",
    [
        "mean",
        "weighted_mean",
        "median",
        "algorithm_a",
        "dersimonian_laird",
        "mandel_paule",
        "largest_consistent_subset",
        "pilot",
    ],
)
def test_it_recomputes_identically(filled: dict[str, Any], method: str) -> None:
    evaluate_round(_close(filled["round"]), method=method, options={"seed": 7})
    for ev in Evaluation.objects.all():
        assert matches_stored(ev)


def test_replay_detects_a_tampered_value(filled: dict[str, Any]) -> None:
    evaluate_round(_close(filled["round"]), method="mean", options={})
    ev = Evaluation.objects.get(point__order=1)
    Evaluation.objects.filter(pk=ev.pk).update(value=ev.value + 1e-9)
    assert not matches_stored(Evaluation.objects.get(pk=ev.pk))


def test_it_uses_the_drift_line(world: dict[str, Any]) -> None:
    p1, p2 = world["points"]
    P, L1, L2, L3 = world["parts"]
    PilotCheck.objects.create(point=p1, measured_on=D(2025, 3, 1), x=0.0, U=0.5)
    PilotCheck.objects.create(point=p1, measured_on=D(2025, 3, 11), x=1.0, U=0.5)
    submit(L1, p1, 0.5, 1.0, day=6)  # X_P(03-06) = 0.5 → d = 0
    submit(L2, p1, 1.5, 1.0, day=11)  # X_P(03-11) = 1.0 → d = 0.5
    for part in (P, L1, L2, L3):
        submit(part, p2, 0.0, 0.5)
    evaluate_round(_close(world["round"]), method="pilot", options={})
    assert _en(1, "L1").x_ref == pytest.approx(0.5) and _en(1, "L1").en == pytest.approx(0.0, abs=1e-12)
    # two-point line at its mean date: u = 0.25/√2; at an end point: u = 0.25
    assert _en(1, "L1").U_ref == pytest.approx(2 * 0.25 / math.sqrt(2), rel=1e-9)
    assert _en(1, "L2").en == pytest.approx(0.5 / math.sqrt(1.0 + 0.25), rel=1e-9)
    assert Evaluation.objects.get(point__order=1).trail["kind"] == "drift"


def test_it_names_the_point_when_the_pilot_has_no_result(world: dict[str, Any]) -> None:
    p1, p2 = world["points"]
    for part in world["parts"][1:]:
        submit(part, p1, 0.0, 1.0)
        submit(part, p2, 0.0, 1.0)
    with pytest.raises(EvaluationError, match="point 200 g: the pilot laboratory has no result"):
        evaluate_round(_close(world["round"]), method="pilot", options={})
    assert not Evaluation.objects.exists()  # nothing half-stored


def test_it_needs_two_results_for_a_consensus(world: dict[str, Any]) -> None:
    for point in world["points"]:
        submit(world["parts"][1], point, 0.0, 1.0)
    with pytest.raises(EvaluationError, match="at least 2 included results"):
        evaluate_round(_close(world["round"]), method="mean", options={})


def test_it_rejects_unknown_options(filled: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="tolerance"):
        evaluate_round(_close(filled["round"]), method="mean", options={"tolerance": 1})


def test_it_opens_one_corrective_action_per_institution(filled: dict[str, Any]) -> None:
    rnd = _close(filled["round"])
    evaluate_round(rnd, method="pilot", options={}, today=dt.date(2025, 4, 1))
    action = CorrectiveAction.objects.get()
    assert action.institution.code == "C3"
    assert list(action.results.values_list("participant__lab_code", flat=True)) == ["L3"]
    f = action.finding
    assert f.sub_dimension == "C3" and f.due_on == dt.date(2025, 5, 1)
    assert "CMP-2025-01" in f.description and "En = 2.68" in f.description
    evaluate_round(rnd, method="pilot", options={}, today=dt.date(2025, 4, 2))  # re-evaluation: no duplicate
    assert CorrectiveAction.objects.count() == 1 and SupervisionFinding.objects.count() == 1


def test_a_corrected_result_withdraws_its_open_action(filled: dict[str, Any]) -> None:
    rnd = _close(filled["round"])
    evaluate_round(rnd, method="pilot", options={})
    L3 = filled["parts"][3]
    L3.submissions.filter(point__order=1).update(x=0.3)  # the pilot corrects a transcription error
    evaluate_round(rnd, method="pilot", options={})
    assert not CorrectiveAction.objects.exists() and not SupervisionFinding.objects.exists()


def test_exactly_one_is_satisfactory(world: dict[str, Any]) -> None:
    # En = 1.00 exactly: d = 0.5, U_i = 0.3, U_ref = 0.4 → sqrt(0.09 + 0.16) = 0.5 (JJF 1117: |En| ≤ 1)
    p1, p2 = world["points"]
    P, L1 = world["parts"][:2]
    for point in (p1, p2):
        submit(P, point, 0.0, 0.4)
        submit(L1, point, 0.5, 0.3)
    evaluate_round(_close(world["round"]), method="pilot", options={})
    r = _en(1, "L1")
    assert r.en == pytest.approx(1.0, abs=1e-12) and r.verdict == "satisfactory"
    assert not CorrectiveAction.objects.exists()
