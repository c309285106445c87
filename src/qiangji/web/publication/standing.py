"""The framework's publication rules in a publication's content: tiers, the compliance gate, the progress
index (the rules themselves are in `qiangji.core.index.rules`, `.tiers` and `.progress`; here they are
read from the stored run and worded for the pages).

Progress index: the baseline is the final publication of the period the framework names for this period
kind (``progress.baseline``); its run's stored input snapshot is rescored with this run's framework, so
the index is computed from stored, hashed texts only and the content that freezes it stays reproducible.
Without a baseline setting, or before the baseline period is published, the content carries none.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from qiangji.core.errors import InputError
from qiangji.core.index import IndexSpec, compute, data_from_frame
from qiangji.core.index.progress import progress_index
from qiangji.core.index.rules import GateRule, TierRule
from qiangji.core.index.targets import with_targets
from qiangji.core.index.tiers import assign_tiers
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.compute import core_frame
from qiangji.web.publication.models import IndexRun, Publication
from qiangji.web.stored_texts import TIER_COUNT, TIER_TEXT, english

TIER_ORDINALS = ("第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十")


def tier_label(tier: int) -> str:
    """第一方阵, 第二方阵, … (any tier count a framework declares)."""
    if english():  # "Tier %(ordinal)s": the number, not a Chinese ordinal
        return _("%(ordinal)s方阵") % {"ordinal": tier}
    ordinal = TIER_ORDINALS[tier - 1] if 1 <= tier <= len(TIER_ORDINALS) else f"第{tier}"
    return _("%(ordinal)s方阵") % {"ordinal": ordinal}


def gate_cap_text(rule: GateRule) -> str:
    """What a gate rule does to an institution it catches: its total capped, its tier capped, or both."""
    caps = []
    if rule.cap_score is not None:
        caps.append(_("总分封顶 %(score)s 分") % {"score": f"{rule.cap_score:g}"})
    if rule.cap_tier is not None:
        caps.append(_("不高于%(tier)s") % {"tier": tier_label(rule.cap_tier)})
    return "，".join(caps)


def tier_rule_text(rule: TierRule) -> str:
    """The tier rule in words, for the leaderboard note, the bulletin, the exports and the methodology (in
    the active language: the content that freezes it is built in the site's language)."""
    text = _(TIER_TEXT[rule.rule])
    if "%(gap)s" in TIER_TEXT[rule.rule]:
        text = text % {"gap": f"{rule.gap:g}" if rule.gap else ""}
    return text if rule.count == 3 else _(TIER_COUNT.msgid) % {"rule": text, "n": rule.count}


def tiers(spec: IndexSpec, results: Mapping[str, Any], order: Sequence[int]) -> list[int]:
    """Tier of each ranked unit (``order``: result indices in publication order) by the framework's rule."""
    unc = results["uncertainty"]
    where = {u: j for j, u in enumerate(unc["units"])}
    idx = [where[results["units"][i]] for i in order]
    scores = [results["scores"][i][-1] for i in order]
    caps = results.get("gate", {}).get("cap_tier")
    return assign_tiers(
        spec.framework.rules.tiers,
        scores,
        [unc["rank_p05"][j] for j in idx],
        [unc["rank_p95"][j] for j in idx],
        None if caps is None else [caps[i] for i in order],
    )


def gate_of(spec: IndexSpec, results: Mapping[str, Any], i: int) -> dict[str, Any] | None:
    """The gate rules that fired for result unit ``i`` with their reasons, and its total before the gate."""
    gate = results.get("gate")
    if not gate or not gate["rules"][i]:
        return None
    rules = {r.code: r for r in spec.framework.rules.gate}
    return {
        "rules": [
            {
                "code": code,
                "reason": rules[code].label("zh"),
                "cap_score": rules[code].cap_score,
                "cap_tier": rules[code].cap_tier,
                "cap": gate_cap_text(rules[code]),
            }
            for code in gate["rules"][i]
        ],
        "ungated": results["ungated"][i],
    }


@functools.lru_cache(maxsize=32)
def _gate_rules(framework_sha256: str) -> Mapping[str, GateRule]:
    """The gate rules of the framework version with this content hash (a stored version never changes)."""
    version = FrameworkVersion.objects.filter(sha256=framework_sha256).first()
    return {} if version is None else {r.code: r for r in version.framework().rules.gate}


def gate_words(fired: Mapping[str, Any], framework_sha256: str | None) -> tuple[str, str]:
    """(reason, cap) of a fired gate rule as :func:`gate_of` stored them (the framework's Chinese words);
    in another language, the framework version's own words for it and the cap in the catalogue's."""
    stored = (str(fired.get("reason", "")), str(fired.get("cap") or ""))
    if not english() or not framework_sha256:
        return stored
    rule = _gate_rules(framework_sha256).get(str(fired.get("code")))
    return stored if rule is None else (rule.label("en"), gate_cap_text(rule))


def floored(results: Mapping[str, Any], i: int) -> list[str]:
    """Indicators of result unit ``i`` whose missing value scored the floor."""
    rows = results.get("floored")
    return [] if rows is None else list(rows[i])


def baseline_publication(period: Any, spec: IndexSpec) -> Publication | None:
    """The final publication of the framework's baseline period for ``period``'s kind (module docstring)."""
    code = spec.framework.rules.baseline.get(period.kind)
    if not code or code == period.code:
        return None
    return (
        Publication.objects.filter(status=Publication.Status.FINAL, period__code=code)
        .select_related("period", "run")
        .first()
    )


def progress(run: IndexRun, spec: IndexSpec, period: Any) -> dict[str, Any] | None:
    """The progress table: per unit the baseline and current totals on this framework's scales, the
    change and its rank (1 = most progress), most progress first; None without a published baseline."""
    base = baseline_publication(period, spec)
    if base is None or not spec.framework.fixed_scales:
        return None
    from qiangji.web.publication.runs import load_inputs

    now_inputs, then_inputs = load_inputs(run.inputs_json), load_inputs(base.run.inputs_json)
    current = compute(spec, _data(spec, now_inputs))
    fraction = IndexSpec.from_json(base.run.spec_json).period_fraction
    then = _data(IndexSpec(spec.framework.for_period(fraction)), then_inputs, targets=False)
    prog = progress_index(current, then, baseline_fraction=fraction, baseline_period=base.period.code)
    rows = [
        {
            "unit": u,
            "name": now_inputs.names.get(u, u),
            "baseline": _num(prog.baseline[k]),
            "current": _num(prog.current[k]),
            "change": _num(prog.change[k]),
            "rank": None if np.isnan(prog.rank[k]) else int(prog.rank[k]),
        }
        for k, u in enumerate(prog.units)
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
    return {
        "baseline_period": base.period.code,
        "baseline_label": base.period.label,
        "baseline_framework": base.run.framework_version.version,
        "rows": rows,
    }


def _data(spec: IndexSpec, inputs: Any, *, targets: bool = True) -> Any:
    """The core data of stored ``inputs`` for ``spec``: an indicator the snapshot lacks is missing, and a
    gate fact it lacks (a baseline computed without a gate) is empty; progress is measured before the gate."""
    frame = inputs.frame.reindex(columns=list(spec.framework.indicators))
    attrs = {k: inputs.attributes.get(k, {}) for k in spec.framework.rules.facts}
    try:
        data = data_from_frame(core_frame(frame, inputs.names, attrs), spec.framework)
        # the baseline is rescored with the current run's targets (`progress_index`), never its own
        return with_targets(data, spec.framework, getattr(inputs, "targets", {}) if targets else {})
    except InputError as exc:
        raise InputError(
            f"progress index: the baseline or current inputs do not fit the framework: {exc}"
        ) from None


def _num(v: Any) -> float | None:
    f = float(v)
    return None if np.isnan(f) else f
