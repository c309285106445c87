"""Chinese names of the comparison methods and terms the core and the stored trail use as codes.

One mapping for the round page, the Excel and the PDF report, so no report shows ``pilot``,
``independent`` or ``reference``. A code missing here is shown as it is (a new core method still shows).
The reports are Chinese documents and use the names as they are; the pages translate them at display
(:func:`translated`: each name is a message id).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_lazy, gettext_noop

from qiangji.core.comparison import METHOD_LABELS

#: Reference-value methods: the core's one list (``REFERENCE_METHODS`` with ``METHOD_LABELS``).
METHOD_ZH = dict(METHOD_LABELS)


def method_choices() -> list[tuple[str, Any]]:
    """The choices of a reference-method field: every core method with its translated label."""
    return [(code, gettext_lazy(label)) for code, label in METHOD_LABELS.items()]


#: How U(d) of a laboratory was formed (core ``degrees_of_equivalence`` forms, the drift line, the pilot).
FORM_ZH = {
    "pilot": gettext_noop("以主导实验室结果为参考值"),
    "reference": gettext_noop("参考实验室（不评价）"),
    "independent": gettext_noop("独立：U(d)² = U_i² + U_ref²"),
    "correlated": gettext_noop("相关（本实验室参与参考值）：U(d)² = U_i² − U_ref²"),
    "arithmetic_mean": gettext_noop("算术平均（本实验室参与参考值）"),
    "random_effects": gettext_noop("随机效应（含实验室间方差 τ²）"),
    "drift": gettext_noop("主导实验室漂移线（测量日的参考值）"),
}

Z_KIND_ZH = {"z": "z", "z'": "z′"}

#: Labels of the code columns among the declared result columns (``RESULT_COLUMNS``), by column name.
CODE_LABELS = {"form": FORM_ZH, "z_kind": Z_KIND_ZH}

SIGMA_SOURCE_ZH = {
    "given": gettext_noop("方案规定的能力评定标准差"),
    "robust_sd": gettext_noop("由本轮参考值所用结果的稳健标准差 s*（算法A）确定"),
}

#: Lines of the calculation trail (``reports.common.trail_lines``).
TRAIL_ZH = {
    "intercept": "漂移线截距",
    "slope_per_day": "漂移率（每日）",
    "u_slope": "漂移率标准不确定度",
    "chi2": "χ²",
    "dof": "自由度",
    "p_value": "p 值",
    "U_ts": "传递标准不确定度 U_ts",
    "critical": "临界值",
    "consistent": "一致性",
    "birge_ratio": "Birge 比",
    "birge_threshold": "Birge 比阈值",
    "sd": "标准差",
    "iterations": "迭代次数",
    "converged": "已收敛",
    "n_mc": "模拟次数",
    "seed": "随机种子",
    "mc_mean": "模拟均值",
    "tau": "实验室间标准差 τ",
    "excluded": "剔除的结果",
    "q": "Q 统计量",
}


def method_zh(code: Any) -> str:
    return METHOD_ZH.get(str(code), str(code)) if code else "—"


def form_zh(code: Any) -> str:
    return FORM_ZH.get(str(code), str(code)) if code else "—"


def code_label(column: str, code: Any) -> str:
    """The label of a code column's value (``CODE_LABELS``), the code itself if it has none, "—" if empty."""
    return CODE_LABELS.get(column, {}).get(str(code), str(code)) if code else "—"


def term_zh(key: str) -> str:
    return TRAIL_ZH.get(key, key)


def verdict_rule(kind: str) -> str:
    """The rule a score is judged by (JJF 1117-2010; ISO 13528:2022 9.4–9.7)."""
    if kind == "en":
        return gettext_noop("|En| ≤ 1 满意，|En| > 1 不满意")
    return gettext_noop("|z| ≤ 2 满意，2 < |z| < 3 有问题，|z| ≥ 3 不满意")


def translated(label: str) -> str:
    """A name of this module (or of the core's ``METHOD_LABELS``) in the request's language, for pages."""
    return gettext(label) if label and label != "—" else label
