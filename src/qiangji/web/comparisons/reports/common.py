"""Rows shared by the Excel and PDF reports, so both show the same numbers."""

from __future__ import annotations

from typing import Any

from qiangji.web.comparisons.models import ComparisonRound, Evaluation

RESULT_HEADERS = [
    "测量点",
    "实验室",
    "机构",
    "x",
    "U(k=2)",
    "X_ref",
    "U_ref",
    "d",
    "U(d)",
    "En",
    "ζ",
    "z",
    "形式",
    "结论",
]

VERDICT_ZH = {
    "satisfactory": "满意",
    "questionable": "有问题",
    "unsatisfactory": "不满意",
    "not evaluated": "未评价",
}


def result_rows(rnd: ComparisonRound) -> list[list[Any]]:
    rows = []
    for ev in evaluations(rnd):
        for r in ev.results.select_related("participant__institution").order_by("participant__lab_code"):
            rows.append(
                [
                    ev.point.label,
                    r.participant.lab_code,
                    r.participant.institution.name,
                    r.x,
                    r.U,
                    r.x_ref,
                    r.U_ref,
                    r.d,
                    r.U_d,
                    r.en,
                    r.zeta,
                    r.z,
                    r.form,
                    VERDICT_ZH[r.verdict],
                ]
            )
    return rows


def evaluations(rnd: ComparisonRound) -> list[Evaluation]:
    return list(
        Evaluation.objects.filter(round=rnd).select_related("point", "round").order_by("point__order")
    )


def trail_lines(ev: Evaluation) -> list[tuple[str, Any]]:
    """The calculation trail of one point as (label, value) lines, in the order a reader follows it."""
    t = ev.trail
    lines: list[tuple[str, Any]] = [("方法 method", t.get("method")), ("En 公式", t.get("en_formula"))]
    if t.get("kind") == "drift":
        lines += [
            (k, t.get(k)) for k in ("intercept", "slope_per_day", "u_slope", "chi2", "dof", "p_value", "U_ts")
        ]
        lines += [(f"核查 {c[0]}", f"x = {c[1]}, u = {c[2]}") for c in t.get("checks", [])]
        return lines
    lines += [("X_ref", t.get("value")), ("u(X_ref)", t.get("u")), ("U(X_ref), k=2", t.get("U"))]
    lines += [("DoE 形式", t.get("doe_form")), ("U_ts", t.get("U_ts"))]
    lines += [(f"诊断 {k}", v) for k, v in t.get("diagnostics", {}).items()]
    chi2 = t.get("chi2")
    if chi2:
        lines += [
            (f"χ² 检验 {k}", chi2[k])
            for k in ("chi2", "dof", "critical", "p_value", "consistent", "birge_ratio", "birge_threshold")
        ]
    for w in t.get("warnings", []):
        lines.append(("警告 warning", w))
    return lines


def algorithm_a_rows(ev: Evaluation) -> list[list[Any]]:
    a = ev.trail.get("algorithm_a")
    if not a:
        return []
    return [[r["iteration"], r["mean"], r["sd"], r["delta"], r["n_low"], r["n_high"]] for r in a["rows"]]
