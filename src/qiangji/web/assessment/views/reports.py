"""Reporting form, review queue, Excel template/upload and evidence downloads.

Excel template and upload by role: the city (programme admin, reviewers) for every ranked institution; a
county reporter only for its own institution (the template holds only its rows, an upload with any other
institution's row is refused whole). Every upload that passes the file checks is kept as an
:class:`~qiangji.web.excel.models.ImportBatch` (original, who, every problem): the refusal's record.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import city_required, ensure_can_view, role_required, staff_required
from qiangji.web.accounts.locking import VERSION_FIELD, check_version, version_token
from qiangji.web.assessment import excel, workflow
from qiangji.web.assessment.forms import EntryForm, ReturnForm, UploadForm
from qiangji.web.assessment.inputs import ranked_institutions, resolve_one
from qiangji.web.assessment.models import Evidence, Period, ReportedValue
from qiangji.web.assessment.reporting import (
    Entry,
    attach_evidence,
    current_framework_version,
    entry_errors,
    is_percentage,
    period_framework,
    reportable_nodes,
    save_entry,
)
from qiangji.web.excel.evidence import keep_batch
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@staff_required
def report_form(request: HttpRequest, code: str, inst: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    institution = get_object_or_404(Institution, code=inst)
    ensure_can_view(request.user, institution)
    nodes = reportable_nodes(period_framework(period))
    if request.method == "POST":
        if not policy.can_edit(request.user, ReportedValue(period=period, institution=institution)):
            raise PermissionDenied("your role may not report for this institution")
        _handle_entry(request, period, institution, {n.code: n for n in nodes})
        return redirect("assessment:report", code=period.code, inst=institution.code)
    stored = {
        r.indicator: r
        for r in ReportedValue.objects.filter(period=period, institution=institution).prefetch_related(
            "evidence", "transitions__actor"
        )
    }
    rows = [
        {"node": n, "report": r, "percent": is_percentage(n), "version": version_token(r) if r else ""}
        for n, r in ((n, stored.get(n.code)) for n in nodes)
    ]
    context = {"period": period, "institution": institution, "rows": rows}
    context["institutions"] = [i for i in ranked_institutions(period) if policy.can_view(request.user, i)]
    return render(request, "assessment/report.html", context)


def _handle_entry(
    request: HttpRequest, period: Period, institution: Institution, nodes: dict[str, Any]
) -> None:
    form = EntryForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["indicator"] not in nodes:
        messages.error(request, _("提交的数据格式不正确：%(e)s") % {"e": form.errors.as_text()})
        return
    data = form.cleaned_data
    action = request.POST.get("action", "save")
    try:
        with transaction.atomic():
            _save_and_submit(request, period, institution, nodes, data, action)
        messages.success(request, _("%(code)s 已保存。") % {"code": data["indicator"]})
    except ValidationError as exc:
        messages.error(request, f"{data['indicator']}：{_error_text(exc)}")


def _save_and_submit(
    request: HttpRequest,
    period: Period,
    institution: Institution,
    nodes: dict[str, Any],
    data: dict[str, Any],
    action: str,
) -> None:
    """Refuses (EditConflict) if the value changed since the form was shown (optimistic locking)."""
    report = ReportedValue.objects.filter(
        period=period, institution=institution, indicator=data["indicator"]
    ).first()
    if report is not None and action in ("save", "submit"):
        check_version(report, request.POST.get(VERSION_FIELD))
    if action in ("save", "submit") and (report is None or report.is_editable):
        entry = Entry(data["value"], data["numerator"], data["denominator"], data["note"])
        errors = entry_errors(nodes[data["indicator"]], entry)
        if errors:
            raise ValidationError(list(errors.values()))
        report = save_entry(period, institution, data["indicator"], entry, request.user)
        if data["evidence"]:
            attach_evidence(report, data["evidence"], request.user)
    if action == "submit" and report is not None:
        workflow.submit(report, request.user)


@city_required
def review_queue(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    fw = current_framework_version().framework()
    reports = (
        ReportedValue.objects.filter(period=period)
        .exclude(status=ReportedValue.Status.DRAFT)
        .select_related("institution", "updated_by")
        .prefetch_related("evidence", "transitions__actor")
        .order_by("status", "institution__code", "indicator")
    )
    names = {c: fw.node(c).label("zh") for c in fw.indicators}
    rows = [{"report": r, "name": names.get(r.indicator, r.indicator)} for r in reports]
    return render(
        request, "assessment/review.html", {"period": period, "rows": rows, "return_form": ReturnForm()}
    )


@city_required
@require_POST
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ReportedValue, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "approve":
            workflow.approve(report, request.user)
        elif action == "return":
            workflow.return_report(report, request.user, request.POST.get("reason", ""))
        elif action == "lock":
            workflow.lock(report, request.user)
        else:
            raise ValidationError(_("未知操作。"))
        messages.success(request, _("%(r)s：%(s)s") % {"r": report, "s": report.get_status_display()})
    except ValidationError as exc:
        messages.error(request, f"{report}：{_error_text(exc)}")
    return redirect("assessment:review", code=report.period.code)


@city_required
@require_POST
def lock_period(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    n = workflow.lock_period(period, request.user)
    messages.success(request, _("已锁定 %(n)s 项已通过的数据。") % {"n": n})
    return redirect("assessment:review", code=period.code)


def _own_rows_only(user: Any) -> Institution | None:
    """A reporter's institution (its template and uploads hold only its rows); ``None`` for the city.

    Raises ``PermissionDenied`` for a reporter bound to no institution (it has no rows to report)."""
    if policy.role_of(user) != policy.REPORTER:
        return None
    own = policy.institution_of(user)
    if own is None:
        raise PermissionDenied("a reporter without an institution has nothing to report")
    return own


@role_required(*policy.STAFF_ROLES)
def excel_template(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    own = _own_rows_only(request.user)
    response = HttpResponse(excel.template(period, own), content_type=XLSX)
    suffix = f"-{own.code}" if own else ""
    response["Content-Disposition"] = f'attachment; filename="report-{period.code}{suffix}.xlsx"'
    return response


@role_required(*policy.REPORT_UPLOAD_ROLES)
def excel_upload(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    own = _own_rows_only(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            n = _import(request, period, form.cleaned_data["file"], own)
        except excel.UploadError as exc:
            errors = [str(exc), *exc.errors]
        else:
            messages.success(request, _("已导入 %(n)s 项填报数据（草稿）。") % {"n": n})
            if own is not None:
                return redirect("assessment:report", code=period.code, inst=own.code)
            return redirect("assessment:overview", code=period.code)
    context = {"period": period, "form": form, "errors": errors, "own": own}
    status = 400 if errors or (request.method == "POST" and form.errors) else 200
    return render(request, "assessment/upload.html", context, status=status)


def _import(request: HttpRequest, period: Period, upload: Any, own: Institution | None) -> int:
    """Import the upload (all or nothing) and keep it as an import batch, refused or not.

    A file refused by the upload gate (size, zip bomb, macros) is not kept, as for registry imports."""
    try:
        check_xlsx(upload)
    except UploadRejected as exc:
        raise excel.UploadError([str(exc)]) from None
    data = upload.read()
    batch = {"name": upload.name, "table": f"assessment:{period.code}"[:40], "source": "web"}
    try:
        n = excel.import_upload(period, io.BytesIO(data), request.user, own)
    except excel.UploadError as exc:
        problems = [_problem(exc.sheet, text) for text in exc.errors]
        keep_batch(
            data, user=request.user, problems=problems, sheets=[exc.sheet] if exc.sheet else [], **batch
        )
        raise
    keep_batch(data, user=request.user, problems=[], counts={"reported_value": {"stored": n}}, **batch)
    return n


def _problem(sheet: str, text: str) -> dict[str, Any]:
    """An upload error in the import batches' problem shape (the text already names row and column)."""
    return {
        "sheet": sheet,
        "row": None,
        "column": "",
        "header": "",
        "value": "",
        "rule": text,
        "level": "error",
    }


@staff_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    ensure_can_view(request.user, evidence)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


@staff_required
def cell_detail(request: HttpRequest, code: str, inst: str, indicator: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    institution = get_object_or_404(Institution, code=inst)
    ensure_can_view(request.user, institution)
    fw = current_framework_version().framework()
    found = resolve_one(period, institution, indicator)
    context = {
        "period": period,
        "institution": institution,
        "node": fw.node(indicator),
        "value": found[0] if found else None,
        "prov": found[1] if found else None,
    }
    return render(request, "assessment/cell.html", context)
