"""Indicator D3.3 (training hours per technical staff member) from the attendance records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qiangji.web.programme.models import Attendance, TrainingSession, attended_hours
from qiangji.web.registry.models import Institution


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
    if not TrainingSession.objects.filter(held_on__gte=start, held_on__lte=end).exists():
        return None
    technical = inst.staff_on(as_of).filter(is_technical=True)
    n = technical.count()
    if n == 0:
        return None
    staff = inst.staff.all()
    hours = float(attended_hours(staff, start, end))
    rows = Attendance.objects.attended_between(start, end).filter(staff__in=staff)
    titles = tuple(sorted(set(rows.values_list("session__title", flat=True))))
    return TrainingHours(hours / n, hours, n, titles)
