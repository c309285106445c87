"""Leadership's one-page summary: the latest final ranking's movers, red flags (registered-metrologist
coverage below target, overdue rectifications, unsatisfactory comparison results, serious programme
alerts), the programme goals, and where each unpublished period stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from qiangji.web.inbox.homes.city import next_step
from qiangji.web.inbox.progress import active_periods
from qiangji.web.programme.alerts import alerts_on
from qiangji.web.programme.progress import all_statuses
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution, SupervisionFinding

#: Alerts already listed under their own red flag (overdue rectifications).
SHOWN_APART = frozenset({"finding_overdue"})


@dataclass(frozen=True)
class Mover:
    unit: str
    name: str
    rank: int
    previous: int
    change: int
    link: str

    @property
    def places(self) -> int:
        """How many places it moved, either way."""
        return abs(self.change)


@dataclass(frozen=True)
class CoverageFlag:
    institution: Institution
    percent: Any
    numerator: int
    denominator: int
    link: str


def latest_final() -> Publication | None:
    return (
        Publication.objects.filter(status=Publication.Status.FINAL)
        .select_related("period")
        .order_by("-period__end", "period__kind")
        .first()
    )


def movers(pub: Publication) -> tuple[list[Mover], list[Mover]]:
    """Institutions that rose and fell against the previous final ranking, biggest change first."""
    code = pub.period.code
    rows = [r for r in pub.content.get("rows", []) if r.get("change")]
    found = [
        Mover(r["unit"], r["name"], r["rank"], r["previous_rank"], r["change"],
              reverse("publication:scorecard", args=[code, r["unit"]]))
        for r in rows
    ]  # fmt: skip
    up = sorted((m for m in found if m.change > 0), key=lambda m: (-m.change, m.rank))
    down = sorted((m for m in found if m.change < 0), key=lambda m: (m.change, m.rank))
    return up, down


def coverage_flags(day: dt.date) -> list[CoverageFlag]:
    target = float(settings.QIANGJI["RM_COVERAGE_TARGET_PCT"])
    flags = []
    for inst in Institution.objects.ranked().active_on(day).order_by("code"):
        cov = inst.rm_coverage_on(day)
        if cov.percent is not None and float(cov.percent) < target:
            link = reverse("programme:institution", args=[inst.code])
            flags.append(CoverageFlag(inst, cov.percent, cov.numerator, cov.denominator, link))
    return flags


def overdue_findings(day: dt.date) -> list[SupervisionFinding]:
    return list(SupervisionFinding.objects.overdue_on(day).select_related("institution").order_by("due_on"))


def unsatisfactory_results(day: dt.date) -> list[Any]:
    """Unsatisfactory comparison results (|En| > 1 and the like) of this year's and last year's rounds."""
    from qiangji.web.comparisons.models import LabResult

    return list(
        LabResult.objects.filter(
            verdict=LabResult.Verdict.UNSATISFACTORY,
            evaluation__round__year__gte=day.year - 1,
        )
        .select_related("participant__institution", "evaluation__round", "evaluation__point")
        .order_by("-evaluation__round__year", "evaluation__round__code", "participant__lab_code")
    )


def context(today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    pub = latest_final()
    up, down = movers(pub) if pub is not None else ([], [])
    alerts = [a for a in alerts_on(day) if a.severity >= 2 and a.kind not in SHOWN_APART]
    return {
        "publication": pub,
        "up": up,
        "down": down,
        "rm_target": settings.QIANGJI["RM_COVERAGE_TARGET_PCT"],
        "coverage": coverage_flags(day),
        "overdue": overdue_findings(day),
        "comparisons": unsatisfactory_results(day),
        "alerts": alerts,
        "goals": all_statuses(day),
        "steps": [next_step(p, s, day) for p, s in active_periods(day)],
    }
