"""Upload checks and the import service shared by the web page and the command line.

Every attempt, successful or failed, is recorded as an :class:`ImportBatch` with the original bytes, the
person (web user or command-line system user), the time, the counts and the full error report. The record
is written after the import's own transaction has committed or rolled back, so a failed import leaves the
registry untouched and still leaves its evidence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from qiangji.web.excel.importer import ImportResult, Progress, _no_progress, import_workbook
from qiangji.web.excel.models import ImportBatch
from qiangji.web.uploads import CHUNK, UploadRejected, XlsxLimits, check_name, check_xlsx, safe_name

__all__ = ["ImportOutcome", "UploadRejected", "check_upload", "keep_batch", "run_import"]


def import_limits() -> XlsxLimits:
    """The xlsx limits of a registry import: the shared ones, with the import's byte and size limits."""
    extra = settings.QIANGJI_IMPORT_LIMITS
    return dataclasses.replace(
        XlsxLimits.from_settings(),
        max_bytes=int(settings.QIANGJI_IMPORT_MAX_BYTES),
        max_rows=int(extra["XLSX_MAX_ROWS"]),
        max_member_bytes=int(extra["XLSX_MAX_MEMBER_BYTES"]),
        max_uncompressed_bytes=int(extra["XLSX_MAX_UNCOMPRESSED_BYTES"]),
    )


def check_upload(data: Any, name: str) -> None:
    """Raise :class:`UploadRejected` unless ``data`` (bytes or a binary file) is a plain .xlsx workbook
    (the shared gate, :func:`qiangji.web.uploads.check_xlsx`, with the import's limits) or a CSV file of
    text within the import's byte and line limits."""
    if check_name(name, (".xlsx", ".csv")) == ".xlsx":
        check_xlsx(data, name, import_limits())
        return
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    limit = int(settings.QIANGJI_IMPORT_MAX_BYTES)
    if size == 0:
        raise UploadRejected(_("文件为空"), "empty")
    if size > limit:
        raise UploadRejected(
            _("文件过大：%(size)s 字节，上限 %(limit)s 字节") % {"size": size, "limit": limit}, "too-large"
        )
    _check_csv_lines(stream, int(settings.QIANGJI_IMPORT_LIMITS["CSV_MAX_ROWS"]))


def _check_csv_lines(stream: Any, limit: int) -> None:
    """Lines counted as they stream past; a NUL byte means a binary file named .csv (no text encoding the
    import reads has one)."""
    lines = 0
    try:
        while chunk := stream.read(CHUNK):
            if b"\0" in chunk:
                raise UploadRejected(_("文件不是 CSV 文本（含有 NUL 字节）"), "not-csv-text")
            lines += chunk.count(b"\n")
            if lines > limit:
                raise UploadRejected(
                    _("CSV 文件超过 %(limit)s 行的上限，请分批上传") % {"limit": limit}, "too-many-rows"
                )
    finally:
        stream.seek(0)


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    result: ImportResult


def run_import(
    data: bytes,
    *,
    name: str,
    table: str | None,
    source: str,
    user: Any = None,
    actor: str = "",
    progress: Progress = _no_progress,
) -> ImportOutcome:
    """Check, import and record ``data``; raises :class:`UploadRejected` before touching anything."""
    check_upload(data, name)
    result = import_workbook(io.BytesIO(data), table=table, name=name, progress=progress)
    batch = keep_batch(
        data, name=name, table=table or "", source=source, user=user, actor=actor, sheets=result.sheets,
        counts=result.counts(), problems=result.reported(),
        totals=(len(result.errors), len(result.warnings)),
    )  # fmt: skip
    return ImportOutcome(batch, result)


def _storable(value: Any) -> Any:
    """``value`` with every NUL character of its texts written ``\\x00``: a problem quotes the refused
    value, and PostgreSQL stores no NUL in text or JSON (the evidence of an attempt must be kept whatever
    its content)."""
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def keep_batch(
    data: bytes,
    *,
    name: str,
    table: str,
    source: str,
    user: Any,
    problems: list[dict[str, Any]],
    actor: str = "",
    sheets: list[str] | None = None,
    counts: dict[str, dict[str, int]] | None = None,
    totals: tuple[int, int] | None = None,
) -> ImportBatch:
    """Record one upload attempt (any importer's): the original bytes, who, the counts and every problem
    (dicts with the keys of :meth:`Problem.as_dict`); it failed if any problem is an error. ``totals``
    (errors, warnings) when ``problems`` lists only the first ones of a long report."""
    errors = sum(1 for p in problems if p.get("level", "error") == "error")
    warnings = sum(1 for p in problems if p.get("level") == "warning")
    if totals is not None:
        errors, warnings = totals
    batch = ImportBatch(
        original_name=safe_name(name, 255),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        table=table,
        source=source,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        actor=actor or (user.get_username() if user is not None else ""),
        status=ImportBatch.Status.FAILED if errors else ImportBatch.Status.SUCCEEDED,
        sheets=sheets or [],
        counts=counts or {},
        error_count=errors,
        warning_count=warnings,
        problems=_storable(problems),
    )
    batch.file.save(safe_name(name), ContentFile(data), save=False)
    batch.save()
    return batch
