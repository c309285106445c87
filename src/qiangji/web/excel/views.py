"""Import page, template/export downloads, error reports and the kept originals, by role (accounts policy).

* Registry imports write rows of any institution and the city verifies registry records, so importing is
  for the city (programme admin, reviewers); every other role gets the page without the import form.
* Templates and exports are for every signed-in role, narrowed by :func:`policy.scope_queryset`: a county
  reporter gets only its own institution's rows and drop-down codes, plus the shared reference lists.
* Kept originals and error reports: the roles that read everything see every batch; a reporter only the
  batches it uploaded itself (its assessment reporting workbooks, see ``assessment.views.reports``).
"""

from __future__ import annotations

import io
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import audit, policy
from qiangji.web.accounts.decorators import staff_required
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.excel.evidence import UploadRejected, check_upload, run_import
from qiangji.web.excel.jobs import queue_import
from qiangji.web.excel.models import ImportBatch
from qiangji.web.excel.report import report_headers, write_report
from qiangji.web.excel.spec import TableSpec
from qiangji.web.excel.tables import BY_NAME, TABLES
from qiangji.web.excel.writer import write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "all"


class ImportForm(forms.Form):
    table = forms.ChoiceField(label=_("导入表"), required=False)
    file = forms.FileField(
        label=_("Excel 或 CSV 文件（.xlsx / .csv）"),
        help_text=_("CSV 与模板同样的表头，编码 UTF-8 或 GB18030；CSV 需选择导入表或以表名命名文件。"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", _("全部可识别的工作表"))] + [(s.name, s.sheet) for s in TABLES]
        self.fields["table"].choices = choices


def visible_tables(user: Any) -> tuple[TableSpec, ...]:
    """The tables whose rows the user may read at all (a reporter: own-institution and reference tables)."""
    return tuple(spec for spec in TABLES if policy.can_view_model(user, spec.model))


def visible_batches(user: Any) -> QuerySet[ImportBatch]:
    """Import batches whose original and error report the user may download."""
    role = policy.role_of(user)
    if role in policy.READ_ALL_ROLES:
        return ImportBatch.objects.all()
    if role == policy.REPORTER:
        return ImportBatch.objects.filter(uploaded_by_id=user.pk)
    return ImportBatch.objects.none()


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    can_import = policy.is_city(request.user)
    if request.method == "POST" and not can_import:
        raise PermissionDenied("registry imports are for the city (programme admin, reviewers)")
    outcome, rejected = None, ""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, table = form.cleaned_data["file"], form.cleaned_data["table"] or None
        try:
            check_upload(upload, upload.name)  # before reading it into memory: the checks stream from disk
            if upload.size > settings.QIANGJI_IMPORT_INLINE_MAX_BYTES:  # L10: no proxy timeout cuts it
                job = queue_import(upload.read(), name=upload.name, table=table, user=request.user)
                return redirect(reverse("jobs:detail", args=[job.pk]))
            outcome = run_import(
                upload.read(), name=upload.name, table=table, source="web", user=request.user
            )
        except UploadRejected as exc:
            rejected = str(exc)
    context = {
        "form": form if can_import else None,
        "outcome": outcome,
        "rejected": rejected,
        "tables": visible_tables(request.user),
        "own": policy.institution_of(request.user)
        if policy.role_of(request.user) == policy.REPORTER
        else None,
        "headers": report_headers(),
        "batches": visible_batches(request.user).select_related("uploaded_by")[:20],
    }
    return render(request, "excel/import.html", context, status=400 if rejected else 200)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _specs(user: Any, table: str) -> tuple[TableSpec, ...]:
    """The tables asked for that the user may read; a table it may not read is not found (404)."""
    tables = visible_tables(user)
    if table == ALL:
        return tables
    if table not in BY_NAME or BY_NAME[table] not in tables:
        raise Http404(table)
    return (BY_NAME[table],)


def _workbook(request: HttpRequest, table: str, *, data: bool) -> bytes:
    buffer = io.BytesIO()
    scope = partial(policy.scope_queryset, request.user)
    write_workbook(buffer, _specs(request.user, table), data=data, scope=scope)
    return buffer.getvalue()


@staff_required
def template(request: HttpRequest, table: str) -> HttpResponse:
    return _xlsx(_workbook(request, table, data=False), f"qiangji-template-{table}.xlsx")


@staff_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    """The stored rows the user may read; every export enters the audit trail (who took which data)."""
    body = _workbook(request, table, data=True)
    own = policy.institution_of(request.user) if policy.role_of(request.user) == policy.REPORTER else None
    audit.record(
        AuditEvent.Action.EXPORT, app_label="excel", model=table[:100],
        after={"table": table, "institution": own.code if own else None, "bytes": len(body)},
    )  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(body, f"qiangji-export-{table}-{stamp}.xlsx")


@staff_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """One import's report (where a background import ends): its counts and its problems as kept."""
    found = get_object_or_404(visible_batches(request.user).select_related("uploaded_by"), pk=pk)
    return render(request, "excel/batch.html", {"batch": found, "headers": report_headers()})


@staff_required
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    buffer = io.BytesIO()
    write_report(batch.problems, buffer)
    return _xlsx(buffer.getvalue(), f"qiangji-import-{pk}-errors.xlsx")


@staff_required
def original(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_name)
