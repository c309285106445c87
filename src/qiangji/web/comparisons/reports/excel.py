"""Excel exports (openpyxl): the confidential submissions list and the round's report workbook."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from qiangji.web.cells import append
from qiangji.web.comparisons.labels import method_zh
from qiangji.web.comparisons.models import ComparisonRound, Submission
from qiangji.web.comparisons.reports.common import (
    HIDDEN,
    RESULT_HEADERS,
    RESULT_KINDS,
    RULES,
    algorithm_a_rows,
    all_names,
    conclusions,
    evaluations,
    result_rows,
    sigma_pt,
    trail_lines,
)
from qiangji.web.formatting import cn_date


def _sheet(
    ws: Worksheet, headers: list[str], rows: Iterable[list[object]], kinds: list[str | None] | None = None
) -> None:
    append(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append(ws, row, kinds or ["plain"] * len(headers))
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


def _info(ws: Worksheet, rnd: ComparisonRound, names: Mapping[str, str]) -> None:
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
        ("参考值方法", method_zh(rnd.reference_method)),
        ("报告日期", cn_date(rnd.reported_on)),
    ]:
        append(ws, [label, value])
    append(ws, [])
    append(ws, ["实验室", "机构", "计划接收", "计划送出", "参与参考值"])
    for p in rnd.participants.select_related("institution"):
        name = names.get(p.lab_code, HIDDEN)
        append(ws, [p.lab_code, name, p.planned_from, p.planned_to, "是" if p.included else "否"])


def _reference_rows(rnd: ComparisonRound) -> list[list[object]]:
    rows: list[list[object]] = []
    for ev in evaluations(rnd):
        value, source = sigma_pt(ev)
        rows.append([ev.point.label, method_zh(ev.method), ev.value, ev.u, ev.U, value, source])
    return rows


def _conclusions(ws: Worksheet, rnd: ComparisonRound, names: Mapping[str, str]) -> None:
    rows = [
        [lab["code"], lab["name"] or HIDDEN, p["point"], p["scores"], p["verdict"], lab["overall"]]
        for lab in conclusions(rnd, names)
        for p in lab["points"]
    ]
    _sheet(ws, ["实验室", "机构", "测量点", "评价值", "该点结论", "总体结论"], rows, [None] * 6)
    append(ws, [])
    append(ws, ["判定规则", "；".join(RULES)])


def report_workbook(rnd: ComparisonRound, names: Mapping[str, str] | None = None) -> bytes:
    """Sheets: 比对信息, 参考值, 结果 (per-lab table with verdicts), 结论, 计算过程 (the trail per point).

    ``names``: the lab code → institution mapping the reader may see (default: all, for the pilot)."""
    names = all_names(rnd) if names is None else names
    wb = Workbook()
    info = wb.active
    info.title = "比对信息"
    _info(info, rnd, names)
    evs = evaluations(rnd)
    heads = ["测量点", "参考值方法", "X_ref", "u", "U(k=2)", "σ_pt", "σ_pt 来源"]
    _sheet(wb.create_sheet("参考值"), heads, _reference_rows(rnd))
    _sheet(wb.create_sheet("结果"), RESULT_HEADERS, result_rows(rnd, names), RESULT_KINDS)
    _conclusions(wb.create_sheet("结论"), rnd, names)
    trail = wb.create_sheet("计算过程")
    for ev in evs:
        append(trail, [f"测量点 {ev.point.label}"])
        for label, value in trail_lines(ev):
            shown = value if isinstance(value, int | float | str | None) else str(value)
            append(trail, [label, shown], [None, "plain"])
        a_rows = algorithm_a_rows(ev)
        if a_rows:
            append(trail, ["算法A 迭代", "x*", "s*", "δ", "低于 x*−δ", "高于 x*+δ"])
            for row in a_rows:
                append(trail, row, ["count", "plain", "plain", "plain", "count", "count"])
        append(trail, [])
    return _save(wb)
