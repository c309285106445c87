"""A county reporter's home: its open periods, returned values with the reason, findings to rectify and
comparison rounds awaiting its results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from qiangji.web.assessment.models import Period, Rectification, ReportedValue, ReportTransition
from qiangji.web.inbox.events import finding_link, report_link
from qiangji.web.inbox.progress import InstitutionProgress, active_periods, days_left, own_extension, progress
from qiangji.web.registry.models import Institution, SupervisionFinding

Stage = Period.Stage
#: Stages a county has something to do in or to know about (公示: the objection deadline).
REPORTER_STAGES = (Stage.NOT_OPEN, Stage.REPORTING, Stage.REVIEW, Stage.NOTICE)


@dataclass(frozen=True)
class PeriodItem:
    period: Period
    stage: str
    stage_label: str
    days_left: int | None
    extension: dt.date | None
    progress: InstitutionProgress
    link: str


@dataclass(frozen=True)
class ReturnedItem:
    report: ReportedValue
    step: ReportTransition | None
    link: str


@dataclass(frozen=True)
class FindingItem:
    finding: SupervisionFinding
    overdue: bool
    days: int
    last: Rectification | None
    link: str


def periods(inst: Institution, day: dt.date) -> list[PeriodItem]:
    items = []
    for period, stage in active_periods(day):
        if stage not in REPORTER_STAGES:
            continue
        if stage == Stage.NOT_OPEN and period.opens_on is None:
            continue  # not announced yet
        (row,) = progress(period, [inst])
        items.append(
            PeriodItem(
                period, stage, period.stage_label(day), days_left(period.deadline, day),
                own_extension(period, inst, day), row, report_link(period, inst),
            )
        )  # fmt: skip
    return items


def returned(inst: Institution) -> list[ReturnedItem]:
    steps = (
        ReportTransition.objects.filter(to_status="returned").select_related("actor").order_by("-at", "-pk")
    )
    reports = (
        ReportedValue.objects.filter(institution=inst, status=ReportedValue.Status.RETURNED)
        .select_related("period", "institution")
        .prefetch_related(Prefetch("transitions", queryset=steps, to_attr="returns"))
        .order_by("period__end", "indicator")
    )
    return [
        ReturnedItem(r, r.returns[0] if r.returns else None, report_link(r.period, inst)) for r in reports
    ]


def findings(inst: Institution, day: dt.date) -> list[FindingItem]:
    rects = Rectification.objects.order_by("-submitted_on", "-pk")
    rows = (
        SupervisionFinding.objects.open_on(day)
        .filter(institution=inst)
        .prefetch_related(Prefetch("rectifications", queryset=rects, to_attr="latest"))
        .order_by("due_on", "pk")
    )
    return [
        FindingItem(f, f.due_on < day, abs((f.due_on - day).days), f.latest[0] if f.latest else None,
                    finding_link(f))
        for f in rows
    ]  # fmt: skip


def comparison_rounds(inst: Institution) -> list[Any]:
    """Open comparison rounds the institution takes part in and has not submitted results to yet."""
    from qiangji.web.comparisons.models import ComparisonRound, Participant

    parts = Participant.objects.filter(
        institution=inst, round__status=ComparisonRound.Status.OPEN, submissions__isnull=True
    ).select_related("round")
    return [p.round for p in parts.order_by("round__deadline")]


def context(inst: Institution, today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    return {
        "institution": inst,
        "periods": periods(inst, day),
        "returned": returned(inst),
        "findings": findings(inst, day),
        "rounds": comparison_rounds(inst),
    }
