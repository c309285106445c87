"""Excel template and upload of reported values: one sheet, one row per institution and indicator.

The template lists every ranked institution × reportable indicator of the framework in use, with the
stored values. An upload is all-or-nothing: every problem is reported with its row (as Excel numbers
it) and column, and nothing is stored unless the whole sheet is clean. Cells are read leniently where it
is safe (spaces, full-width digits, thousands separators); "%" typed into a cell is refused, because
percentages are computed from numerator and denominator.
"""

from __future__ import annotations

import io
import math
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.lifecycle import reporting_refusal
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import (
    Entry,
    entry_errors,
    framework_version_of,
    period_framework,
    reportable_nodes,
    save_entry,
)
from qiangji.web.excel import unreadable
from qiangji.web.excel.cells import missing_word
from qiangji.web.excel.reader import source_bytes
from qiangji.web.excel.safe import append
from qiangji.web.excel.unreadable import Unreadable
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_xlsx

HEADERS = ("机构代码", "机构名称", "指标代码", "指标名称", "单位", "数值", "分子", "分母", "说明")
SHEET = "填报"
MAX_ERRORS_SHOWN = 100  # a sheet of garbage must not become a page of 100,000 lines


class UploadError(ValueError):
    """An upload with problems; ``errors`` lists them all (row and column named; the sheet in the message)."""

    def __init__(self, errors: list[str], sheet: str = "") -> None:
        if sheet:
            text = _("工作表“%(s)s”有 %(n)s 处错误，未导入任何数据。") % {"s": sheet, "n": len(errors)}
        else:
            text = _("上传文件有 %(n)s 处错误，未导入任何数据。") % {"n": len(errors)}
        super().__init__(text)
        self.sheet = sheet
        self.errors = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            self.errors.append(_("……另有 %(n)s 处错误未列出") % {"n": len(errors) - MAX_ERRORS_SHOWN})


def template(period: Period, only: Institution | None = None) -> bytes:
    """The template for ``period`` with the stored values filled in (``only`` that institution's rows)."""
    fw = framework_version_of(period).framework()
    institutions = [i for i in ranked_institutions(period) if only is None or i.pk == only.pk]
    reports = ReportedValue.objects.filter(period=period, institution__in=institutions)
    stored = {(r.institution_id, r.indicator): r for r in reports}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append(ws, HEADERS)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="FDE7E7")
    for inst in institutions:
        for node in reportable_nodes(fw):
            r = stored.get((inst.pk, node.code))
            value = None if r is None or r.is_ratio else r.value
            append(ws, [inst.code, inst.name_on(period.as_of), node.code, node.label("zh"), node.unit or "",
                       value, r and r.numerator, r and r.denominator, r.note if r else ""])  # fmt: skip
    codes = DataValidation(type="list", formula1='"' + ",".join(n.code for n in reportable_nodes(fw)) + '"')
    ws.add_data_validation(codes)
    codes.add(f"C2:C{max(ws.max_row, 2)}")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHI", (12, 30, 10, 32, 8, 12, 12, 12, 30), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _number(cell: Any) -> Decimal | None:
    """A numeric cell, or ``None`` when blank; raises ``ValueError`` with the rule broken."""
    if isinstance(cell, Unreadable):  # an error value or a formula without a result, not a blank
        raise ValueError(cell.rule)
    text = _text(cell).replace(",", "")
    if not text:
        return None
    placeholder = missing_word(text)
    if placeholder is not None:  # "N/A", "null", "NaN": no data is an empty cell
        raise ValueError(placeholder.rule)
    if text.endswith("%"):
        raise ValueError(_("不要输入“%”，百分比请填写分子和分母"))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("必须是数字，实际为“%(text)s”") % {"text": text}) from None
    if not number.is_finite():
        raise ValueError(_("必须是数字，实际为“%(text)s”") % {"text": text})
    return number


def read_upload(source: IO[bytes]) -> tuple[str, pd.DataFrame]:
    """The first sheet's name and its rows below the header."""
    try:
        with pd.ExcelFile(source, engine="calamine") as book:
            sheet = str(book.sheet_names[0])
            frame = pd.read_excel(book, sheet_name=0, header=None, dtype=object, keep_default_na=False)
        frame = unreadable.mark(source_bytes(source), {sheet: frame})[sheet]
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UploadError([_("无法读取Excel文件：%(e)s") % {"e": exc}]) from exc
    if frame.empty or [_text(c) for c in frame.iloc[0, : len(HEADERS)]] != list(HEADERS):
        raise UploadError([_("第1行必须是表头：%(h)s") % {"h": "、".join(HEADERS)}], sheet)
    return sheet, frame.iloc[1:, : len(HEADERS)]


def parse_rows(
    period: Period, frame: pd.DataFrame, only: Institution | None = None
) -> tuple[list[tuple[Institution, str, Entry]], list[str]]:
    """Validated rows and the list of errors (each naming row and column); bounds are the period's.

    With ``only`` (a county reporter's institution) a row of any other institution is an error, whatever
    the code names: the message does not tell whether another code exists.
    """
    fw = period_framework(period)
    nodes = {n.code: n for n in reportable_nodes(fw)}
    institutions = {i.code: i for i in ranked_institutions(period)}
    rows, errors, seen = [], [], set()
    for offset, raw in enumerate(frame.itertuples(index=False)):
        line, cells = offset + 2, list(raw)
        if all(_text(c) == "" for c in cells):
            continue
        where = _("第%(row)s行") % {"row": line}
        code, indicator = _text(cells[0]), _text(cells[2])
        if only is not None and code != only.code:
            errors.append(f"{where}，{HEADERS[0]}：" + _("只能填报本机构（%(c)s）的数据") % {"c": only.code})
            continue
        if code not in institutions:
            errors.append(f"{where}，{HEADERS[0]}：" + _("“%(c)s”不是本期参与排名的机构") % {"c": code})
            continue
        if indicator not in nodes:
            errors.append(f"{where}，{HEADERS[2]}：" + _("“%(c)s”不是需要填报的指标") % {"c": indicator})
            continue
        if (code, indicator) in seen:
            errors.append(f"{where}：" + _("机构与指标重复"))
            continue
        seen.add((code, indicator))
        entry, problems = _entry(cells, where)
        if entry is not None and all(
            entry.__dict__[k] is None for k in ("value", "numerator", "denominator")
        ):
            continue  # an untouched template row
        if entry is not None:
            labels = {"value": HEADERS[5], "numerator": HEADERS[6], "denominator": HEADERS[7]}
            problems += [
                f"{where}，{labels[f]}：{m}" for f, m in entry_errors(nodes[indicator], entry).items()
            ]
        errors += problems
        if not problems and entry is not None:
            rows.append((institutions[code], indicator, entry))
    return rows, errors


def _entry(cells: list[Any], where: str) -> tuple[Entry | None, list[str]]:
    parsed: list[Decimal | None] = []
    errors = []
    for idx in (5, 6, 7):
        try:
            parsed.append(_number(cells[idx]))
        except ValueError as exc:
            errors.append(f"{where}，{HEADERS[idx]}：{exc}")
    if isinstance(cells[8], Unreadable):
        errors.append(f"{where}，{HEADERS[8]}：{cells[8].rule}")
    if errors:
        return None, errors
    return Entry(parsed[0], parsed[1], parsed[2], _text(cells[8])), []


def import_upload(period: Period, source: IO[bytes], user: Any, only: Institution | None = None) -> int:
    """Store every row of an upload as draft values (all or nothing); returns the number stored.

    ``only``: the rows must all be that institution's (a county reporter's upload), else nothing is stored.
    A period outside its reporting window refuses the whole file with the reason; in review, rows of an
    institution without an extension are refused unless their value was returned.
    """
    closed = _closed(period)
    if closed:
        raise UploadError([closed])
    try:
        check_xlsx(source)
    except UploadRejected as exc:
        raise UploadError([str(exc)]) from None
    sheet, frame = read_upload(source)
    rows, errors = parse_rows(period, frame, only)
    stored = {(r.institution_id, r.indicator): r for r in ReportedValue.objects.filter(period=period)}
    errors += _refusals(period, rows, stored)
    errors += [
        _("机构 %(inst)s 指标 %(ind)s 已“%(status)s”，不能通过上传修改")
        % {"inst": inst.code, "ind": ind, "status": report.get_status_display()}
        for inst, ind, _e in rows
        if (report := stored.get((inst.pk, ind))) is not None and not report.is_editable
    ]
    if errors:
        raise UploadError(errors, sheet)
    with transaction.atomic():
        for inst, ind, entry in rows:
            save_entry(period, inst, ind, entry, user)
    return len(rows)


def _closed(period: Period) -> str | None:
    """Why no institution may upload to ``period`` now (not open, locked, published), else ``None``."""
    if period.stage() in (Period.Stage.REPORTING, Period.Stage.REVIEW):
        return None
    return reporting_refusal(period, None)


def _refusals(
    period: Period, rows: list[tuple[Institution, str, Entry]], stored: dict[tuple[int, str], ReportedValue]
) -> list[str]:
    """One line per institution and reason the period's window refuses (its indicators named)."""
    refused: dict[tuple[str, str], list[str]] = {}
    for inst, ind, _entry in rows:
        reason = reporting_refusal(period, inst, report=stored.get((inst.pk, ind)))
        if reason:
            refused.setdefault((inst.code, reason), []).append(ind)
    return [
        _("机构 %(inst)s（%(inds)s）：%(reason)s") % {"inst": code, "inds": "、".join(inds), "reason": reason}
        for (code, reason), inds in refused.items()
    ]
