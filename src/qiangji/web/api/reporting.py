"""Indicator reporting: periods, reported values (scoped), entry with optimistic locking, workflow steps.

Entries go through the assessment app's own rules (:func:`reporting.entry_errors`,
:func:`reporting.save_entry`) and workflow (:mod:`assessment.workflow`), exactly as the pages do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from qiangji.web.api import access
from qiangji.web.api.errors import ERRORS, Conflict, django_validation_text
from qiangji.web.api.locking import check_version, version_of
from qiangji.web.api.pagination import PageQuery, page
from qiangji.web.api.registry import visible_institution
from qiangji.web.api.schemas import (
    INDICATOR_CODE,
    INSTITUTION_CODE,
    PERIOD_CODE,
    ReasonIn,
    ReportIn,
    ReportOut,
    ReportPage,
)
from qiangji.web.assessment import workflow
from qiangji.web.assessment.lifecycle import LifecycleError, ensure_reportable
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.assessment.reporting import (
    Entry,
    entry_errors,
    period_framework,
    reportable_nodes,
    save_entry,
)

router = Router(tags=["reporting"])


class ReportFilter(Schema):
    period: str | None = Field(None, pattern=PERIOD_CODE)
    institution: str | None = Field(None, pattern=INSTITUTION_CODE)
    status: ReportedValue.Status | None = None


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)  # the schema's pattern admits only plain decimals


def _dec(value: Any) -> str | None:
    return None if value is None else str(value)


def report_out(rv: ReportedValue) -> dict[str, Any]:
    return {
        "id": rv.pk,
        "period": rv.period.code,
        "institution": rv.institution.code,
        "indicator": rv.indicator,
        "value": _dec(rv.value),
        "numerator": _dec(rv.numerator),
        "denominator": _dec(rv.denominator),
        "note": rv.note,
        "status": rv.status,
        "updated_at": rv.updated_at,
        "version": version_of(rv),
    }


def visible_reports(user: Any) -> QuerySet[ReportedValue]:
    return ReportedValue.objects.filter(institution__in=access.visible_institutions(user)).select_related(
        "period", "institution"
    )


def _report(request: HttpRequest, pk: int) -> ReportedValue:
    rv = visible_reports(request.user).filter(pk=pk).first()
    if rv is None:
        raise Http404(_("填报数据 %(pk)s 不存在。") % {"pk": pk})
    return rv


@router.get("/reports", response={200: ReportPage, **ERRORS})
def reports(request: HttpRequest, params: PageQuery, filters: Query[ReportFilter]) -> dict[str, Any]:
    qs = visible_reports(request.user).order_by("period__end", "institution__code", "indicator", "pk")
    if filters.period:
        qs = qs.filter(period__code=filters.period)
    if filters.institution:
        qs = qs.filter(institution__code=filters.institution)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return page(qs, params, report_out)


@router.get("/reports/{int:pk}", response={200: ReportOut, **ERRORS})
def report(request: HttpRequest, pk: int = Path(..., ge=1, le=2**62)) -> dict[str, Any]:
    return report_out(_report(request, pk))


@router.put(
    "/reports/{period}/{institution}/{indicator}",
    response={200: ReportOut, **ERRORS},
    summary="Enter or change a reported value (draft or returned only, inside the period's reporting window)",
)
def put_report(
    request: HttpRequest,
    payload: ReportIn,
    period: str = Path(..., pattern=PERIOD_CODE),
    institution: str = Path(..., pattern=INSTITUTION_CODE),
    indicator: str = Path(..., pattern=INDICATOR_CODE),
) -> dict[str, Any]:
    inst = visible_institution(request, institution)
    access.require(
        access.can_report(request.user, inst), _("您不能为机构 %(code)s 填报。") % {"code": inst.code}
    )
    per = Period.objects.filter(code=period).first()
    if per is None:
        raise Http404(_("考核期次 %(code)s 不存在。") % {"code": period})
    node = _reportable_node(indicator, per)
    _require_open(per, inst, indicator)
    entry = Entry(
        _amount(payload.value), _amount(payload.numerator), _amount(payload.denominator), payload.note
    )
    problems = entry_errors(node, entry)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        existing = (
            ReportedValue.objects.select_for_update()
            .filter(period=per, institution=inst, indicator=indicator)
            .first()
        )
        if existing is not None:
            check_version(existing, payload.version)
            if not existing.is_editable:
                raise Conflict(
                    _("该填报当前为“%(status)s”：只有草稿或已退回的填报可以修改。")
                    % {"status": existing.get_status_display()}
                )
        saved = save_entry(per, inst, indicator, entry, request.user)
    return report_out(ReportedValue.objects.select_related("period", "institution").get(pk=saved.pk))


def _require_open(period: Period, inst: Any, indicator: str) -> None:
    """The period's stage refuses the change (not open, closed, locked, published) → 409 with the reason."""
    existing = ReportedValue.objects.filter(period=period, institution=inst, indicator=indicator).first()
    try:
        ensure_reportable(period, inst, report=existing)
    except LifecycleError as exc:
        raise Conflict(str(exc)) from None


def _reportable_node(indicator: str, period: Period) -> Any:
    """The indicator's node in the current framework compiled for ``period`` (its bounds pro-rated)."""
    try:
        framework = period_framework(period)
    except FrameworkVersion.DoesNotExist:
        raise Http404(_("尚未保存任何指标体系版本。")) from None
    nodes = {node.code: node for node in reportable_nodes(framework)}
    if indicator not in nodes:
        raise Http404(
            _("指标 %(indicator)s 在指标体系 %(version)s 中不由机构填报。")
            % {"indicator": indicator, "version": framework.version}
        )
    return nodes[indicator]


def _step(request: HttpRequest, pk: int, action: Any, *args: Any) -> dict[str, Any]:
    """Run a workflow step; a refusal (wrong status, no evidence, four eyes) conflicts with the
    report's current state → 409 with the workflow's own message."""
    rv = _report(request, pk)
    try:
        workflow_step = action(rv, request.user, *args)
    except ValidationError as exc:
        raise Conflict(django_validation_text(exc)) from None
    return report_out(ReportedValue.objects.select_related("period", "institution").get(pk=workflow_step.pk))


@router.post("/reports/{int:pk}/submit", response={200: ReportOut, **ERRORS})
def submit(request: HttpRequest, pk: int = Path(..., ge=1, le=2**62)) -> dict[str, Any]:
    rv = _report(request, pk)
    access.require(access.can_report(request.user, rv.institution), _("您不能提交此填报。"))
    return _step(request, pk, workflow.submit)


@router.post("/reports/{int:pk}/approve", response={200: ReportOut, **ERRORS})
def approve(request: HttpRequest, pk: int = Path(..., ge=1, le=2**62)) -> dict[str, Any]:
    access.require(access.can_review(request.user), _("只有市级审核人员可以审核通过。"))
    return _step(request, pk, workflow.approve)


@router.post("/reports/{int:pk}/return", response={200: ReportOut, **ERRORS})
def return_report(
    request: HttpRequest, payload: ReasonIn, pk: int = Path(..., ge=1, le=2**62)
) -> dict[str, Any]:
    access.require(access.can_review(request.user), _("只有市级审核人员可以退回填报。"))
    return _step(request, pk, workflow.return_report, payload.reason)
