"""Excel exports (openpyxl): the confidential submissions list and the round's report workbook."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from qiangji.web.comparisons.models import ComparisonRound, Submission
from qiangji.web.comparisons.reports.common import (
    RESULT_HEADERS,
    algorithm_a_rows,
    evaluations,
    result_rows,
    trail_lines,
)
from qiangji.web.excel.safe import append


def _sheet(ws: Worksheet, headers: list[str], rows: Iterable[list[object]]) -> None:
    append(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append(ws, row)
    ws.freeze_panes = "A2"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def submissions_workbook(rnd: ComparisonRound, subs: Iterable[Submission]) -> bytes:
    """The submissions the requesting user may see (the caller passes the filtered queryset)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "结果"
    rows = [
        [
            s.point.label,
            s.participant.lab_code,
            s.x,
            s.U,
            s.k,
            s.measured_on,
            s.updated_at.replace(tzinfo=None),
        ]
        for s in subs
    ]
    _sheet(ws, ["测量点", "实验室", "x", "U", "k", "测量日期", "提交时间"], rows)
    return _save(wb)


def _info(ws: Worksheet, rnd: ComparisonRound) -> None:
    append(ws, ["出具单位", settings.QIANGJI["ISSUING_UNIT"]])
    for label, value in [
        ("编号", rnd.code),
        ("名称", rnd.name),
        ("被测量", f"{rnd.quantity} / {rnd.unit}"),
        ("主导实验室", rnd.pilot.name),
        ("传递标准", rnd.transfer_standard),
        ("方案", rnd.protocol_ref),
        ("截止时间", rnd.deadline.replace(tzinfo=None)),
        ("状态", rnd.get_status_display()),
        ("参考值方法", rnd.get_reference_method_display()),
        ("报告日期", rnd.reported_on),
    ]:
        append(ws, [label, value])
    append(ws, [])
    append(ws, ["实验室", "机构", "计划接收", "计划送出", "参与参考值"])
    for p in rnd.participants.select_related("institution"):
        append(
            ws, [p.lab_code, p.institution.name, p.planned_from, p.planned_to, "是" if p.included else "否"]
        )


def report_workbook(rnd: ComparisonRound) -> bytes:
    """Sheets: 比对信息, 参考值, 结果 (per-lab table with verdicts), 计算过程 (the trail per point)."""
    wb = Workbook()
    info = wb.active
    info.title = "比对信息"
    _info(info, rnd)
    evs = evaluations(rnd)
    ref_rows = [[ev.point.label, ev.method, ev.value, ev.u, ev.U, ev.doe_form] for ev in evs]
    _sheet(wb.create_sheet("参考值"), ["测量点", "方法", "X_ref", "u", "U(k=2)", "DoE 形式"], ref_rows)
    _sheet(wb.create_sheet("结果"), RESULT_HEADERS, result_rows(rnd))
    trail = wb.create_sheet("计算过程")
    for ev in evs:
        append(trail, [f"测量点 {ev.point.label}"])
        for label, value in trail_lines(ev):
            append(trail, [label, value if isinstance(value, int | float | str | None) else str(value)])
        a_rows = algorithm_a_rows(ev)
        if a_rows:
            append(trail, ["算法A 迭代", "x*", "s*", "δ", "低于 x*−δ", "高于 x*+δ"])
            for row in a_rows:
                append(trail, row)
        append(trail, [])
    return _save(wb)
