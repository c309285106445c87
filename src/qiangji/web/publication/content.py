"""The content of a publication: what the leaderboard, the scorecards and the exports show.

``build_content(publication)`` assembles it from the run's stored result, the period and the previous
published ranking; for a final publication it is frozen in ``content_json`` and hashed, so the pages show
exactly the hashed numbers.

Tiers (方阵), the documented rule: with n ranked institutions and k = ⌈n/3⌉, publication ranks 1…k form the
第一方阵, k+1…2k the 第二方阵 and the rest the 第三方阵 (nine institutions: three per tier). Ranks are strict
(the framework's tie-break: higher D6, then D3, then D2, then institution code).

Open supervision findings (整改中问题) are part of the content: those open on the period's as-of date, as
the registry holds them when the content is built. A final publication keeps the ones of its finalisation
day, so a finding entered later with an old date does not appear on it (content version 2; publications
finalised before carry none, see ``pages.open_findings``).

Document number (文号) of a final publication: the ``DOCUMENT_NUMBER`` setting's pattern with ``{year}``
(the year of publication) and ``{number}`` (1 + the final publications already finalised that year), fixed
in the content when it is frozen (content version 3). Drafts and notices carry none.

Tiers follow the rule of the run's framework (`standing.tier_rule_text`): 2025.1 has none, so the thirds
above; 2026.1 never separates overlapping rank intervals. Each row carries the compliance gate that fired
for it (rules, reasons, total before the gate) and the indicators whose missing value scored the floor;
the content carries the progress index (进步指数) against the framework's baseline period
(`qiangji.web.publication.standing`).

Per-institution targets of the 差异化 plan that scored an indicator (``plan_targets``, only when a run used
any: `qiangji.web.publication.plan_targets`) are part of the content, so the scorecard says which applied.

Rank change: against the latest final publication of an earlier period of the same kind (a quarter
against the previous published quarter, a year against the previous published year); positive = moved up.
Only when both were computed with the same framework version (content version 5): totals and ranks of
different versions come from different scoring rules (2025.1's per-period min-max against 2026.1's fixed
goalposts and gate), so against a previous publication on another version each row keeps its previous
rank for reference, ``change`` is None and ``previous.comparable`` is false; the pages then show the
previous rank without an arrow and say why (the progress index measures change across versions properly).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation

from qiangji.core.canonical import canonical_json, sha256_text
from qiangji.core.index import IndexSpec
from qiangji.web.publication import standing
from qiangji.web.publication.models import IndexRun, Publication
from qiangji.web.publication.plan_targets import target_rows
from qiangji.web.registry.models import SupervisionFinding

# 2: open findings frozen; 3: document number; 4: gate, floored values, progress; 5: previous.comparable
CONTENT_VERSION = 5
RM_INDICATOR = "D3.1"


def tier_of(rank: int, n: int) -> int:
    """Tier 1, 2 or 3 of publication rank ``rank`` among ``n`` (module docstring)."""
    k = max(1, math.ceil(n / 3))
    return 1 if rank <= k else 2 if rank <= 2 * k else 3


def previous_publication(period: Any) -> Publication | None:
    """The latest final publication of an earlier period of the same kind."""
    return (
        Publication.objects.filter(
            status=Publication.Status.FINAL, period__kind=period.kind, period__end__lt=period.start
        )
        .order_by("-period__end")
        .first()
    )


def _previous_ranks(prev: Publication | None) -> dict[str, int]:
    if prev is None:
        return {}
    return {row["unit"]: row["rank"] for row in prev.content.get("rows", [])}


def _dimensions(spec: IndexSpec) -> list[dict[str, Any]]:
    fw = spec.framework
    return [
        {
            "code": fw.nodes[c].code,
            "name": fw.nodes[c].label("zh"),
            "name_en": fw.nodes[c].label("en"),
            "weight": fw.nodes[c].weight,
        }
        for c in fw.children[-1]
    ]


def _indicators(spec: IndexSpec) -> list[dict[str, Any]]:
    fw = spec.framework
    out = []
    for code in fw.indicators:
        node = fw.node(code)
        out.append(
            {
                "code": code,
                "name": node.label("zh"),
                "name_en": node.label("en"),
                "unit": node.unit or "",
                "dimension": _dimension_of(spec, code),
                "parent": fw.nodes[int(fw.parent[fw.index[code]])].code,
            }
        )
    return out


def _dimension_of(spec: IndexSpec, code: str) -> str:
    fw = spec.framework
    i = fw.index[code]
    top = len(fw.nodes) - 1
    while int(fw.parent[i]) != top:
        i = int(fw.parent[i])
    return fw.nodes[i].code


def _by_unit(res: Mapping[str, Any], key: str, columns: list[str]) -> dict[str, dict[str, float | None]]:
    return {u: dict(zip(columns, row, strict=True)) for u, row in zip(res["units"], res[key], strict=True)}


def _previous(prev: Publication | None, version: str) -> dict[str, Any] | None:
    """The previous publication as the content cites it, and whether its ranks compare with this one's."""
    if prev is None:
        return None
    theirs = prev.run.framework_version.version
    return {
        "period": prev.period.code,
        "label": prev.period.label,
        "sha256": prev.content_sha256,
        "framework_version": theirs,
        "comparable": theirs == version,
    }


def _rows(run: IndexRun, spec: IndexSpec, prev: dict[str, int], comparable: bool) -> list[dict[str, Any]]:
    res = run.results
    nodes = res["nodes"]
    dims = [d["code"] for d in _dimensions(spec)]
    unc = {u: i for i, u in enumerate(res["uncertainty"]["units"])}
    raw = _by_unit(res, "raw", res["indicators"])
    target = float(settings.QIANGJI["RM_COVERAGE_TARGET_PCT"])
    ranked = sorted((int(r), i) for i, r in enumerate(res["publication_rank"]) if r is not None)
    tiers = standing.tiers(spec, res, [i for _rank, i in ranked])
    rows = []
    for (rank, i), tier in zip(ranked, tiers, strict=True):
        unit = res["units"][i]
        scores = dict(zip(nodes, res["scores"][i], strict=True))
        j = unc[unit]
        rm = raw[unit].get(RM_INDICATOR)
        p = prev.get(unit)
        rows.append(
            {
                "rank": rank,
                "unit": unit,
                "name": res["names"][i],
                "score": scores[nodes[-1]],
                "dimensions": {d: scores[d] for d in dims},
                "rank_p05": res["uncertainty"]["rank_p05"][j],
                "rank_p95": res["uncertainty"]["rank_p95"][j],
                "rank_median": res["uncertainty"]["rank_median"][j],
                "tier": tier,
                "gate": standing.gate_of(spec, res, i),
                "floored": standing.floored(res, i),
                "previous_rank": p,
                "change": None if p is None or not comparable else p - rank,
                "rm_coverage": rm,
                "rm_target_met": None if rm is None else rm >= target,
            }
        )
    return rows


def _open_findings(period: Any, units: list[str]) -> dict[str, list[dict[str, str]]]:
    """Each ranked unit's findings open on the as-of date (oldest due date first), as plain values."""
    out: dict[str, list[dict[str, str]]] = {unit: [] for unit in units}
    found = (
        SupervisionFinding.objects.open_on(period.as_of)
        .filter(institution__code__in=units)
        .select_related("institution")
        .order_by("due_on", "pk")
    )
    for f in found:
        out[f.institution.code].append(
            {
                "found_on": f.found_on.isoformat(),
                "sub_dimension": f.sub_dimension,
                "severity": f.severity,
                "description": f.description,
                "due_on": f.due_on.isoformat(),
            }
        )
    return out


def _period(period: Any) -> dict[str, Any]:
    return {
        "code": period.code,
        "label": period.label_zh,  # stored and hashed: the same whatever language computed it
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": period.as_of.isoformat(),
    }


def _run(run: IndexRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "inputs_sha256": run.inputs_sha256,
        "results_sha256": run.results_sha256,
        "code_version": run.code_version,
        "seed": run.seed,
        "runs": run.runs,
        "computed_at": run.created_at.isoformat(),
    }


def build_content(pub: Publication, *, final_on: dt.date | None = None) -> dict[str, Any]:
    """Everything the public pages and exports show for ``pub`` (module docstring); its words (tier rule,
    gate caps) in the site's language whoever builds it, since a final content is frozen and hashed."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(pub, final_on)


def _build(pub: Publication, final_on: dt.date | None) -> dict[str, Any]:
    run = pub.run
    spec = IndexSpec.from_json(run.spec_json)
    fw = spec.framework
    prev = previous_publication(pub.period)
    version = run.framework_version.version
    previous = _previous(prev, version)
    res = run.results
    return {
        "content_version": CONTENT_VERSION,
        "title": pub.title,
        "period": _period(pub.period),
        "framework": {
            "code": fw.code,
            "name": fw.name.get("zh") or fw.code,
            "version": version,
            "sha256": run.framework_version.sha256,
        },
        "run": _run(run),
        "issuing_unit": settings.QIANGJI["ISSUING_UNIT"],
        "status": "final" if final_on else pub.status,
        "notice_started_on": _iso(pub.notice_started_on),
        "notice_ends_on": _iso(pub.notice_ends_on),
        "final_on": _iso(final_on),
        "document_number": document_number(pub, final_on),
        "previous": previous,
        "tier_rule": standing.tier_rule_text(fw.rules.tiers),
        "rm_target_pct": settings.QIANGJI["RM_COVERAGE_TARGET_PCT"],
        "dimensions": _dimensions(spec),
        "indicators": _indicators(spec),
        "rows": _rows(run, spec, _previous_ranks(prev), previous is None or previous["comparable"]),
        "raw": _by_unit(res, "raw", res["indicators"]),
        "contributions": _by_unit(res, "contributions", res["indicators"]),
        "strengths_weaknesses": res["strengths_weaknesses"],
        "open_findings": _open_findings(pub.period, [str(u) for u in res["units"]]),
        "fixed_scales": fw.fixed_scales,
        "progress": standing.progress(run, spec, pub.period),
        **({"plan_targets": target_rows(spec, res)} if res.get("targets") else {}),
    }


def document_number(pub: Publication, final_on: dt.date | None) -> str:
    """The 文号 of ``pub`` finalised on ``final_on`` (module docstring); "" for a draft or notice."""
    if final_on is None:
        return ""
    finals = Publication.objects.filter(status=Publication.Status.FINAL).exclude(pk=pub.pk)
    year = str(final_on.year)
    earlier = sum(1 for p in finals.only("content_json") if str(p.content.get("final_on") or "")[:4] == year)
    pattern = str(settings.QIANGJI["DOCUMENT_NUMBER"])
    return pattern.format(year=final_on.year, number=earlier + 1)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def content_hash(content: Mapping[str, Any]) -> str:
    return sha256_text(canonical_json(content))


def current_content(pub: Publication) -> dict[str, Any]:
    """The frozen content of a final publication, else the content as it would be published now."""
    return pub.content if pub.status == Publication.Status.FINAL else build_content(pub)
