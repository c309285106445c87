"""Goal progress as of a date: value, target, trajectory over the programme's quarters, projection, gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiangji.web.programme.metrics import REGISTRY, InstitutionValue, MetricValue, Registry, evaluate
from qiangji.web.programme.models import Goal
from qiangji.web.programme.series import Preloaded
from qiangji.web.registry.dates import quarter_bounds

PROJECTION_METHOD = gettext_lazy(
    "按基准日及各季度末数值的最小二乘线性趋势外推至完成期限，结果限制在可行范围内"
    "（计数目标为0至机构数，覆盖率为0%至100%）；少于3个数据点时不作预测。"
)


@dataclass(frozen=True)
class Projection:
    value: float
    met: bool
    slope_per_year: float


@dataclass(frozen=True)
class GoalStatus:
    goal: Goal
    day: dt.date
    now: MetricValue
    baseline: float
    target: float
    met: bool
    percent: float
    trajectory: tuple[tuple[dt.date, float], ...]
    projection: Projection | None

    @property
    def laggards(self) -> list[InstitutionValue]:
        """Institutions that hold the goal back, largest gap first (none once the goal is met)."""
        if self.met:
            return []
        return sorted((r for r in self.now.institutions if not r.met), key=lambda r: (-r.gap, r.code))

    @property
    def days_left(self) -> int:
        return (self.goal.deadline - self.day).days


def default_as_of() -> tuple[dt.date, str]:
    """The dashboard's default date and how it was chosen: the latest assessment period that has ended
    (its as-of date), else today."""
    from qiangji.web.assessment.models import Period

    today = timezone.localdate()
    latest = Period.objects.filter(end__lte=today).order_by("-end").first()
    if latest is None:
        return today, _("今天")
    return latest.as_of, _("最近一个已结束考核期（%(period)s）的统计基准日") % {"period": latest.label}


def quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The start date, then every quarter's last day after it up to ``end``, then ``end`` itself."""
    days = [start]
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while True:
        last = quarter_bounds(year, quarter)[1]
        if last > end:
            break
        if last > start:
            days.append(last)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    if days[-1] != end:
        days.append(end)
    return days


def project(
    points: list[tuple[dt.date, float]], deadline: dt.date, low: float, high: float
) -> Projection | None:
    """Least-squares linear trend of the points, evaluated at the deadline and clipped to [low, high]."""
    if len(points) < 3:
        return None
    x = np.array([(d - points[0][0]).days / 365.25 for d, _v in points])
    y = np.array([v for _d, v in points])
    slope, intercept = np.polyfit(x, y, 1)
    at = (deadline - points[0][0]).days / 365.25
    return Projection(float(np.clip(intercept + slope * at, low, high)), False, float(slope))


def goal_status(goal: Goal, day: dt.date, registry: Registry = REGISTRY) -> GoalStatus:
    """The goal on ``day`` with its trajectory; ``registry`` answers the as-of questions (a
    :class:`~qiangji.web.programme.series.Preloaded` one reads the registry once for all the dates)."""
    params = dict(goal.params)
    now = evaluate(goal.metric, day, goal.baseline_on, params, registry)
    base = evaluate(goal.metric, goal.baseline_on, goal.baseline_on, params, registry).value
    target = float(goal.target) + (base if goal.target_kind == Goal.TargetKind.INCREASE else 0.0)
    end = min(day, goal.deadline)
    trajectory = tuple(
        (d, now.value if d == day else evaluate(goal.metric, d, goal.baseline_on, params, registry).value)
        for d in quarter_ends(goal.baseline_on, end)
    ) if end >= goal.baseline_on else ()  # fmt: skip
    proj = project(list(trajectory), goal.deadline, now.low, now.high) if day < goal.deadline else None
    if proj is not None:
        proj = Projection(proj.value, proj.value >= target, proj.slope_per_year)
    span = target - base
    percent = 100.0 if span <= 0 else float(np.clip((now.value - base) / span * 100, 0, 100))
    met = now.value >= target
    return GoalStatus(goal, day, now, base, target, met, percent, trajectory, proj)


def all_statuses(day: dt.date) -> list[GoalStatus]:
    """Every active goal on ``day``, the registry read once for all goals and dates."""
    goals = list(Goal.objects.filter(is_active=True))
    registry = Preloaded() if goals else REGISTRY
    return [goal_status(g, day, registry) for g in goals]
