"""The error report as a workbook: one row per problem, in the order found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from qiangji.web.cells import append


def report_headers() -> list[str]:
    return [_("级别"), _("工作表"), _("行"), _("列"), _("列名"), _("单元格的值"), _("规则")]


def write_report(problems: Iterable[dict[str, Any]], target: str | IO[bytes]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = _("导入错误")
    append(sheet, report_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    levels = {"error": _("错误"), "warning": _("提示"), "info": _("说明")}
    for p in problems:
        append(sheet, [levels.get(p["level"], p["level"]), p["sheet"], p["row"], p["column"], p["header"],
                      p["value"], p["rule"]])  # fmt: skip
    for letter, width in zip("ABCDEFG", (8, 20, 8, 6, 22, 28, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.save(target)


def format_problem(p: dict[str, Any]) -> str:
    """One line for the command line: ``错误 人员!F7 入职日期 「2024-13-01」: 不是有效的日期``."""
    where = p["sheet"] + (
        f"!{p['column']}{p['row']}" if p["column"] else (f" 行{p['row']}" if p["row"] else "")
    )
    header = f" {p['header']}" if p["header"] else ""
    value = f" 「{p['value']}」" if p["value"] else ""
    level = {"error": _("错误"), "info": _("说明")}.get(p["level"], _("提示"))
    return f"{level} {where}{header}{value}: {p['rule']}"
