"""Goal metrics: name → function computing a goal's value from the registry as of a date.

A metric takes ``(day, since=baseline, **params)`` and returns a :class:`MetricValue`: the value, the
feasible range (for clipping projections) and, where the goal applies per institution, one
:class:`InstitutionValue` each with whether it meets the goal and what is missing. New metrics are added
to :data:`METRICS`; goals refer to them by name, so a goal is data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from qiangji.web.registry.models import Coverage, Institution, InstitutionGrade, ResearchProject


@dataclass(frozen=True)
class InstitutionValue:
    code: str
    name: str
    value: float | None
    met: bool
    gap: int = 0
    gap_text: str = ""
    yes_no: bool = False  # the value is 1 (yes) or 0 (no): shown as 是/否, never 1.0/0.0


@dataclass(frozen=True)
class MetricValue:
    value: float
    low: float
    high: float
    institutions: tuple[InstitutionValue, ...] = field(default=())
    summary: str = ""


class Registry:
    """The as-of questions a metric asks, answered by the registry's own queries, one at a time.

    :class:`qiangji.web.programme.series.Preloaded` answers the same questions from rows loaded once, to
    evaluate a metric on many dates (the dashboard's quarterly trajectories); a test holds the two equal.
    """

    def institutions(self, day: dt.date, level: str | None) -> list[Institution]:
        rows = Institution.objects.active_on(day).order_by("code")
        return list(rows.filter(level=level) if level else rows)

    def name_on(self, inst: Institution, day: dt.date) -> str:
        return inst.name_on(day)

    def grade_on(self, inst: Institution, day: dt.date) -> InstitutionGrade | None:
        return inst.grade_on(day)

    def coverage(self, inst: Institution, day: dt.date, denominator: str | None) -> Coverage:
        return inst.rm_coverage_on(day, denominator)

    def project_dates(self, inst: Institution) -> list[dt.date]:
        """Approval dates of the institution's research projects of municipal level or above."""
        rows = ResearchProject.objects.exclude(funding_level="other").filter(institution=inst)
        return list(rows.values_list("approved_on", flat=True))


REGISTRY = Registry()


def a_grade_count(
    day: dt.date, *, since: dt.date, level: str | None = None, registry: Registry = REGISTRY, **_: Any
) -> MetricValue:
    """Institutions whose grade decision in effect on ``day`` is A (docs/domain.md#grades)."""
    rows = []
    for inst in registry.institutions(day, level):
        grade = registry.grade_on(inst, day)
        is_a = grade is not None and grade.grade == InstitutionGrade.Grade.A
        label = grade.get_grade_display() if grade else gettext("未评级")
        name = registry.name_on(inst, day)
        rows.append(InstitutionValue(inst.code, name, 1.0 if is_a else 0.0, is_a, 0, label, yes_no=True))
    count = sum(r.met for r in rows)
    return MetricValue(
        float(count), 0.0, float(len(rows)), tuple(rows), gettext("A级机构 %(n)s 家") % {"n": count}
    )


def registrations_needed(registered: int, verification: int, threshold: Decimal) -> int:
    """Smallest k ≥ 0 with (registered + k) / verification ≥ threshold %, k ≤ verification − registered.

    Counts existing verification staff who obtain a registration (the denominator stays the same):
    k = ⌈threshold · verification / 100⌉ − registered, computed in exact decimal arithmetic.
    """
    need = (threshold * verification / Decimal(100)).to_integral_value(rounding=ROUND_CEILING)
    return max(0, min(int(need) - registered, verification - registered))


def rm_coverage_min(
    day: dt.date,
    *,
    since: dt.date,
    level: str | None = "county",
    threshold: float | None = None,
    denominator: str | None = None,
    registry: Registry = REGISTRY,
    **_: Any,
) -> MetricValue:
    """The lowest registered-metrologist coverage (%) among the institutions, with each one's gap
    (``denominator``: the goal's, else ``RM_COVERAGE_DENOMINATOR``)."""
    limit = Decimal(str(threshold if threshold is not None else settings.QIANGJI["RM_COVERAGE_TARGET_PCT"]))
    rows = []
    for inst in registry.institutions(day, level):
        cov, name = registry.coverage(inst, day, denominator), registry.name_on(inst, day)
        pct = None if cov.percent is None else float(cov.percent)
        if cov.denominator == 0:
            rows.append(InstitutionValue(inst.code, name, None, False, 0, gettext("无在岗检定/校准人员")))
            continue
        k = registrations_needed(cov.numerator, cov.denominator, limit)
        text = (
            gettext("还需 %(k)s 名注册计量师（%(n)s/%(d)s）")
            % {"k": k, "n": cov.numerator, "d": cov.denominator}
            if k
            else gettext("已达标")
        )
        rows.append(InstitutionValue(inst.code, name, pct, k == 0, k, text))
    values = [r.value for r in rows if r.value is not None]
    met = sum(r.met for r in rows)
    summary = gettext("%(met)s/%(total)s 家机构覆盖率≥%(limit)s%%") % {
        "met": met,
        "total": len(rows),
        "limit": limit,
    }
    return MetricValue(min(values) if values else 0.0, 0.0, 100.0, tuple(rows), summary)


def institutions_with_research(
    day: dt.date,
    *,
    since: dt.date,
    level: str | None = None,
    new_only: bool = True,
    registry: Registry = REGISTRY,
    **_: Any,
) -> MetricValue:
    """Institutions with an approved research project (municipal level or above) on or before ``day``;
    with ``new_only``, only those that had none approved before ``since`` ("zero breakthrough")."""
    rows = []
    first = since if new_only else dt.date.min
    for inst in registry.institutions(day, level):
        dates = registry.project_dates(inst)
        if new_only and any(d < since for d in dates):
            continue  # had a project already: not a candidate for the breakthrough
        now = sum(1 for d in dates if first <= d <= day)
        text = gettext("已立项 %(n)s 项") % {"n": now} if now else gettext("尚无立项科研项目")
        name = registry.name_on(inst, day)
        rows.append(InstitutionValue(inst.code, name, float(now), now > 0, 0 if now else 1, text))
    count = sum(r.met for r in rows)
    return MetricValue(
        float(count), 0.0, float(len(rows)), tuple(rows), gettext("实现零突破 %(n)s 家") % {"n": count}
    )


Metric = Callable[..., MetricValue]
METRICS: dict[str, Metric] = {
    "a_grade_count": a_grade_count,
    "rm_coverage_min": rm_coverage_min,
    "institutions_with_research": institutions_with_research,
}


def evaluate(
    metric: str, day: dt.date, since: dt.date, params: dict[str, Any], registry: Registry = REGISTRY
) -> MetricValue:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(sorted(METRICS))}, got {metric!r}")
    value = METRICS[metric](day, since=since, registry=registry, **params)
    if math.isnan(value.value):
        raise ValueError(f"metric {metric} gave no value on {day}")
    return value
