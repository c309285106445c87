"""Rows shared by the Excel and PDF reports, so both show the same numbers and words.

A report read by a participant names only its own institution: every other laboratory appears by its code
(``names`` is the lab code → institution name mapping the reader may see, ``access.lab_names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qiangji.web.comparisons.labels import (
    SIGMA_SOURCE_ZH,
    Z_KIND_ZH,
    form_zh,
    method_zh,
    term_zh,
    verdict_rule,
)
from qiangji.web.comparisons.models import ComparisonRound, Evaluation, LabResult

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
    "U(d) 形式",
    "结论",
]
#: Number kinds of the result columns (``cells.append``): measured and computed values to six
#: significant figures, the scores to two decimals.
RESULT_KINDS = [None, None, None, "plain", "plain", "plain", "plain", "plain", "plain"]
RESULT_KINDS += ["score", "score", "score", None, None]
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


def result_rows(rnd: ComparisonRound, names: Mapping[str, str]) -> list[list[Any]]:
    rows = []
    for ev in evaluations(rnd):
        for r in ev.results.select_related("participant").order_by("participant__lab_code"):
            code = r.participant.lab_code
            rows.append(
                [
                    ev.point.label,
                    code,
                    names.get(code, HIDDEN),
                    r.x,
                    r.U,
                    r.x_ref,
                    r.U_ref,
                    r.d,
                    r.U_d,
                    r.en,
                    r.zeta,
                    r.z,
                    form_zh(r.form),
                    VERDICT_ZH[r.verdict],
                ]
            )
    return rows


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
    parts = [] if r.en is None else [f"En = {r.en:.2f}"]
    parts += [] if r.zeta is None else [f"ζ = {r.zeta:.2f}"]
    parts += [] if r.z is None else [f"{Z_KIND_ZH.get(r.z_kind, 'z')} = {r.z:.2f}"]
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
