"""指数编制说明: how the index of a publication is made, read from the framework version its run used.

The page (`views.methodology`, ``/rankings/<period>/methodology/``) and its PDF (``methodology.pdf``) list
the dimensions and indicators with their weights (relative within the parent, and effective: the share of
the 100-point total), each indicator's definition, source (registry, supervision, reported), unit,
direction, accepted range, goalposts, treatment and normalisation, the aggregation, the rules the framework
version declares (compliance gate, missing values, tiers, progress index: `methodology_rules`), and explain
ranking, ties, the rank interval, the tiers, the change against the previous period and the objection
procedure. Everything comes from the run's stored spec (``IndexRun.spec_json``) and snapshot, so the page
of an old publication describes the rules that publication was computed with, not today's framework file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qiangji.core.index import IndexSpec
from qiangji.core.index.framework import Framework, MethodSpec, Node
from qiangji.web.assessment.inputs import sources_of
from qiangji.web.formatting import quantity
from qiangji.web.publication import methodology_rules as rules
from qiangji.web.publication.compute import DEFAULT_WEIGHT_NOISE
from qiangji.web.publication.models import IndexRun, Publication
from qiangji.web.publication.plan_targets import methodology_rows

#: How each normalisation method scores an indicator (raw value x; 0–100 points).
NORMALISE_TEXT = {
    "minmax": gettext_noop(
        "极差标准化：s = (x − 最小值) / (最大值 − 最小值) × 100，各机构中最好者 100 分、最差者 0 分"
    ),
    "zscore": gettext_noop("标准分：s = (x − 平均值) / 标准差"),
    "rank": gettext_noop("按名次赋分"),
    "percentile": gettext_noop("百分位赋分：s = (名次 − 1) / (n − 1) × 100"),
    "borda": gettext_noop("Borda 计分：超过的机构数"),
    "distance_to_target": gettext_noop("距目标值法：按与目标值 %(target)s 的差距赋分"),
    "goalposts": gettext_noop(
        "固定上下限：%(low)s 为 0 分、%(high)s 为 100 分，其间线性插值，超出上限按 100 分计"
    ),
    "target": gettext_noop("目标值法：达到目标值 %(target)s 得 100 分，未达到按 x / %(target)s × 100 计分"),
    "target_lower": gettext_noop(
        "目标值法（越低越好）：不超过 %(target)s 得 100 分，超出后线性扣分，超出 %(tolerance)s 为 0 分"
    ),
    "ordinal": gettext_noop("等级赋分：%(mapping)s"),
    "none": gettext_noop("不作归一化（原值已为 0–100 分）"),
}
TREAT_TEXT = {
    "none": "",
    "log1p": gettext_noop("先取 ln(1 + x) 压缩偏态"),
    "log": gettext_noop("先作对数变换压缩偏态"),
    "winsorise": gettext_noop("先对离群值作缩尾处理"),
}
IMPUTE_TEXT = {
    "none": "",
    "constant": gettext_noop("缺失按 %(value)s 计"),
    "mean": gettext_noop("缺失按各机构平均值补"),
    "median": gettext_noop("缺失按各机构中位数补"),
    "group_mean": gettext_noop("缺失按同组平均值补"),
    "group_median": gettext_noop("缺失按同组中位数补"),
    "last": gettext_noop("缺失按该机构最近一期的值补"),
}
AGGREGATE_TEXT = {
    "arithmetic": gettext_noop("加权算术平均"),
    "geometric": gettext_noop("加权几何平均"),
    "harmonic": gettext_noop("加权调和平均"),
    "generalised": gettext_noop("加权幂平均"),
    "median": gettext_noop("加权中位数"),
}


def _fill(template: str, params: Mapping[str, Any]) -> str:
    """``template`` (translated, with named placeholders) filled with the method's parameters, numbers
    formatted; a placeholder the parameters lack leaves the sentence unfilled rather than failing."""
    values = {k: _param(v) for k, v in params.items()}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        return template


def _param(value: Any) -> str:
    if isinstance(value, Mapping):
        return rules.semicolon().join(
            _("%(level)s 级 → %(points)s 分") % {"level": _param(k), "points": quantity(100 * float(v))}
            for k, v in value.items()
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        return quantity(value)
    return str(value)


def _normalise_text(node: Node) -> str:
    spec: MethodSpec = node.methods["normalise"]
    name = spec.method
    if name == "target" and (node.direction or 1) < 0:
        name = "target_lower"
    return _fill(_(NORMALISE_TEXT[name]) if name in NORMALISE_TEXT else name, spec.params)


def _method_text(node: Node, stage: str, texts: Mapping[str, str]) -> str:
    spec = node.methods.get(stage)
    if spec is None:
        return ""
    text = texts.get(spec.method, spec.method)
    return _fill(_(text), spec.params) if text else ""


class RunFacts:
    """What the run tells about each indicator: how its values were obtained, and its observed range."""

    def __init__(self, run: IndexRun, fw: Framework) -> None:
        self.raw_nodes = rules.node_dicts(fw)
        self.results = run.results
        methods: dict[str, list[str]] = {}
        for p in json.loads(run.inputs_json).get("provenance", []):
            methods.setdefault(str(p.get("indicator")), []).append(str(p.get("method") or ""))
        self.methods = methods

    def about(self, node: Node) -> dict[str, Any]:
        raw = self.raw_nodes.get(node.code, {})
        sources = sources_of(node.code)
        observed = rules.observed_range(self.results, node.code)
        return {
            "definition": rules.definition(node, raw, self.methods.get(node.code, []), sources),
            "source": rules.source_text(sources),
            "goalposts": rules.goalposts(node, observed),
            "missing_rule": rules.missing_rule(node),
        }


def _indicator(fw: Framework, i: int, share: float, facts: RunFacts) -> dict[str, Any]:
    node = fw.nodes[i]
    return {
        **facts.about(node),
        "code": node.code,
        "name": node.label("zh"),
        "name_en": node.label("en"),
        "unit": node.unit or "",
        "weight": node.weight,
        "relative": _relative(fw, i),
        "points": 100.0 * share,
        "direction": _("越高越好") if (node.direction or 1) > 0 else _("越低越好"),
        "bounds": rules.bounds_text(node),
        "per_year": node.per == "year",
        "treat": _method_text(node, "treat", TREAT_TEXT),
        "normalise": _normalise_text(node),
        "impute": _method_text(node, "impute", IMPUTE_TEXT),
    }


def _relative(fw: Framework, i: int) -> float:
    """The node's weight normalised among its siblings (what "weight" means inside a parent)."""
    parent = int(fw.parent[i])
    kids, w = fw.children[parent], fw.weights[parent]
    return float(w[list(kids).index(i)] / w.sum())


def _descendants(fw: Framework, i: int) -> list[int]:
    kids = [int(k) for k in fw.children[i]]
    return [k for kid in kids for k in ([kid] if fw.nodes[kid].is_indicator else _descendants(fw, kid))]


def _dimension(fw: Framework, i: int, shares: Any, facts: RunFacts) -> dict[str, Any]:
    node = fw.nodes[i]
    subgroups = [fw.nodes[int(k)] for k in fw.children[i] if not fw.nodes[int(k)].is_indicator]
    return {
        "code": node.code,
        "name": node.label("zh"),
        "name_en": node.label("en"),
        "weight": node.weight,
        "points": 100.0 * float(shares[i]),
        "aggregate": _method_text(node, "aggregate", AGGREGATE_TEXT),
        "subgroups": [f"{g.code} {g.label(rules.lang())}" for g in subgroups],
        "relative": _relative(fw, i),
        "indicators": [_indicator(fw, k, float(shares[k]), facts) for k in _descendants(fw, i)],
    }


def absolute(path: str) -> str:
    """``path`` with the site's address (``QIANGJI["SITE_URL"]``) in front, when one is configured: what a
    printed document cites, so a reader can type it."""
    site = str(settings.QIANGJI.get("SITE_URL", "") or "")
    return f"{site}{path}"


def page_path(period_code: str) -> str:
    return f"/rankings/{period_code}/methodology/"


def methodology_context(pub: Publication) -> dict[str, Any]:
    """What the 指数编制说明 page shows for ``pub`` (module docstring)."""
    spec = IndexSpec.from_json(pub.run.spec_json)
    fw = spec.framework
    shares = fw.effective_weights()
    top = len(fw.nodes) - 1
    root = fw.nodes[top]
    facts = RunFacts(pub.run, fw)
    return {
        "publication": pub,
        "period": pub.period,
        "framework": {
            "code": fw.code,
            "name": fw.name.get(rules.lang()) or fw.name.get("zh") or fw.code,
            "version": pub.run.framework_version.version,
            "sha256": pub.run.framework_version.sha256,
        },
        "dimensions": [_dimension(fw, int(i), shares, facts) for i in fw.children[top]],
        "aggregate": _method_text(root, "aggregate", AGGREGATE_TEXT),
        "tie_break": rules.join_codes(fw.tie_break),
        "treatment_step": rules.treatment_step(fw),
        "scoring_step": rules.scoring_step(fw),
        "fixed_scales": fw.fixed_scales,
        "tier_rules": rules.tier_sentences(fw.rules),
        "gate_rules": rules.gate_sentences(fw.rules),
        "missing_rules": rules.missing_sentences(fw),
        "missing_floor": fw.rules.floor,
        "progress_rules": rules.progress_sentences(fw),
        "weight_noise_pct": round(100 * DEFAULT_WEIGHT_NOISE),
        "runs": pub.run.runs,
        "period_fraction": fw.period_fraction,
        "objection_days": settings.QIANGJI["OBJECTION_PERIOD_WORKING_DAYS"],
        "issuing_unit": settings.QIANGJI["ISSUING_UNIT"],
        "n_indicators": len(fw.indicators),
        "page_url": absolute(page_path(pub.period.code)),
        "plan_target_units": methodology_rows(spec, pub.run.results),
    }
