"""Rows shared by the Excel and PDF reports, so both show the same numbers and words.

A report read by a participant names only its own institution: every other laboratory appears by its code
(``names`` is the lab code → institution name mapping the reader may see, ``access.lab_names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qiangji.core.comparison import ResultColumn
from qiangji.web.comparisons.columns import EXCEL_KIND, QUALIFIER, TABLE_COLUMNS, number_text
from qiangji.web.comparisons.labels import (
    SIGMA_SOURCE_ZH,
    code_label,
    form_zh,
    method_zh,
    term_zh,
    verdict_rule,
)
from qiangji.web.comparisons.models import ComparisonRound, Evaluation, LabResult

#: The result sheet's columns: point, laboratory, institution, then every declared result column (its
#: symbol or Chinese label: the reports are Chinese documents).
RESULT_HEADERS = ["测量点", "实验室", "机构", *(c.header for c in TABLE_COLUMNS)]
#: Number kinds of the result columns (``cells.append``): measured and computed values to six
#: significant figures, the scores to two decimals.
RESULT_KINDS = [None, None, None, *(EXCEL_KIND[c.kind] for c in TABLE_COLUMNS)]
HIDDEN = "—"

VERDICT_ZH = {
    "satisfactory": "满意",
    "questionable": "有问题",
    "unsatisfactory": "不满意",
    "not evaluated": "未评价",
}


def all_names(rnd: ComparisonRound) -> dict[str, str]:
    """Every lab code's institution (the pilot's and the city's reports)."""
    return {p.lab_code: p.institution.name for p in rnd.participants.select_related("institution")}


def _report_value(r: LabResult, col: ResultColumn) -> Any:
    """A declared column's value in a report: numbers as stored, codes and verdicts in Chinese words."""
    value = getattr(r, col.name)
    if col.kind == "verdict":
        return VERDICT_ZH[value]
    return code_label(col.name, value) if col.kind == "code" else value


def result_rows(rnd: ComparisonRound, names: Mapping[str, str]) -> list[list[Any]]:
    rows = []
    for ev in evaluations(rnd):
        for r in ev.results.select_related("participant").order_by("participant__lab_code"):
            code = r.participant.lab_code
            values = [_report_value(r, c) for c in TABLE_COLUMNS]
            rows.append([ev.point.label, code, names.get(code, HIDDEN), *values])
    return rows


def result_text_rows(rows: list[list[Any]]) -> list[list[str]]:
    """``result_rows`` as text, each number by its column's declared format (the PDF report)."""
    cols: list[ResultColumn | None] = [None, None, None, *TABLE_COLUMNS]
    return [
        [str(v) if c is None else number_text(c, v) for c, v in zip(cols, row, strict=True)] for row in rows
    ]


def evaluations(rnd: ComparisonRound) -> list[Evaluation]:
    return list(
        Evaluation.objects.filter(round=rnd).select_related("point", "round").order_by("point__order")
    )


def sigma_pt(ev: Evaluation) -> tuple[float | None, str]:
    """σ_pt the z-scores of ``ev`` used, and where it came from (Chinese), or (None, "")."""
    value = ev.trail.get("sigma_pt")
    return value, SIGMA_SOURCE_ZH.get(ev.trail.get("sigma_pt_source", ""), "")


def trail_lines(ev: Evaluation) -> list[tuple[str, Any]]:
    """The calculation trail of one point as (label, value) lines, in the order a reader follows it."""
    t = ev.trail
    lines: list[tuple[str, Any]] = [
        ("参考值方法", method_zh(t.get("method"))),
        ("En 公式", t.get("en_formula")),
    ]
    if t.get("kind") == "drift":
        keys = ("intercept", "slope_per_day", "u_slope", "chi2", "dof", "p_value", "U_ts")
        lines += [(term_zh(k), t.get(k)) for k in keys]
        lines += [(f"核查 {c[0]}", f"x = {c[1]}, u = {c[2]}") for c in t.get("checks", [])]
        return lines
    lines += [("X_ref", t.get("value")), ("u(X_ref)", t.get("u")), ("U(X_ref), k=2", t.get("U"))]
    lines += [("U(d) 形式", form_zh(t.get("doe_form"))), (term_zh("U_ts"), t.get("U_ts"))]
    value, source = sigma_pt(ev)
    if value is not None:
        lines += [("能力评定标准差 σ_pt", value), ("σ_pt 来源", source)]
    lines += [(f"诊断：{term_zh(k)}", v) for k, v in t.get("diagnostics", {}).items()]
    chi2 = t.get("chi2")
    if chi2:
        keys = ("chi2", "dof", "critical", "p_value", "consistent", "birge_ratio", "birge_threshold")
        lines += [(f"χ² 检验：{term_zh(k)}", chi2[k]) for k in keys]
    for w in t.get("warnings", []):
        lines.append(("警告", w))
    return lines


def algorithm_a_rows(ev: Evaluation) -> list[list[Any]]:
    a = ev.trail.get("algorithm_a")
    if not a:
        return []
    return [[r["iteration"], r["mean"], r["sd"], r["delta"], r["n_low"], r["n_high"]] for r in a["rows"]]


def _score_text(r: LabResult) -> str:
    """Every declared score of a laboratory that applies, e.g. "En = 2.68，ζ = 5.37，z′ = 1.20"."""
    parts = []
    for col in TABLE_COLUMNS:
        value = getattr(r, col.name)
        if col.kind != "score" or value is None:
            continue
        qualifier = QUALIFIER.get(col.name)
        name = code_label(qualifier.name, getattr(r, qualifier.name)) if qualifier else "—"
        parts.append(f"{col.header if name == '—' else name} = {value:.{col.digits}f}")
    return "，".join(parts)


def conclusions(rnd: ComparisonRound, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per laboratory: each point's scores and verdict, and the overall conclusion (满意 only when every
    evaluated point is satisfactory by En, JJF 1117-2010: |En| ≤ 1)."""
    by_lab: dict[str, dict[str, Any]] = {}
    for ev in evaluations(rnd):
        for r in ev.results.select_related("participant").order_by("participant__lab_code"):
            code = r.participant.lab_code
            lab = by_lab.setdefault(code, {"code": code, "name": names.get(code, ""), "points": []})
            lab["points"].append(
                {"point": ev.point.label, "scores": _score_text(r), "verdict": VERDICT_ZH[r.verdict]}
            )
    for lab in by_lab.values():
        verdicts = {p["verdict"] for p in lab["points"]} - {"未评价"}
        lab["overall"] = "未评价" if not verdicts else "满意" if verdicts == {"满意"} else "不满意"
    return sorted(by_lab.values(), key=lambda lab: lab["code"])


RULES = [verdict_rule("en"), verdict_rule("z")]
