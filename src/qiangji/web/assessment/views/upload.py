"""Excel template and upload of reported values (with evidence files, and optionally submitted at once).

By role: the city (programme admin, reviewers) for every ranked institution; a county reporter only for its
own institution (the template holds only its rows, an upload with any other institution's row is refused
whole). Every upload that passes the file checks is kept as an :class:`~qiangji.web.excel.models.ImportBatch`
(original, who, every problem): the refusal's record.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import role_required
from qiangji.web.assessment import excel, lifecycle
from qiangji.web.assessment.forms import UploadForm
from qiangji.web.assessment.models import Period
from qiangji.web.excel.evidence import keep_batch
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPEN_STAGES = (Period.Stage.REPORTING, Period.Stage.REVIEW)


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


def upload_refusal(period: Period, own: Institution | None) -> str | None:
    """Why no upload is taken now (the form is not shown); rows are checked one by one on upload.

    A county: :func:`report_rows.county_refusal`. The city: while the period is open or in review."""
    if own is None:
        stage = period.stage()
        return None if stage in OPEN_STAGES else lifecycle.reporting_refusal(period, None)
    refusal = lifecycle.reporting_refusal(period, own)
    if (
        refusal
        and period.stage() == Period.Stage.REVIEW
        and period.reports.filter(institution=own, status="returned").exists()
    ):
        return None
    return refusal


@role_required(*policy.REPORT_UPLOAD_ROLES)
def excel_upload(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    own = _own_rows_only(request.user)
    refusal = upload_refusal(period, own)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            result = _import(request, period, form.cleaned_data, own)
        except excel.UploadError as exc:
            errors = [str(exc), *exc.errors]
        else:
            messages.success(request, _done(result))
            if own is not None:
                return redirect("assessment:report", code=period.code, inst=own.code)
            return redirect("assessment:overview", code=period.code)
    context = {
        "period": period,
        "form": form,
        "errors": errors,
        "own": own,
        "refusal": refusal,
        "instructions": excel.INSTRUCTIONS,
    }
    status = 400 if errors or (request.method == "POST" and (form.errors or refusal)) else 200
    return render(request, "assessment/upload.html", context, status=status)


def _done(result: excel.ImportResult) -> str:
    if result.submitted:
        text = _("已导入并提交审核 %(n)s 项填报数据，附佐证材料 %(e)s 份。")
    else:
        text = _("已导入 %(n)s 项填报数据（草稿，尚未提交审核），附佐证材料 %(e)s 份。")
    return text % {"n": result.stored, "e": result.evidence}


def _import(
    request: HttpRequest, period: Period, data: dict[str, Any], own: Institution | None
) -> excel.ImportResult:
    """Import the upload (all or nothing) and keep it as an import batch, refused or not.

    A file refused by the upload gate (size, zip bomb, macros) is not kept, as for registry imports."""
    upload = data["file"]
    try:
        check_xlsx(upload)
    except UploadRejected as exc:
        raise excel.UploadError([str(exc)]) from None
    content = upload.read()
    batch = {"name": upload.name, "table": f"assessment:{period.code}"[:40], "source": "web"}
    try:
        result = excel.import_upload(
            period, io.BytesIO(content), request.user, own, evidence=data["evidence"], submit=data["submit"]
        )
    except excel.UploadError as exc:
        problems = [_problem(exc.sheet, text) for text in exc.errors]
        keep_batch(
            content, user=request.user, problems=problems, sheets=[exc.sheet] if exc.sheet else [], **batch
        )
        raise
    counts = {"stored": result.stored, "submitted": result.submitted, "evidence": result.evidence}
    keep_batch(content, user=request.user, problems=[], counts={"reported_value": counts}, **batch)
    return result


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
