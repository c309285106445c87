"""Indicator D3.3 (training hours per technical staff member) from the attendance records.

Registered in the indicator registry (:mod:`qiangji.web.indicators`) by ``ProgrammeConfig.ready``: derived
from the attendance once a session was held in the period, else the institution's reported value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from qiangji.web import indicators
from qiangji.web.indicators import Derived
from qiangji.web.programme.models import Attendance, TrainingSession
from qiangji.web.registry.models import Institution, Staff


@dataclass(frozen=True)
class TrainingHours:
    value: float
    hours: float
    technical_staff: int
    sessions: tuple[str, ...]


def training_hours_per_technical(
    inst: Institution, start: dt.date, end: dt.date, as_of: dt.date
) -> TrainingHours | None:
    """Attended hours of the institution's staff at sessions held in ``[start, end]`` divided by its
    technical staff on ``as_of``. ``None`` when no session was held in the period at all (the programme
    has no data for it; the caller then falls back to a reported value) or there is no technical staff."""
    return training_hours_all([inst], start, end, as_of)[inst.pk]


def training_hours_all(
    insts: Sequence[Institution], start: dt.date, end: dt.date, as_of: dt.date
) -> dict[int, TrainingHours | None]:
    """:func:`training_hours_per_technical` for many institutions, in a fixed number of queries."""
    if not TrainingSession.objects.filter(held_on__gte=start, held_on__lte=end).exists():
        return {i.pk: None for i in insts}
    ids = [i.pk for i in insts]
    technical = Counter(
        Staff.objects.employed_on(as_of)
        .filter(institution__in=ids, is_technical=True)
        .values_list("institution_id", flat=True)
    )
    rows = Attendance.objects.attended_between(start, end).filter(staff__institution__in=ids)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    titles: dict[int, set[str]] = defaultdict(set)
    for inst_id, own, default, title in rows.values_list(
        "staff__institution_id", "hours", "session__hours", "session__title"
    ):
        hours[inst_id] += Decimal(own if own is not None else default)
        titles[inst_id].add(title)
    return {
        pk: TrainingHours(float(hours[pk]) / n, float(hours[pk]), n, tuple(sorted(titles[pk])))
        if (n := technical[pk])
        else None
        for pk in ids
    }


def d3_3_all(insts: Sequence[Institution], period: Any) -> dict[int, Derived | None]:
    """D3.3 for the institutions of ``period``: :func:`training_hours_all` with its provenance."""
    got = training_hours_all(insts, period.start, period.end, period.as_of)
    method = gettext_noop("期内培训到课学时合计 / 基准日在岗技术人员数")
    return {
        pk: None if g is None else Derived(g.value, method, g.hours, float(g.technical_staff), g.sessions)
        for pk, g in got.items()
    }


def register_indicators() -> None:
    """D3.3: from training attendance once sessions exist, else reported (the demo reports it too)."""
    indicators.register("D3.3", source=("derived", "reported"), derive=d3_3_all, demo_reported=True)
