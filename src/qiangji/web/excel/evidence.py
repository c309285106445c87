"""Upload checks and the import service shared by the web page and the command line.

Every attempt, successful or failed, is recorded as an :class:`ImportBatch` with the original bytes, the
person (web user or command-line system user), the time, the counts and the full error report. The record
is written after the import's own transaction has committed or rolled back, so a failed import leaves the
registry untouched and still leaves its evidence.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from qiangji.web.excel.importer import ImportResult, import_workbook
from qiangji.web.excel.models import ImportBatch

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


class UploadRejected(ValueError):
    """The file is not accepted for import at all (too large, or not really an .xlsx workbook)."""


def check_upload(data: bytes, name: str) -> None:
    """Raise :class:`UploadRejected` unless ``data`` is an .xlsx workbook within the size limit."""
    limit = settings.QIANGJI_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise UploadRejected(
            _("文件过大：%(size)s 字节，上限 %(limit)s 字节") % {"size": len(data), "limit": limit}
        )
    if not name.lower().endswith(".xlsx"):
        raise UploadRejected(_("只接受 .xlsx 文件，收到“%(name)s”") % {"name": name})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace") if names else ""
    except (zipfile.BadZipFile, KeyError):
        raise UploadRejected(_("文件不是有效的 .xlsx 工作簿（不是 Office Open XML 压缩包）")) from None
    if "xl/workbook.xml" not in names or XLSX_MAIN not in types:
        raise UploadRejected(_("文件不是有效的 .xlsx 工作簿（缺少工作簿内容类型）"))


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    result: ImportResult


def run_import(
    data: bytes, *, name: str, table: str | None, source: str, user: Any = None, actor: str = ""
) -> ImportOutcome:
    """Check, import and record ``data``; raises :class:`UploadRejected` before touching anything."""
    check_upload(data, name)
    result = import_workbook(io.BytesIO(data), table=table)
    batch = ImportBatch(
        original_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        table=table or "",
        source=source,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        actor=actor or (user.get_username() if user is not None else ""),
        status=ImportBatch.Status.SUCCEEDED if result.ok else ImportBatch.Status.FAILED,
        sheets=result.sheets,
        counts=result.counts(),
        error_count=len(result.errors),
        warning_count=len(result.warnings),
        problems=[p.as_dict() for p in result.problems],
    )
    batch.file.save(name, ContentFile(data), save=False)
    batch.save()
    return ImportOutcome(batch, result)
