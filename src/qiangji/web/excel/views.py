"""Import page, template/export downloads, error reports and the kept originals, by role (accounts policy).

Imports write rows of any institution, so they are for the city (programme admin, reviewers); exports and
kept files hold every institution's data, so they are for the roles that read everything.
"""

from __future__ import annotations

import io

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import city_required, role_required, staff_required
from qiangji.web.excel.evidence import UploadRejected, run_import
from qiangji.web.excel.models import ImportBatch
from qiangji.web.excel.report import report_headers, write_report
from qiangji.web.excel.tables import BY_NAME, TABLES
from qiangji.web.excel.writer import write_workbook
from qiangji.web.uploads import check_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "all"
read_all_required = role_required(*policy.READ_ALL_ROLES)


class ImportForm(forms.Form):
    table = forms.ChoiceField(label=_("导入表"), required=False)
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", _("全部可识别的工作表"))] + [(s.name, s.sheet) for s in TABLES]
        self.fields["table"].choices = choices


@city_required
def import_page(request: HttpRequest) -> HttpResponse:
    outcome, rejected = None, ""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_xlsx(upload)  # before reading it into memory: the size and zip checks stream from disk
            outcome = run_import(
                upload.read(), name=upload.name, table=form.cleaned_data["table"] or None,
                source="web", user=request.user,
            )  # fmt: skip
        except UploadRejected as exc:
            rejected = str(exc)
    context = {
        "form": form,
        "outcome": outcome,
        "rejected": rejected,
        "tables": TABLES,
        "headers": report_headers(),
        "batches": ImportBatch.objects.select_related("uploaded_by")[:20],
    }
    return render(request, "excel/import.html", context, status=400 if rejected else 200)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _specs(table: str) -> tuple:
    if table == ALL:
        return TABLES
    if table not in BY_NAME:
        raise Http404(table)
    return (BY_NAME[table],)


@staff_required
def template(request: HttpRequest, table: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_workbook(buffer, _specs(table), data=False)
    return _xlsx(buffer.getvalue(), f"qiangji-template-{table}.xlsx")


@read_all_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_workbook(buffer, _specs(table), data=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(buffer.getvalue(), f"qiangji-export-{table}-{stamp}.xlsx")


@read_all_required
def error_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    buffer = io.BytesIO()
    write_report(batch.problems, buffer)
    return _xlsx(buffer.getvalue(), f"qiangji-import-{pk}-errors.xlsx")


@read_all_required
def original(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_name)
