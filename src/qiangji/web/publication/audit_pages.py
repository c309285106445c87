"""What the audit page of an index run shows: the stored figures (`run_audit`) as tables, charts and
plain-language warnings (no numerical logic here: every number is the core audit's, stored with the run).

Thresholds of the warnings, as composite-indicator audits use them (JRC statistical audits, e.g. of the
Global Innovation Index; OECD/JRC *Handbook on Constructing Composite Indicators* 2008, §2.1):

* an indicator or dimension correlating negatively with its parent, or weakly (|r| < 0.3), hardly moves
  its parent's ordering, or moves it against the others;
* Cronbach's α below 0.7 (Nunnally 1978) says a group's indicators do not measure one common thing;
* a first principal component explaining less than half of a group's variance says the same;
* a dimension whose variance share, or normalised main effect, is outside [1/factor, factor] times its
  nominal weight does not count as much as its weight says (Paruolo, Saisana & Saltelli 2013).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiangji.core.index import IndexSpec
from qiangji.core.index.framework import Framework
from qiangji.web.formatting import decimal, ratio_percent
from qiangji.web.publication import audit_charts
from qiangji.web.publication.models import IndexRun, RunAudit
from qiangji.web.publication.run_audit import audit_of
from qiangji.web.stored_texts import english

WEAK_R = 0.3
LOW_ALPHA = 0.7
LOW_PCA_SHARE = 0.5
#: Below this many units every statistic of the audit is rough (said once, on top of the page).
FEW_UNITS = 20


def _names(fw: Framework) -> dict[str, str]:
    """Each node's name in the request's language (the framework file carries Chinese and English)."""
    lang = "en" if english() else "zh"
    return {n.code: n.label(lang) for n in fw.nodes}


def _label(code: str, names: Mapping[str, str]) -> str:
    return f"{code} {names.get(code, '')}".strip()


def context(run: IndexRun) -> dict[str, Any]:
    """The audit page's context for ``run`` (computing and storing its audit on the first visit)."""
    stored: RunAudit = audit_of(run)
    fig = stored.figures
    fw = IndexSpec.from_json(run.spec_json).framework
    names = _names(fw)
    dims = dimension_rows(fig, fw, names)
    return {
        "run": run,
        "period": run.period,
        "stored": stored,
        "figures": fig,
        "framework_label": f"{fw.code} {fw.version}",
        "dimensions": dims,
        "indicators": indicator_rows(fig, fw, names),
        "calibration": calibration_rows(fig, names),
        "warnings": warnings_for(fig, fw, names),
        "notes": fig["notes"],
        "few_units": fig["units"] < FEW_UNITS,
        "heatmap_chart": audit_charts.heatmap(fig["heatmap"]),
        "importance_chart": audit_charts.importance(dims),
    }


def dimension_rows(fig: Mapping[str, Any], fw: Framework, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per dimension: weight against importance, consistency (α, first component), r with index."""
    effects = fig["main_effect"]
    total = sum(v for v in effects.values() if v is not None)
    rows = []
    for code, w in fig["nominal"].items():
        share, effect = fig["var_share"].get(code), effects.get(code)
        kids = len(fw.children[fw.index[code]])
        rows.append(
            {
                "code": code,
                "label": _label(code, names),
                "n_children": kids,
                "nominal": w,
                "var_share": share,
                "main_effect": effect,
                "main_effect_norm": effect / total if effect is not None and total > 0 else None,
                "ratio": share / w if share is not None and w > 0 else None,
                "cronbach": fig["cronbach"].get(code),
                "pca_var1": fig["pca_var1"].get(code),
                "corr_parent": fig["corr_parent"].get(code),
                "flagged": any(f["dimension"] == code for f in fig["findings"]),
            }
        )
    return rows


def indicator_rows(fig: Mapping[str, Any], fw: Framework, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per indicator: its parent, effective weight, r with its parent and |loading| on its PC1."""
    rows = []
    for code in fw.indicators:
        parent = fig["parent"][code]
        r = fig["corr_parent"].get(code)
        rows.append(
            {
                "code": code,
                "label": _label(code, names),
                "parent": parent,
                "eff_weight": fig["eff_weight"].get(code),
                "corr_parent": r,
                "loading": (fig["pca_abs_load"].get(parent) or {}).get(code),
                "weak": r is None or r < WEAK_R,
            }
        )
    return rows


def calibration_rows(fig: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    cal = fig["calibration"]
    if "error" in cal:
        return {"error": cal["error"], "rows": []}
    rows = [{**r, "label": _label(str(r["child"]), names)} for r in cal["rows"]]
    return {**cal, "rows": rows}


def warnings_for(fig: Mapping[str, Any], fw: Framework, names: Mapping[str, str]) -> list[str]:
    """Plain sentences, Chinese first: what a reader of the ranking should know before it is published."""
    out = [_importance_warning(f, names) for f in fig["findings"]]
    out += _correlation_warnings(fig, names)
    out += _consistency_warnings(fig, fw, names)
    if fig["n_complete"] < 3:
        out.append(_("各维度得分齐全的机构少于 3 家，方差贡献和主效应无法估计。"))
    return out


#: The sentences of the warnings (gettext; placeholders filled by each check).
VAR_SHARE = gettext_lazy("%(dim)s：名义权重 %(w)s，实际占总分方差的 %(v)s（为权重的 %(ratio)s 倍）。")
MAIN_EFFECT = gettext_lazy(
    "%(dim)s：名义权重 %(w)s，主效应（单独由该维度解释的总分差异，归一化）为 %(v)s（为权重的 %(ratio)s 倍）。"
)
MORE = gettext_lazy("该维度对排名的实际影响远大于权重所示；若非有意，可参考下方的权重校准建议。")
LESS = gettext_lazy("该维度对排名的实际影响远小于权重所示；若非有意，可参考下方的权重校准建议。")
NO_R = gettext_lazy(
    "%(node)s 在各机构间没有差异（或有效数据不足），与 %(parent)s 的相关系数无法计算："
    "它不影响本期排名的先后。"
)
NEGATIVE_R = gettext_lazy(
    "%(node)s 与 %(parent)s 负相关（r = %(r)s）：该项得分高的机构，%(parent)s 得分反而偏低。"
    "请核对指标方向，或它是否衡量了与同组指标不同的东西。"
)
WEAK = gettext_lazy(
    "%(node)s 与 %(parent)s 的相关很弱（r = %(r)s，低于 0.3）：它对 %(parent)s 的排序作用很小，"
    "或独立于同组其他指标变化。"
)
LOW_ALPHA_TEXT = gettext_lazy(
    "%(dim)s 的 %(k)s 项指标内部一致性低（α = %(alpha)s，常用下限 0.7）："
    "这些指标并不共同衡量同一种能力，该项得分宜按分项解读。"
)
LOW_PCA_TEXT = gettext_lazy("%(dim)s 的第一主成分只解释指标差异的 %(share)s：该组包含不止一个方面的信息。")


def _importance_warning(f: Mapping[str, Any], names: Mapping[str, str]) -> str:
    args = {
        "dim": _label(f["dimension"], names),
        "w": ratio_percent(f["nominal"]),
        "v": ratio_percent(f["value"]),
        "ratio": decimal(f["ratio"]),
    }
    text = str(VAR_SHARE if f["measure"] == "var_share" else MAIN_EFFECT) % args
    return text + str(MORE if f["value"] > f["nominal"] else LESS)


def _correlation_warnings(fig: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    out = []
    for code, r in fig["corr_parent"].items():
        parent = fig["parent"][code]
        args = {"node": _label(code, names), "parent": _label(parent, names), "r": decimal(r)}
        if r is None:
            out.append(str(NO_R) % args)
        elif r < 0:
            out.append(str(NEGATIVE_R) % args)
        elif r < WEAK_R:
            out.append(str(WEAK) % args)
    return out


def _consistency_warnings(fig: Mapping[str, Any], fw: Framework, names: Mapping[str, str]) -> list[str]:
    out = []
    for code, alpha in fig["cronbach"].items():
        k = len(fw.children[fw.index[code]])
        args = {"dim": _label(code, names), "k": k, "alpha": decimal(alpha)}
        if alpha is not None and alpha < LOW_ALPHA:
            out.append(str(LOW_ALPHA_TEXT) % args)
        share = fig["pca_var1"].get(code)
        if share is not None and share < LOW_PCA_SHARE and k > 1:
            out.append(str(LOW_PCA_TEXT) % {**args, "share": ratio_percent(share)})
    return out
