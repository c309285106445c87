"""Evaluate a closed round: rows → plain inputs → the core's :func:`evaluate_point` → stored Evaluation and
LabResults (one field per declared result column, ``RESULT_COLUMNS``).

Also opens (or withdraws, on a re-evaluation before the report) the corrective actions for |En| > 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

import qiangji
from qiangji.core.comparison import RESULT_COLUMNS, PointEvaluation, evaluate_point, plain
from qiangji.core.errors import InputError
from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.comparisons.models import (
    ComparisonRound,
    CorrectiveAction,
    Evaluation,
    LabResult,
    MeasurementPoint,
    Submission,
)
from qiangji.web.registry.models import SupervisionFinding

Status = ComparisonRound.Status


class EvaluationError(Exception):
    """The round cannot be evaluated as it stands; the message says why (shown to the pilot)."""


def point_inputs(point: MeasurementPoint) -> tuple[dict[str, Any], list[Submission]]:
    """The plain arrays the core works on, in lab-code order, and the submissions they came from."""
    subs = list(
        Submission.objects.filter(point=point).select_related("participant").order_by("participant__lab_code")
    )
    pilot = next(
        (i for i, s in enumerate(subs) if s.participant.institution_id == point.round.pilot_id), None
    )
    inputs = {
        "labs": [s.participant.lab_code for s in subs],
        "x": [s.x for s in subs],
        "u": [s.U / s.k for s in subs],
        "included": [s.participant.included for s in subs],
        "dates": [s.measured_on.isoformat() for s in subs],
        "pilot": pilot,
        "pilot_checks": [[c.measured_on.isoformat(), c.x, c.U / c.k] for c in point.pilot_checks.all()],
        "sigma_pt": point.sigma_pt,
    }
    return inputs, subs


def evaluate_round(
    rnd: ComparisonRound,
    *,
    method: str | None = None,
    options: dict[str, Any] | None = None,
    user: Any = None,
    today: dt.date | None = None,
) -> list[Evaluation]:
    """Evaluate every point of a closed (or already evaluated, not yet reported) round."""
    if rnd.status not in {Status.CLOSED, Status.EVALUATED}:
        raise EvaluationError(f"round {rnd.code} is {rnd.get_status_display()}: close it before evaluating")
    if method is not None:
        rnd.reference_method = method
    if options is not None:
        rnd.reference_options = options
    rnd.full_clean()
    work = []
    for point in rnd.points.all():
        inputs, subs = point_inputs(point)
        if not subs:
            raise EvaluationError(f"point {point.label}: no results were submitted")
        try:
            outcome = evaluate_point(method=rnd.reference_method, **inputs, **rnd.reference_options)
        except InputError as exc:
            raise EvaluationError(f"point {point.label}: {exc}") from exc
        work.append((point, inputs, subs, outcome))
    with transaction.atomic():
        evaluations = [_store(rnd, *w, user=user) for w in work]
        rnd.status = Status.EVALUATED
        rnd.save(update_fields=["status", "reference_method", "reference_options", "updated_at"])
        sync_corrective_actions(rnd, today or timezone.localdate())
    return evaluations


def _store(
    rnd: ComparisonRound,
    point: MeasurementPoint,
    inputs: dict[str, Any],
    subs: list[Submission],
    outcome: PointEvaluation,
    *,
    user: Any,
) -> Evaluation:
    Evaluation.objects.filter(point=point).delete()
    ev = Evaluation.objects.create(
        round=rnd,
        point=point,
        method=rnd.reference_method,
        options=plain(rnd.reference_options),
        value=outcome.value,
        u=outcome.u,
        doe_form=outcome.doe_form,
        inputs=plain(inputs),
        trail=outcome.trail,
        code_version=qiangji.__version__,
        evaluated_at=timezone.now(),
        evaluated_by=user if user is not None and user.is_authenticated else None,
    )
    made = LabResult.objects.bulk_create(
        LabResult(
            evaluation=ev,
            participant=subs[r.index].participant,
            submission=subs[r.index],
            **{c.name: getattr(r, c.name) for c in RESULT_COLUMNS},
        )
        for r in outcome.rows
    )
    record_bulk(AuditEvent.Action.CREATE, made)  # bulk_create sends no signals
    return ev


def recompute(ev: Evaluation) -> PointEvaluation:
    """The evaluation replayed from its stored inputs and options."""
    return evaluate_point(method=ev.method, **ev.inputs, **ev.options)


def matches_stored(ev: Evaluation) -> bool:
    """True when the replay gives the stored reference value and every stored En, exactly."""
    out = recompute(ev)
    stored = {r.participant.lab_code: r.en for r in ev.results.select_related("participant")}
    replayed = {ev.inputs["labs"][r.index]: r.en for r in out.rows}
    return out.value == ev.value and out.u == ev.u and stored == replayed


def sync_corrective_actions(rnd: ComparisonRound, today: dt.date) -> list[CorrectiveAction]:
    """One corrective action per institution with an unsatisfactory result; stale ones withdrawn."""
    bad = LabResult.objects.filter(
        evaluation__round=rnd, verdict=LabResult.Verdict.UNSATISFACTORY
    ).select_related("participant__institution", "evaluation__point")
    by_inst: dict[int, list[LabResult]] = {}
    for r in bad:
        by_inst.setdefault(r.participant.institution_id, []).append(r)
    stale = rnd.corrective_actions.exclude(institution_id__in=by_inst).select_related("finding")
    for action in stale:
        finding = action.finding
        action.delete()
        if finding.closed_on is None:
            finding.delete()
    return [_open_action(rnd, results, today) for results in by_inst.values()]


def _open_action(rnd: ComparisonRound, results: list[LabResult], today: dt.date) -> CorrectiveAction:
    inst = results[0].participant.institution
    text = "；".join(f"{r.evaluation.point.label}: En = {r.en:.2f}" for r in results if r.en is not None)
    description = (
        f"计量比对 {rnd.code}《{rnd.name}》结果不满意（|En| > 1）：{text}。请分析原因并采取纠正措施。"
        f" 见 /comparisons/{rnd.code}/"
    )
    action = rnd.corrective_actions.filter(institution=inst).select_related("finding").first()
    if action is None:
        finding = SupervisionFinding.objects.create(
            institution=inst,
            source=SupervisionFinding.Source.OTHER,
            found_on=today,
            sub_dimension=SupervisionFinding.SubDimension.C3,
            severity=SupervisionFinding.Severity.MAJOR,
            description=description,
            due_on=today + dt.timedelta(days=rnd.corrective_days),
        )
        action = CorrectiveAction.objects.create(round=rnd, institution=inst, finding=finding)
    else:
        action.finding.description = description
        action.finding.save(update_fields=["description", "updated_at"])
    action.results.set(results)
    return action
