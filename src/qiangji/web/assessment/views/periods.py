"""Period list and the period overview: institution × indicator, each value with where it came from."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import role_required, staff_required, step_required
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.cache import cached
from qiangji.web.assessment.forms import OpenPeriodForm, PeriodForm
from qiangji.web.assessment.inputs import Inputs, build_inputs, explain
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue, SupervisionVisit
from qiangji.web.assessment.reporting import current_framework_version
from qiangji.web.assessment.views.report_rows import county_refusal
from qiangji.web.stored_texts import in_language

SOURCE_LABELS = {
    "derived": gettext_lazy("派生"),
    "reported": gettext_lazy("填报"),
    "supervision": gettext_lazy("督导"),
}


@staff_required
def period_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and not policy.can_open_period(request.user):
        raise PermissionDenied("only the programme admin creates and opens periods")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period = form.save()
        messages.success(request, _("已创建期次 %(code)s。") % {"code": period.code})
        return redirect("assessment:periods")
    return _period_list(request, form=form)


def _period_list(
    request: HttpRequest, *, form: PeriodForm | None = None, open_form: OpenPeriodForm | None = None
) -> HttpResponse:
    own = policy.institution_of(request.user) if policy.role_of(request.user) == policy.REPORTER else None
    periods = Period.objects.select_related("framework_version").order_by("-end", "kind")
    rows = [{"period": p, "refusal": county_refusal(p, own) if own else None} for p in periods]
    versions = FrameworkVersion.objects.all()
    context = {
        "rows": rows,
        "form": form or PeriodForm(),
        "versions": versions,
        "own": own,
        "open_form": open_form or OpenPeriodForm(),
    }
    bad = (form is not None and form.errors) or (open_form is not None and open_form.errors)
    return render(request, "assessment/periods.html", context, status=400 if bad else 200)


@step_required("open_period")
@require_POST
def open_period(request: HttpRequest) -> HttpResponse:
    """The programme admin opens a period for reporting, or re-dates its window (e.g. closes it early once
    every county has reported), through the lifecycle; the period's change is in the audit trail."""
    form = OpenPeriodForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            period = lifecycle.open_period(
                data["code"], deadline=data["deadline"], opens=data["opens"], framework=data["framework"],
                user=request.user,
            )  # fmt: skip
        except lifecycle.LifecycleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(label)s：%(stage)s，填报 %(opens)s 至 %(deadline)s，指标框架 %(version)s。")
                % {
                    "label": period.label, "stage": period.stage_label(), "opens": period.opens_on,
                    "deadline": period.deadline, "version": period.framework_version,
                },
            )  # fmt: skip
            return redirect("assessment:periods")
    return _period_list(request, open_form=form)


@role_required(*policy.READ_ALL_ROLES)  # every institution's values side by side
def overview(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    version = _chosen_version(request)
    fw = version.framework()
    inputs = period_inputs(period, version)
    statuses = {
        (r.institution.code, r.indicator): r
        for r in ReportedValue.objects.filter(period=period).select_related("institution")
    }
    rows = []
    for unit in inputs.frame.index:
        cells = []
        for ind in inputs.frame.columns:
            value = float(inputs.frame.loc[unit, ind])
            prov = inputs.provenance.get((unit, ind), {})
            which = explain(ind, (value, prov) if prov else None)
            report = statuses.get((unit, ind))
            cells.append(
                {
                    "code": ind,
                    "value": None if math.isnan(value) else value,
                    "source": prov.get("source", "missing"),
                    "label": str(SOURCE_LABELS.get(prov.get("source", ""), _("缺失"))),
                    "title": f"{_tooltip(prov)}\n{which.statement}",
                    "pending": report,
                    "overridden": report is not None and report.value is not None and which.fallback,
                }
            )
        rows.append({"code": unit, "name": inputs.names[unit], "cells": cells})
    context = {
        "period": period,
        "version": version,
        "versions": FrameworkVersion.objects.all(),
        "indicators": [fw.node(c) for c in inputs.frame.columns],
        "rows": rows,
        "visits": SupervisionVisit.objects.filter(period=period).count(),
        "pending": ReportedValue.objects.filter(period=period, status=ReportedValue.Status.SUBMITTED).count(),
    }
    return render(request, "assessment/overview.html", context)


def period_inputs(period: Period, version: FrameworkVersion) -> Inputs:
    """``build_inputs``, kept between requests until the data change (cache.py states the rule)."""
    text = cached(f"inputs:{period.pk}:{version.pk}", lambda: build_inputs(period, version).to_json())
    return Inputs.from_json(text)


def _chosen_version(request: HttpRequest) -> FrameworkVersion:
    wanted = request.GET.get("version")
    if wanted:
        return get_object_or_404(FrameworkVersion, version=wanted)
    return current_framework_version()


def _tooltip(prov: Mapping[str, Any]) -> str:
    if not prov:
        return _("无数据")
    parts = [in_language(prov.get("method"))]
    if prov.get("denominator") not in (None, 0, 0.0):
        parts.append(f"{prov.get('numerator'):g} / {prov.get('denominator'):g}")
    elif prov.get("numerator") is not None:
        parts.append(f"{prov.get('numerator'):g}")
    if prov.get("detail"):
        parts.append(in_language(prov["detail"]))  # stored in Chinese (`stored_texts`)
    return "；".join(p for p in parts if p)
