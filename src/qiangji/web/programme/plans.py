"""From a year's needs to a proposed plan (through :func:`qiangji.core.planning.plan_training`) and from an
adopted plan to the sessions that take place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qiangji.core.planning import plan_training
from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.programme.models import (
    PlannedSession,
    TrainerAvailability,
    TrainingNeed,
    TrainingPlan,
    TrainingSession,
    TrainingTopic,
    TrainingYear,
)
from qiangji.web.registry.dates import quarter_bounds


class PlanLocked(Exception):
    """An adopted plan is not proposed again or edited."""


def needs_frame(year: int) -> pd.DataFrame:
    rows = TrainingNeed.objects.filter(year=year).select_related("institution", "topic").order_by("pk")
    return pd.DataFrame(
        [
            {
                "institution": n.institution.code,
                "topic": n.topic.code,
                "discipline": n.discipline or n.topic.discipline,
                "headcount": n.headcount,
                "mode": n.preferred_mode,
                "weight": n.weight,
            }
            for n in rows
        ],
        columns=["institution", "topic", "discipline", "headcount", "mode", "weight"],
    )


def _trainers(year: TrainingYear) -> dict[tuple[str, int], int]:
    rows = TrainerAvailability.objects.filter(year=year).select_related("topic")
    return {(t.topic.code, t.quarter): t.max_sessions for t in rows}


@transaction.atomic
def propose_plan(year: TrainingYear) -> TrainingPlan:
    """Solve the year's plan and store it as a draft (replacing an earlier draft's sessions)."""
    plan, _created = TrainingPlan.objects.get_or_create(year=year)
    if plan.status == TrainingPlan.Status.ADOPTED:
        raise PlanLocked(f"{year.year} plan is adopted")
    topics = {t.code: t for t in TrainingTopic.objects.all()}
    frame = needs_frame(year.year)
    result = plan_training(
        frame,
        sessions_per_quarter=year.sessions_per_quarter,
        capacity={"online": year.capacity_online, "offline": year.capacity_offline},
        trainers=_trainers(year),
        hours={code: float(t.default_hours) for code, t in topics.items()},
    )
    plan.sessions.all().delete()
    created = PlannedSession.objects.bulk_create(
        PlannedSession(
            plan=plan,
            topic=topics[s.topic],
            quarter=s.quarter,
            mode=s.mode,
            capacity=s.capacity,
            hours=Decimal(str(s.hours)),
            enrolled=s.enrolled,
            allocation=dict(s.allocation),
        )
        for s in result.sessions
    )
    record_bulk(AuditEvent.Action.CREATE, created)  # bulk_create sends no signals
    plan.objective, plan.total_demand = result.objective, result.total_weighted_demand
    plan.uncovered = [_uncovered(u, topics) for u in result.uncovered]
    plan.save()
    return plan


#: The planner's reasons (qiangji.core.planning.REASONS) in the request's language.
REASON_LABELS = {
    "no_trainer": gettext_lazy("无可用师资"),
    "capacity": gettext_lazy("已开场次名额已满"),
    "trainer_limit": gettext_lazy("师资已排满"),
    "quarter_limit": gettext_lazy("季度场次已达上限"),
}


def uncovered_rows(plan: TrainingPlan) -> list[dict[str, Any]]:
    """The plan's uncovered needs with the reason in the request's language."""
    return [
        {**u, "reason_text": str(REASON_LABELS.get(u.get("reason", ""), u["reason_text"]))}
        for u in plan.uncovered
    ]


def _uncovered(u: Any, topics: dict[str, TrainingTopic]) -> dict[str, Any]:
    return {
        "institution": u.institution,
        "topic": u.topic,
        "topic_name": topics[u.topic].name,
        "headcount": u.headcount,
        "weight": u.weight,
        "reason": u.reason,
        "reason_text": u.reason_text,
    }


def session_day(year: int, quarter: int, index: int) -> dt.date:
    """A default date for the ``index``-th session of a quarter: the 15th of its months, in turn."""
    start, _end = quarter_bounds(year, quarter)
    month = start.month + index % 3
    return dt.date(year, month, 15)


@transaction.atomic
def adopt_plan(plan: TrainingPlan, user: Any = None, on: dt.date | None = None) -> list[TrainingSession]:
    """Adopt the (edited) plan: every planned session becomes a :class:`TrainingSession`."""
    if plan.status == TrainingPlan.Status.ADOPTED:
        raise PlanLocked(f"{plan.year.year} plan is adopted already")
    made = []
    per_quarter: dict[int, int] = {}
    for p in plan.sessions.select_related("topic").order_by("quarter", "topic__code", "mode"):
        k = per_quarter.get(p.quarter, 0)
        per_quarter[p.quarter] = k + 1
        held = session_day(plan.year.year, p.quarter, k)
        made.append(
            TrainingSession.objects.create(
                year=plan.year.year,
                quarter=p.quarter,
                topic=p.topic,
                title=f"{plan.year.year}年第{p.quarter}季度 {p.topic.name}（{p.get_mode_display()}）",
                mode=p.mode,
                held_on=held,
                signup_deadline=held - dt.timedelta(days=10),
                hours=p.hours,
                capacity=p.capacity,
                planned=p,
            )
        )
    plan.status = TrainingPlan.Status.ADOPTED
    plan.adopted_on = on or timezone.localdate()
    plan.adopted_by = user if user is not None and getattr(user, "pk", None) else None
    plan.save()
    return made
