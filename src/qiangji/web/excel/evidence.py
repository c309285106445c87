"""Upload checks and the import service shared by the web page and the command line.

Every attempt, successful or failed, is recorded as an :class:`ImportBatch` with the original bytes, the
person (web user or command-line system user), the time, the counts and the full error report. The record
is written after the import's own transaction has committed or rolled back, so a failed import leaves the
registry untouched and still leaves its evidence.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile

from qiangji.web.excel.importer import ImportResult, import_workbook
from qiangji.web.excel.models import ImportBatch
from qiangji.web.uploads import UploadRejected, check_xlsx, safe_name

__all__ = ["ImportOutcome", "UploadRejected", "check_upload", "keep_batch", "run_import"]


def check_upload(data: bytes, name: str) -> None:
    """Raise :class:`UploadRejected` unless ``data`` is a plain .xlsx workbook within every upload limit
    (the shared gate of every upload, :func:`qiangji.web.uploads.check_xlsx`)."""
    check_xlsx(data, name)


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
    batch = keep_batch(
        data, name=name, table=table or "", source=source, user=user, actor=actor, sheets=result.sheets,
        counts=result.counts(), problems=[p.as_dict() for p in result.problems],
    )  # fmt: skip
    return ImportOutcome(batch, result)


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
) -> ImportBatch:
    """Record one upload attempt (any importer's): the original bytes, who, the counts and every problem
    (dicts with the keys of :meth:`Problem.as_dict`); it failed if any problem is an error."""
    errors = sum(1 for p in problems if p.get("level", "error") == "error")
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
        warning_count=len(problems) - errors,
        problems=problems,
    )
    batch.file.save(safe_name(name), ContentFile(data), save=False)
    batch.save()
    return batch
