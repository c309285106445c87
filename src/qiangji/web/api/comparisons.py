"""Comparison rounds and results: a participant's own submissions until the round is closed, everyone's
after; evaluated results once the report is issued (the city side, leadership included, in every state),
as on the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from qiangji.core.comparison import RESULT_COLUMNS
from qiangji.web.api import access
from qiangji.web.api.errors import ERRORS
from qiangji.web.api.schemas import ROUND_CODE, ResultOut, RoundOut, SubmissionOut
from qiangji.web.comparisons import access as round_access
from qiangji.web.comparisons.models import ComparisonRound, LabResult

router = Router(tags=["comparisons"])
Code = Path(..., pattern=ROUND_CODE)


def _round(request: HttpRequest, code: str) -> ComparisonRound:
    rnd = round_access.visible_rounds(request.user).filter(code=code).first()
    if rnd is None:
        raise Http404(_("比对 %(code)s 不存在。") % {"code": code})
    return rnd


def round_out(rnd: ComparisonRound) -> dict[str, Any]:
    return {
        "code": rnd.code,
        "name": rnd.name,
        "year": rnd.year,
        "quantity": rnd.quantity,
        "unit": rnd.unit,
        "pilot": rnd.pilot.code,
        "status": rnd.status,
        "deadline": rnd.deadline,
        "reference_method": rnd.reference_method,
    }


@router.get("/comparisons/rounds", response={200: list[RoundOut], **ERRORS})
def rounds(request: HttpRequest) -> list[dict[str, Any]]:
    return [round_out(r) for r in round_access.visible_rounds(request.user).order_by("-year", "code")[:500]]


@router.get("/comparisons/rounds/{code}", response={200: RoundOut, **ERRORS})
def round_detail(request: HttpRequest, code: str = Code) -> dict[str, Any]:
    return round_out(_round(request, code))


@router.get("/comparisons/rounds/{code}/submissions", response={200: list[SubmissionOut], **ERRORS})
def submissions(request: HttpRequest, code: str = Code) -> list[dict[str, Any]]:
    qs = round_access.visible_submissions(request.user, _round(request, code))
    return [
        {
            "lab_code": s.participant.lab_code,
            "point": s.point.label,
            "x": s.x,
            "U": s.U,
            "k": s.k,
            "measured_on": s.measured_on,
        }
        for s in qs.order_by("point__order", "participant__lab_code")
    ]


@router.get("/comparisons/rounds/{code}/results", response={200: list[ResultOut], **ERRORS})  # type: ignore[valid-type]
def results(request: HttpRequest, code: str = Code) -> list[dict[str, Any]]:
    rnd = _round(request, code)
    # the city side (programme office, reviewers, leadership) reads results in every state (none before
    # the evaluation); a participant once the report is issued
    allowed = access.sees_unpublished(request.user) or round_access.can_view_report(request.user, rnd)
    access.require(allowed, _("比对结果在报告发布前保密。"))
    rows = LabResult.objects.filter(evaluation__round=rnd).select_related("participant", "evaluation__point")
    return [
        {
            "lab_code": r.participant.lab_code,
            "point": r.evaluation.point.label,
            **{c.name: getattr(r, c.name) for c in RESULT_COLUMNS},
        }
        for r in rows.order_by("evaluation__point__order", "participant__lab_code")
    ]
