"""What the public pages show, from the publication content (no numerical logic: numbers come stored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.http import Http404
from django.utils.functional import lazy
from django.utils.translation import pgettext

from qiangji.web.publication.content import current_content
from qiangji.web.publication.models import Publication
from qiangji.web.publication.standing import tier_label
from qiangji.web.registry.models import SupervisionFinding

PUBLIC = (Publication.Status.NOTICE, Publication.Status.FINAL)


class PubRef(NamedTuple):
    """What the public pages need to know of a publication before they read it (one light query)."""

    pk: int
    code: str
    status: str
    content_sha256: str
    notice_started_on: Any
    notice_ends_on: Any


def public_index() -> list[PubRef]:
    """:func:`public_publications` as light references, newest period first, in the same order.

    One plain SQL statement: this runs on every public page request, where building the ORM query and
    model objects cost more than the page served from the cache (benchmarks/bench_leaderboard.py).
    """
    q = connection.ops.quote_name
    pub, period = Publication._meta, Publication._meta.get_field("period").related_model._meta
    sql = (
        f"SELECT p.{q('id')}, d.{q('code')}, p.{q('status')}, p.{q('content_sha256')},"
        f" p.{q('notice_started_on')}, p.{q('notice_ends_on')}"
        f" FROM {q(pub.db_table)} p JOIN {q(period.db_table)} d ON d.{q('id')} = p.{q('period_id')}"
        f" WHERE p.{q('status')} IN (%s, %s) ORDER BY d.{q('end')} DESC, d.{q('kind')} ASC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(PUBLIC))
        return [PubRef(*row) for row in cursor.fetchall()]


def choose_ref(refs: list[PubRef], code: str | None) -> PubRef | None:
    """:func:`choose` among light references."""
    if code:
        return next((r for r in refs if r.code == code.strip().upper()), None)
    finals = [r for r in refs if r.status == Publication.Status.FINAL]
    chosen = finals or refs
    return chosen[0] if chosen else None


def public_publications() -> list[Publication]:
    """Publications the public may see (公示中 and final), newest period first; their content is read
    only for the one a page shows (deferred: a page lists every period but shows one)."""
    qs = Publication.objects.filter(status__in=PUBLIC).select_related("period").defer("content_json")
    return list(qs)


def public_publication(code: str | None) -> Publication | None:
    """The public publication of period ``code``; without a code the latest final (else any public) one."""
    return choose(public_publications(), code)


def choose(pubs: list[Publication], code: str | None) -> Publication | None:
    """:func:`public_publication` among ``pubs`` (as :func:`public_publications` lists them)."""
    if code:
        return next((p for p in pubs if p.period.code == code.strip().upper()), None)
    finals = [p for p in pubs if p.status == Publication.Status.FINAL]
    chosen = finals or pubs
    return chosen[0] if chosen else None


def content_of(pub: Publication) -> dict[str, Any]:
    return current_content(pub)


def _bar(row: dict[str, Any], n: int) -> dict[str, float]:
    """Positions (in %) of the 5–95 % rank interval and the rank on a 1…n axis."""
    span = max(n - 1, 1)
    lo, hi = row["rank_p05"] or row["rank"], row["rank_p95"] or row["rank"]
    return {
        "left": 100 * (lo - 1) / span,
        "width": max(100 * (hi - lo) / span, 1.5),
        "dot": 100 * (row["rank"] - 1) / span,
    }


def leaderboard_context(pub: Publication, pubs: list[Publication] | None = None) -> dict[str, Any]:
    content = content_of(pub)
    n = len(content["rows"])
    rows = [{**r, "bar": _bar(r, n), "tier_name": tier_name(r["tier"])} for r in content["rows"]]
    met = sum(1 for r in rows if r["rm_target_met"])
    return {
        "publication": pub,
        "content": content,
        "rows": rows,
        "periods": public_publications() if pubs is None else pubs,
        "rm_met": met,
        "n": n,
    }


def tier_name(tier: int) -> str:
    """第一方阵, 第二方阵, … for any number of tiers the framework declares."""
    return tier_label(tier)


def trend_points(unit: str, kind: str, version: str | None = None) -> list[dict[str, Any]]:
    """The unit's rank and score in every final publication of periods of ``kind``, oldest first; with
    ``version``, only those computed with that framework version (totals of different versions are on
    different scales, and a min-max version's totals are not comparable even among themselves: the
    scorecard says so)."""
    points = []
    finals = Publication.objects.filter(status=Publication.Status.FINAL, period__kind=kind)
    if version is not None:
        finals = finals.filter(run__framework_version__version=version)
    for pub in finals.select_related("period").order_by("period__end"):
        row = next((r for r in pub.content["rows"] if r["unit"] == unit), None)
        if row:
            points.append({"period": pub.period.code, "rank": row["rank"], "score": row["score"]})
    return points


@dataclass(frozen=True)
class OpenFinding:
    """A finding as the publication content recorded it (the templates read it like the model)."""

    found_on: dt.date
    sub_dimension: str
    severity: str
    description: str
    due_on: dt.date

    def get_sub_dimension_display(self) -> str:
        return str(dict(SupervisionFinding.SubDimension.choices).get(self.sub_dimension, self.sub_dimension))

    def get_severity_display(self) -> str:
        return str(dict(SupervisionFinding.Severity.choices).get(self.severity, self.severity))


def open_findings(unit: str, content: dict[str, Any]) -> list[OpenFinding] | None:
    """The unit's open findings as the content holds them; None when the content holds none at all.

    Never read live from the registry: a finding entered after publication (even dated before the as-of
    date) must not change a published scorecard. A final publication from before findings were frozen in
    the content (content version 1) therefore shows none, with a note, rather than today's registry."""
    recorded = content.get("open_findings")
    if recorded is None:
        return None
    return [
        OpenFinding(
            found_on=dt.date.fromisoformat(f["found_on"]),
            sub_dimension=f["sub_dimension"],
            severity=f["severity"],
            description=f["description"],
            due_on=dt.date.fromisoformat(f["due_on"]),
        )
        for f in recorded.get(unit, [])
    ]


def _unit_local(unit: str) -> Any:
    """An indicator's unit in the language of the page that shows it (resolved when rendered)."""
    return lazy(lambda: pgettext("unit", unit) if unit else "", str)()


def _progress_row(content: dict[str, Any], unit: str) -> dict[str, Any] | None:
    """The unit's row of the progress index (进步指数), if the content has one."""
    rows = (content.get("progress") or {}).get("rows", [])
    return next((p for p in rows if p["unit"] == unit), None)


def _progress_ranked(content: dict[str, Any]) -> int:
    """How many units the progress index ranks (a row without a rank is not counted)."""
    return sum(1 for p in (content.get("progress") or {}).get("rows", []) if p["rank"] is not None)


def _strengths_weaknesses(content: dict[str, Any], unit: str) -> list[dict[str, Any]]:
    """The unit's strengths and weaknesses, each with its indicator's names and unit."""
    names = {i["code"]: i for i in content["indicators"]}
    return [
        {
            **s,
            "name": names[s["indicator"]]["name"],
            "name_en": names[s["indicator"]].get("name_en"),
            "unit_label": names[s["indicator"]]["unit"],
            "unit_local": _unit_local(names[s["indicator"]]["unit"]),
        }
        for s in content["strengths_weaknesses"]
        if s["unit"] == unit
    ]


def scorecard_context(pub: Publication, unit: str) -> dict[str, Any]:
    content = content_of(pub)
    row = next((r for r in content["rows"] if r["unit"] == unit), None)
    if row is None:
        raise Http404("institution not in this ranking")
    sw = _strengths_weaknesses(content, unit)
    indicators = [
        {
            **i,
            "raw": content["raw"][unit][i["code"]],
            "contribution": content["contributions"][unit][i["code"]],
        }
        for i in content["indicators"]
    ]
    return {
        "publication": pub,
        "content": content,
        "row": {**row, "tier_name": tier_name(row["tier"])},
        "dimensions": [{**d, "score": row["dimensions"][d["code"]]} for d in content["dimensions"]],
        "strengths": [s for s in sw if s["kind"] == "strength"],
        "weaknesses": [s for s in sw if s["kind"] == "weakness"],
        "indicators": indicators,
        "trend": trend_points(unit, content["period"]["kind"], content["framework"]["version"]),
        "trend_version": content["framework"]["version"],
        "fixed_scales": content.get("fixed_scales", False),
        "progress": _progress_row(content, unit),
        "progress_n": _progress_ranked(content),
        "findings": open_findings(unit, content) or [],
        "findings_recorded": "open_findings" in content,
        "plan_targets": content.get("plan_targets", {}).get(unit, []),
        "n": len(content["rows"]),
    }
