"""The Excel ranking: multi-level merged headers, every dimension score, raw values, framework version.

Sheets: 排行榜 (rank, change — not on the first published period —, institution, total, the six dimension
scores, RM coverage, rank interval, tier), 原始数据 (every indicator's raw value under a two-level header:
dimension → indicator, with units), 指标贡献 (points per indicator) and 说明 (period, framework version, run,
hashes, rules). Every number cell carries a number format (:mod:`qiangji.web.formatting`): scores 0.00,
counts #,##0, percentages 0.0%.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qiangji.web.cells import put
from qiangji.web.formatting import COUNT_UNITS, cn_date
from qiangji.web.publication.exports.wording import previous_note
from qiangji.web.publication.pages import tier_name

HEAD_FILL = PatternFill("solid", fgColor="F3E8E8")
LOW_FILL = PatternFill("solid", fgColor="FEE2E2")
THIN = Side(style="thin", color="BBBBBB")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header(ws: Worksheet, row: int, groups: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Two header rows from ``(group, subheaders)``; a group without subheaders spans both rows."""
    col = 1
    for title, subs in groups:
        span = max(len(subs), 1)
        put(ws, row, col, title)
        if subs:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
            for k, sub in enumerate(subs):
                put(ws, row + 1, col + k, sub)
        else:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += span
    for r in (row, row + 1):
        for c in range(1, col):
            cell = ws.cell(r, c)
            cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTRE, BORDER


def _title(ws: Worksheet, text: str, width: int) -> None:
    put(ws, 1, 1, text).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = CENTRE


def _ranking_groups(c: Mapping[str, Any]) -> list[tuple[str, Sequence[str]]]:
    dims = c["dimensions"]
    groups: list[tuple[str, Sequence[str]]] = [("排名", [])]
    groups += [(_change_heading(c), [])] if c["previous"] else []
    groups += [("机构代码", []), ("机构名称", [])]
    groups += [("总分", []), ("维度得分", [f"{d['code']} {d['name']}（{d['weight']:g}）" for d in dims])]
    groups += [(f"注册计量师持证比例（目标 {c['rm_target_pct']}%）", [])]
    groups += [("排名区间", ["5%", "中位数", "95%"]), ("方阵", [])]
    return groups


def _ranking_cells(c: Mapping[str, Any], r: Mapping[str, Any]) -> list[tuple[Any, str | None]]:
    """One row's (value, number kind) pairs, in the order of :func:`_ranking_groups`."""
    cells: list[tuple[Any, str | None]] = [(r["rank"], "count")]
    cells += [_change_cell(c, r)] if c["previous"] else []
    cells += [(r["unit"], None), (r["name"], None), (r["score"], "score")]
    cells += [(r["dimensions"][d["code"]], "score") for d in c["dimensions"]]
    cells += [(r["rm_coverage"], "percent")]
    cells += [(r["rank_p05"], "score1"), (r["rank_median"], "score1"), (r["rank_p95"], "score1")]
    gate = "".join(
        f"（{g['code']} {g.get('cap') or '合规否决'}）" for g in (r.get("gate") or {}).get("rules", [])
    )
    return [*cells, (tier_name(r["tier"]) + gate, None)]


def _comparable(c: Mapping[str, Any]) -> bool:
    return bool(c["previous"]) and c["previous"].get("comparable") is not False


def _change_heading(c: Mapping[str, Any]) -> str:
    return (
        "较上期" if _comparable(c) else f"上期名次（{c['previous']['framework_version']} 版，不作升降比较）"
    )


def _change_cell(c: Mapping[str, Any], r: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The rank change, or the previous rank itself when the previous publication used another version."""
    return (r["change"], "count") if _comparable(c) else (r.get("previous_rank"), "count")


def _ranking_sheet(ws: Worksheet, c: Mapping[str, Any]) -> None:
    dims = c["dimensions"]
    lead = 4 if c["previous"] else 3  # the columns before the total score
    width = lead + 1 + len(dims) + 5
    _title(ws, c["title"], width)
    _header(ws, 2, _ranking_groups(c))
    for i, r in enumerate(c["rows"], start=4):
        for j, (v, kind) in enumerate(_ranking_cells(c, r), start=1):
            put(ws, i, j, v, kind).border = BORDER
        if r["rm_target_met"] is False:
            ws.cell(i, lead + 2 + len(dims)).fill = LOW_FILL
    ws.freeze_panes = ws.cell(4, lead + 1).coordinate
    _widths(ws, [6, 8, 10, 30][4 - lead :] + [12] * (width - lead))


def _raw_sheet(ws: Worksheet, c: Mapping[str, Any], key: str, title: str) -> None:
    dims = {d["code"]: d for d in c["dimensions"]}
    groups: list[tuple[str, Sequence[str]]] = [("机构代码", []), ("机构名称", [])]
    for code, d in dims.items():
        subs = [f"{i['code']} {i['name']}（{i['unit']}）" for i in c["indicators"] if i["dimension"] == code]
        groups.append((f"{code} {d['name']}", subs))
    order = [i["code"] for code in dims for i in c["indicators"] if i["dimension"] == code]
    units = {i["code"]: i["unit"] for i in c["indicators"]}
    _title(ws, title, 2 + len(order))
    _header(ws, 2, groups)
    for r, row in enumerate(c["rows"], start=4):
        put(ws, r, 1, row["unit"]), put(ws, r, 2, row["name"])
        for j, code in enumerate(order, start=3):
            kind = "score" if key == "contributions" else _raw_kind(units[code])
            put(ws, r, j, c[key][row["unit"]][code], kind).border = BORDER
    ws.freeze_panes = "C4"
    _widths(ws, [10, 30] + [14] * len(order))


def _raw_kind(unit: str) -> str:
    """Counts in whole numbers, percentages with one decimal, anything else up to two decimals."""
    return "count" if unit in COUNT_UNITS else "percent" if unit == "%" else "quantity"


def _about_sheet(ws: Worksheet, c: Mapping[str, Any], content_sha256: str) -> None:
    rows = [
        ("发布单位", c["issuing_unit"]),
        ("考核期次", f"{c['period']['label']}（{c['period']['code']}）"),
        ("统计基准日", cn_date(c["period"]["as_of"])),
        ("状态", "正式发布" if c["status"] == "final" else "公示中"),
        ("正式发布日期", cn_date(c["final_on"])),
        ("指标框架", f"{c['framework']['code']} {c['framework']['name']}"),
        ("框架版本", c["framework"]["version"]),
        ("框架 SHA-256", c["framework"]["sha256"]),
        ("计算记录", f"#{c['run']['id']}"),
        ("程序版本", c["run"]["code_version"]),
        ("随机种子 / 模拟次数", f"{c['run']['seed']} / {c['run']['runs']}"),
        ("输入快照 SHA-256", c["run"]["inputs_sha256"]),
        ("发布内容 SHA-256", content_sha256),
        ("方阵划分规则", c["tier_rule"]),
        *_previous_rows(c),
        *_gate_rows(c),
        ("同分处理", "依次比较 D6、D3、D2 维度得分，再按机构代码"),
    ]
    for i, (k, v) in enumerate(rows, start=1):
        put(ws, i, 1, k).font = Font(bold=True)
        put(ws, i, 2, v)
    _widths(ws, [22, 90])


def _previous_rows(c: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not c["previous"] or _comparable(c):
        return []
    return [("与上期比较", previous_note(c))]


def _gate_rows(c: Mapping[str, Any]) -> list[tuple[str, str]]:
    """One row per institution the compliance gate caught, with the rules' reasons."""
    return [
        (
            f"合规否决：{r['name']}",
            "；".join(f"{g['code']} {g['reason']}" for g in r["gate"]["rules"])
            + f"（按指标计算的总分 {r['gate']['ungated']:.2f} 分）",
        )
        for r in c["rows"]
        if r.get("gate")
    ]


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def ranking_workbook(content: Mapping[str, Any], content_sha256: str = "") -> bytes:
    """The .xlsx bytes of a publication's content (module docstring)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排行榜"
    _ranking_sheet(ws, content)
    _raw_sheet(wb.create_sheet("原始数据"), content, "raw", f"{content['period']['label']} 指标原始数据")
    _raw_sheet(
        wb.create_sheet("指标贡献"), content, "contributions", f"{content['period']['label']} 指标贡献分"
    )
    _about_sheet(wb.create_sheet("说明"), content, content_sha256)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
