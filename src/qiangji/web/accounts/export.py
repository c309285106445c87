"""CSV and Excel files of audit events (cells that a spreadsheet would run as formulas are defused)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.cells import FORMULA_START, append

COLUMNS = [
    "id", "at", "action", "actor", "actor_id", "source", "ip", "request_id",
    "app_label", "model", "object_id", "object_repr", "changed", "before", "after",
]  # fmt: skip


def plain_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value


def safe_cell(value: Any) -> Any:
    """CSV: text that starts like a formula gets a leading apostrophe (OWASP CSV injection); a CSV cell
    has no type, so this is the only defence there. The workbook stores such text as a text cell instead
    (:mod:`qiangji.web.cells`), unchanged."""
    value = plain_cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _values(e: AuditEvent) -> list[Any]:
    values = [getattr(e, c) for c in COLUMNS]
    values[1] = e.at.isoformat()
    return values


def rows(events: Iterable[AuditEvent]) -> Iterable[list[Any]]:
    for e in events:
        yield [safe_cell(v) for v in _values(e)]


def to_csv(events: Iterable[AuditEvent]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows(events))
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 Chinese text correctly


def to_xlsx(events: Iterable[AuditEvent]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("audit")
    append(ws, COLUMNS)
    for e in events:
        append(ws, [v if isinstance(v, int) else str(v) for v in map(plain_cell, _values(e))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
