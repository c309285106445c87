"""CSV and Excel files of audit events (cells that a spreadsheet would run as formulas are defused)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from qiangji.web.accounts.models import AuditEvent

COLUMNS = [
    "id", "at", "action", "actor", "actor_id", "source", "ip", "request_id",
    "app_label", "model", "object_id", "object_repr", "changed", "before", "after",
]  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that starts like a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows(events: Iterable[AuditEvent]) -> Iterable[list[Any]]:
    for e in events:
        values = [getattr(e, c) for c in COLUMNS]
        values[1] = e.at.isoformat()
        yield [safe_cell(v) for v in values]


def to_csv(events: Iterable[AuditEvent]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows(events))
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 Chinese text correctly


def to_xlsx(events: Iterable[AuditEvent]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("audit")
    ws.append(COLUMNS)
    for row in rows(events):
        ws.append([str(v) if not isinstance(v, int) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
