"""The one-pass reporting page, a cell's provenance, and evidence downloads and previews.

The reporting page holds every reportable value of one institution for a period in one form (one
"保存", one "提交审核"), each row saying which source counts for it (:func:`inputs.which_counts`). A save
or a submission is all-or-nothing: on any error nothing is stored, the page comes back with what was
typed and each message at its field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import ensure_can_view, staff_required
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.inputs import ranked_institutions, which_counts
from qiangji.web.assessment.models import Evidence, Period, ReportedValue
from qiangji.web.assessment.reporting import period_framework
from qiangji.web.assessment.views.report_rows import build_rows, save_rows
from qiangji.web.registry.models import Institution

#: Evidence shown inside the page (by extension; the content was checked against it on upload).
PREVIEW_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: The preview response may be framed by the site's own pages only, and runs nothing.
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"
)


@staff_required
def report_form(request: HttpRequest, code: str, inst: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    institution = get_object_or_404(Institution, code=inst)
    ensure_can_view(request.user, institution)
    may_edit = policy.can_edit(request.user, ReportedValue(period=period, institution=institution))
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("your role may not report for this institution")
    post = request.method == "POST"
    rows = build_rows(
        period, institution, may_edit, request.POST if post else None, request.FILES if post else None
    )
    problems: list[str] = []
    editable = any(row.form is not None for row in rows)
    if post and editable:  # (nothing editable: the page comes back with the refusal above the table)
        action = "submit" if request.POST.get("action") == "submit" else "save"
        done = save_rows(rows, period, institution, request.user, action)
        if done is not None:
            for text in done:
                messages.success(request, text)
            return redirect("assessment:report", code=period.code, inst=institution.code)
        problems = [f"{row.node.code} {label}：{text}" for row in rows for label, text in row.problems()]
    context: dict[str, Any] = {
        "period": period,
        "institution": institution,
        "rows": rows,
        "problems": problems,
        "editable": editable,
        "refusal": lifecycle.reporting_refusal(period, institution) if may_edit else None,
        "may_edit": may_edit,
        "institutions": [i for i in ranked_institutions(period) if policy.can_view(request.user, i)],
    }
    refused = post and (bool(problems) or not editable)
    return render(request, "assessment/report.html", context, status=400 if refused else 200)


@staff_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    ensure_can_view(request.user, evidence)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


def preview_type(name: str) -> str | None:
    """The content type a file of this name is previewed as, or ``None`` (download only)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return PREVIEW_TYPES.get(suffix)


@staff_required
@xframe_options_sameorigin
def evidence_preview(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file inline, for an ``<iframe>`` (PDF) or ``<img>`` of the site's own pages."""
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    ensure_can_view(request.user, evidence)
    content_type = preview_type(evidence.original_name)
    if content_type is None:
        raise Http404("this kind of file has no preview")
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@staff_required
def cell_detail(request: HttpRequest, code: str, inst: str, indicator: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    institution = get_object_or_404(Institution, code=inst)
    ensure_can_view(request.user, institution)
    fw = period_framework(period)
    if indicator not in fw.indicators:
        raise Http404(_("本期指标框架中没有该指标。"))
    which = which_counts(period, institution, indicator)
    report = ReportedValue.objects.filter(period=period, institution=institution, indicator=indicator).first()
    context = {
        "period": period,
        "institution": institution,
        "node": fw.node(indicator),
        "which": which,
        "value": which.value,
        "prov": which.provenance or None,
        "report": report,
    }
    return render(request, "assessment/cell.html", context)
