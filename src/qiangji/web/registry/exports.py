"""Excel workbooks of an institution's registry lists: the rows shown on the page, with the filters used.

Every cell goes through :mod:`qiangji.web.cells` (text stays text, a formula-like name is never run);
dates are date cells shown as yyyy-mm-dd, yes/no as 是/否.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from qiangji.web.cells import put
from qiangji.web.registry.models import Institution
from qiangji.web.registry.sections import ListFilter, Row, Section

DATE_FORMAT = "yyyy-mm-dd"


def cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    if isinstance(value, dt.date | int | float):
        return value
    return str(value)


def workbook(section: Section, inst: Institution, f: ListFilter, rows: list[Row], user: Any) -> bytes:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = str(section.title)[:31]
    for col, header in enumerate(section.headers, start=1):
        put(sheet, 1, col, str(header)).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].width = max(12, len(str(header)) * 2 + 2)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row.values, start=1):
            cell = put(sheet, r, col, cell_value(value))
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    _about(wb.create_sheet(_("说明")), section, inst, f, len(rows), user)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _about(sheet: Any, section: Section, inst: Institution, f: ListFilter, count: int, user: Any) -> None:
    lines = [
        (_("机构"), f"{inst.name}（{inst.code}）"),
        (_("清单"), str(section.title)),
        (_("截至日期"), f.value("on")),
        (_("预警天数"), f.value("days")),
        (_("行数"), count),
        (_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("导出人"), user.get_username()),
    ]
    for name in f.fields:
        if name not in ("on", "days") and f.value(name):
            lines.append((str(f.fields[name].label), str(f.value(name))))
    for r, (label, value) in enumerate(lines, start=1):
        put(sheet, r, 1, str(label)).font = Font(bold=True)
        cell = put(sheet, r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 48
