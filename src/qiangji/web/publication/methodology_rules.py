"""The parts of 指数编制说明 that depend on what a framework version declares beyond its weights: each
indicator's definition, source, goalposts and missing-value rule, and the version's publication rules
(compliance gate, missing values, tier rule, progress index: `qiangji.core.index.rules`), worded as
sentences from the compiled `Framework` itself.

Framework 2025.1 declares none of these rules: its counts are min-max scaled per period (some after
ln(1 + x)), a missing value is left out with its siblings' weights renormalised, and tiers are thirds of
the ranking. 2026.1 scores every indicator on fixed goalposts or targets, scores a missing value at a floor
(0, or another score an indicator documents; an indicator may opt out with a reason), caps gated
institutions and never separates overlapping rank intervals by a tier boundary (issue 15). The page says
which applies, from the run's own framework.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from qiangji.core.index.framework import Framework, Node
from qiangji.core.index.rules import GateRule, Rules
from qiangji.web.formatting import quantity
from qiangji.web.publication.standing import gate_cap_text, tier_label, tier_rule_text
from qiangji.web.publication.templatetags.publication_tags import unit_in_language
from qiangji.web.stored_texts import english, in_language

SOURCE_NAMES = {
    "derived": gettext_noop("登记数据自动统计"),
    "supervision": gettext_noop("督导检查评分"),
    "reported": gettext_noop("机构填报（经审核）"),
}
SOURCE_DEFINITIONS = {
    "derived": gettext_noop("由平台依据登记库数据在统计基准日自动统计"),
    "supervision": gettext_noop("依据督导检查清单评分（得分 / 应得分）"),
    "reported": gettext_noop("由机构填报并附佐证材料，经市级审核通过"),
}
#: The unit attributes a gate rule may read (`qiangji.web.assessment.facts`), as the page names them.
FACT_NAMES = {
    "open_critical_findings": gettext_noop("未关闭的重大问题"),
    "overdue_major_findings": gettext_noop("逾期未整改的严重或重大问题"),
}
LOG_TREATMENTS = frozenset({"log1p", "log"})
PERIOD_KIND_NAMES = {
    "quarter": pgettext_lazy("period kind", "季度"),
    "year": pgettext_lazy("period kind", "年度"),
}
#: The reasons the shipped framework files give for an indicator's own missing-value rule, written in
#: Chinese only: a file is frozen with its hash, so its words are translated here, not in the file.
MISSING_REASONS = (
    gettext_noop("无 12 个月内到期的计量标准时本指标不适用，按满分计"),
    gettext_noop("本期无到期的不符合项时无可关闭项，按满分计"),
    gettext_noop("本期未参加计量比对的机构无比对结果，不扣分也不计分，权重由同组指标分担"),
)


def lang() -> str:
    """The framework's language key (``zh``, ``en``) for the request's language."""
    return "en" if english() else "zh"


def semicolon() -> str:
    return "; " if english() else "；"


def join_codes(codes: Iterable[str]) -> str:
    """``D6、D3、D2`` / ``D6, D3, D2``."""
    return (", " if english() else "、").join(codes)


def node_dicts(fw: Framework) -> dict[str, Mapping[str, Any]]:
    """Every node of the framework text by code (the file's own keys, e.g. ``description``)."""
    out: dict[str, Mapping[str, Any]] = {}

    def walk(nodes: Iterable[Any]) -> None:
        for n in nodes:
            out[str(n["code"])] = n
            walk(n.get("children") or [])

    walk(fw.to_dict()["nodes"])
    return out


# The framework's rules ----------------------------------------------------------------------------------


def gate_sentence(rule: GateRule) -> str:
    """One gate rule in words: its code, when it fires, what it caps and the reason it is published with."""
    fact = _(FACT_NAMES[rule.fact]) if rule.fact in FACT_NAMES else rule.fact
    if rule.above == 0:
        when = _("统计基准日有%(fact)s（1 项及以上）的") % {"fact": fact}
    else:
        when = _("统计基准日%(fact)s多于 %(above)s 项的") % {"fact": fact, "above": quantity(rule.above)}
    return _("%(code)s：%(when)s，%(cap)s。公布的理由：“%(reason)s”。") % {
        "code": rule.code,
        "when": when,
        "cap": gate_cap_text(rule),
        "reason": rule.label(lang()),
    }


def gate_sentences(rules: Rules) -> list[str]:
    return [gate_sentence(r) for r in rules.gate]


def missing_sentences(fw: Framework) -> list[str]:
    """The version's missing-value rule: a floor score, flagged, never re-weighted; or, without a floor
    (2025.1), re-weighting among the indicators with data, said plainly."""
    floor = fw.rules.floor
    if floor is None:
        return [
            _(
                "某项指标缺失时不补值、不计分，其权重在同一上级指标下有数据的指标之间按比例重新分配；"
                "因此缺失的指标既不扣分也不得分，总分只由有数据的指标决定。"
            )
        ]
    own = [n for n in fw.leaves if n.missing is not None and n.missing.reason]
    out = [
        _(
            "某项指标缺失（未填报、无法统计）时按 %(floor)s 分计，并在机构画像上标注；"
            "不把它的权重分给其他指标，不报送数据不会提高总分。"
        )
        % {"floor": quantity(floor)}
    ]
    if own:
        codes = join_codes(n.code for n in own)
        out.append(_("以下指标另有规定（见上表该指标的“缺失值”说明）：%(codes)s。") % {"codes": codes})
    return out


def missing_rule(node: Node) -> str:
    """An indicator's missing-value rule in words (the table's “缺失值” note)."""
    rule = node.missing
    if rule is None:
        return _("缺失不补、不计分，权重由同级有数据的指标按比例分担")
    if rule.score is None:
        return _("缺失时不计分、不扣分，权重由同级有数据的指标按比例分担。理由：%(reason)s") % {
            "reason": _(rule.reason)
        }
    text = _("缺失按 %(score)s 分计并标注") % {"score": quantity(rule.score)}
    if rule.reason:
        return _("%(text)s。理由：%(reason)s") % {"text": text, "reason": _(rule.reason)}
    return text


def tier_sentences(rules: Rules) -> list[str]:
    """The tier rule (`standing.tier_rule_text`), and how the gate's tier caps act on it."""
    out = [tier_rule_text(rules.tiers)]
    capped = [r for r in rules.gate if r.cap_tier is not None]
    for r in capped:
        out.append(
            _(
                "触发合规门槛 %(code)s 的机构不高于%(tier)s：其方阵由规则决定，不由名次决定，"
                "排行榜在该机构的方阵旁注明。"
            )
            % {"code": r.code, "tier": tier_label(int(r.cap_tier or 0))}
        )
    return out


def progress_sentences(fw: Framework) -> list[str]:
    """How the progress index (进步指数) is computed, if the version names a baseline."""
    base = fw.rules.baseline
    if not base:
        return []
    periods = semicolon().join(
        _("%(kind)s期次以 %(code)s 为基期")
        % {"kind": str(PERIOD_KIND_NAMES[k]) if k in PERIOD_KIND_NAMES else k, "code": code}
        for k, code in base.items()
    )
    return [
        _("基期：%(periods)s。") % {"periods": periods},
        _(
            "计算：基期各机构存档的原始数据按本期指标框架的固定计分上下限和目标值重新计分，得到基期总分；"
            "本期总分减去基期总分即进步分（两者均为合规门槛封顶前的总分）。按进步分由高到低排出进步排名，"
            "与水平排名并列发布；基期未参加排名的机构不计进步分。"
        ),
        _(
            "重新计分而不沿用基期公布的总分，是因为基期可能按计分方法不同的旧版框架计算：只有各期使用同一套"
            "固定标尺，分数的变化才反映机构自身的进步。"
        ),
    ]


# The computation steps -----------------------------------------------------------------------------------


def treatment_step(fw: Framework) -> str:
    """Step 2 of the page: range checks, and the log compression where the version uses it."""
    logged = [
        n.code for n in fw.leaves if n.methods.get("treat") and n.methods["treat"].method in LOG_TREATMENTS
    ]
    if logged:
        return _(
            "预处理：超出取值范围的数据不予接受；偏态明显的计数指标（%(codes)s）先取 ln(1 + x) 作对数压缩。"
        ) % {"codes": join_codes(logged)}
    return _("预处理：超出取值范围的数据不予接受；各指标按原值计分，不作对数等变换。")


def scoring_step(fw: Framework) -> str:
    """Step 3: whether the scales are fixed in the framework or relative to the period's data."""
    if fw.fixed_scales:
        return _(
            "指标计分：每项指标按框架中固定的计分上下限或目标值折算为 0–100 分（见下表）。计分标尺不随期次和"
            "参评机构变化，同一框架版本下各期的总分可以相互比较。"
        )
    relative = [n.code for n in fw.leaves if n.methods["normalise"].method == "minmax"]
    return _(
        "指标计分：每项指标按下表的方法折算为 0–100 分。其中 %(codes)s 按本期各机构的最低值和最高值作极差"
        "标准化（最差者 0 分、最好者 100 分），标尺随期次变化，各期总分只反映当期的相对位置，不宜直接比较。"
    ) % {"codes": join_codes(relative)}


# Each indicator ------------------------------------------------------------------------------------------


def definition(node: Node, raw: Mapping[str, Any], methods: Sequence[str], sources: Sequence[str]) -> str:
    """The framework's description of the indicator, else how its value is obtained (from the run)."""
    desc = raw.get("description")
    if isinstance(desc, Mapping):
        desc = desc.get(lang()) or desc.get("zh") or next(iter(desc.values()), None)
    if isinstance(desc, str) and desc.strip():
        return desc.strip()
    name = node.label(lang())
    rule = Counter(m for m in methods if m and m not in ("填报", "test")).most_common(1)
    if rule:
        # the run's provenance stores the method in Chinese (`stored_texts`)
        return _("%(name)s：%(method)s") % {"name": name, "method": in_language(rule[0][0])}
    first = sources[0] if sources else "reported"
    how = _(SOURCE_DEFINITIONS[first]) if first in SOURCE_DEFINITIONS else ""
    return _("%(name)s，%(how)s") % {"name": name, "how": how}


def source_text(sources: Sequence[str]) -> str:
    """``登记数据自动统计``, or ``A；缺失时 B``: the order in which the sources are tried."""
    names = [_(SOURCE_NAMES[s]) if s in SOURCE_NAMES else s for s in sources] or [_(SOURCE_NAMES["reported"])]
    return names[0] + "".join(_("；缺失时%(source)s") % {"source": n} for n in names[1:])


def goalposts(node: Node, observed: tuple[float, float] | None) -> str:
    """Where the indicator scores 0 and 100: fixed goalposts, a target, or this period's min and max."""
    unit = unit_in_language(node.unit) if node.unit and node.unit != "%" else ""
    pct = "%" if node.unit == "%" else ""
    spec = node.methods["normalise"]
    p = spec.params
    if spec.method == "goalposts":
        posts = {"low": _amount(p["low"], unit, pct), "high": _amount(p["high"], unit, pct)}
        if (node.direction or 1) < 0:
            return _("固定上下限 %(low)s–%(high)s，越低越好（固定）") % posts
        return _("%(low)s 为 0 分，%(high)s 及以上为 100 分（固定）") % posts
    if spec.method == "target":
        if (node.direction or 1) < 0:
            tol = p.get("tolerance")
            zero = "" if tol is None else _("，超出 %(tol)s 为 0 分") % {"tol": _amount(tol, unit, pct)}
            return _("不超过 %(target)s 为 100 分%(zero)s（固定）") % {
                "target": _amount(p["target"], unit, pct),
                "zero": zero,
            }
        return _("0 为 0 分，达到目标 %(target)s 为 100 分（固定）") % {
            "target": _amount(p["target"], unit, pct)
        }
    if spec.method == "minmax":
        if observed is None:
            return _("本期各机构的最低值为 0 分、最高值为 100 分（随期变化）")
        lo, hi = observed if (node.direction or 1) > 0 else observed[::-1]
        return _("本期最差 %(lo)s 为 0 分、最好 %(hi)s 为 100 分（取本期各机构的最低与最高值，随期变化）") % {
            "lo": _amount(lo, unit, pct),
            "hi": _amount(hi, unit, pct),
        }
    if spec.method == "ordinal":
        return _("按等级表赋分（见计分方法）")
    return "—"


def bounds_text(node: Node) -> str:
    """The accepted range of raw values (``0–80``, ``0 以上``); '' without bounds."""
    low, high = node.bounds or (None, None)
    if low is None and high is None:
        return ""
    if high is None:
        return _("%(low)s 以上") % {"low": quantity(low)}
    if low is None:
        return _("不超过 %(high)s") % {"high": quantity(high)}
    return f"{quantity(low)}–{quantity(high)}"


def _amount(value: Any, unit: str, pct: str) -> str:
    text = quantity(value)
    return f"{text}{pct}" if pct else f"{text} {unit}".strip()


def observed_range(results: Mapping[str, Any], code: str) -> tuple[float, float] | None:
    """This run's lowest and highest raw value of indicator ``code`` (None if it has none)."""
    try:
        col = list(results["indicators"]).index(code)
    except ValueError:
        return None
    values = np.array([row[col] for row in results["raw"] if row[col] is not None], dtype=np.float64)
    return (float(values.min()), float(values.max())) if values.size else None
