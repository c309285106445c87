"""Demo data of the assistance programme (deterministic, idempotent), written after the registry demo.

For 2023–2025: topics, trainer availability, each county institution's needs (submitted in January), the
plan proposed by the planner and adopted on 15 February, its sessions with sign-up, attendance and exam
scores of the institutions' technical staff; a few registered-metrologist exam passes of staff not yet
registered. 2026 is opened with a needs deadline of 20 January 2026 and no needs yet, so the dashboard's
default date (31 December 2025, the last demo period's as-of date) shows the coming deadline.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import transaction

from qiangji.web.accounts.audit import record_bulk
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.programme.models import (
    Attendance,
    RMExamPass,
    TrainerAvailability,
    TrainingNeed,
    TrainingSession,
    TrainingTopic,
    TrainingYear,
)
from qiangji.web.programme.plans import adopt_plan, propose_plan
from qiangji.web.registry.models import Institution, Staff

SEED = 20230301
YEARS = (2023, 2024, 2025)
NEXT_YEAR = 2026
TOPICS = (  # code, name, kind, discipline (JJF 1022 first level), hours
    ("LAW", "计量法律法规与行政执法", "knowledge", "", 4),
    ("UNC", "测量不确定度评定与表示", "knowledge", "", 8),
    ("MASS", "衡器与砝码检定实操", "practice", "12", 16),
    ("PRES", "压力仪表检定实操", "practice", "15", 16),
    ("TEMP", "温度计量器具检定", "practice", "04", 12),
    ("FLOW", "燃油加油机与水表检定", "practice", "28", 16),
    ("MED", "医用计量器具检定", "practice", "46", 12),
    ("RM", "注册计量师考前辅导", "exam", "", 24),
)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        if not any(self.created.values()):
            return "帮扶培训演示数据已存在 / programme demo data already loaded"
        parts = ", ".join(f"{k}: {v}" for k, v in self.created.items() if v)
        return f"已加载帮扶培训演示数据 / programme demo data loaded in {self.seconds:.1f} s ({parts})"


def _rng(*keys: object) -> np.random.Generator:
    return np.random.default_rng([SEED, *(zlib.crc32(str(k).encode()) for k in keys)])


def load_programme_demo() -> DemoReport:
    """Load the programme demo unless loaded already (a demo training year exists)."""
    started = time.perf_counter()
    report = DemoReport()
    counties = list(
        Institution.objects.filter(level=Institution.Level.COUNTY, is_ranked=True).order_by("code")
    )
    if not counties or TrainingYear.objects.filter(year__in=YEARS).exists():
        return report
    with transaction.atomic():
        topics = _topics()
        for year in YEARS:
            _year(year, topics, counties, report)
        TrainingYear.objects.create(year=NEXT_YEAR, needs_deadline=dt.date(NEXT_YEAR, 1, 20))
        report.created["exam_passes"] = _exam_passes(counties)
    report.seconds = time.perf_counter() - started
    return report


def _topics() -> dict[str, TrainingTopic]:
    out = {}
    for code, name, kind, discipline, hours in TOPICS:
        out[code], _created = TrainingTopic.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "discipline": discipline, "default_hours": Decimal(hours)},
        )
    return out


def _year(
    year: int, topics: dict[str, TrainingTopic], counties: list[Institution], report: DemoReport
) -> None:
    ty = TrainingYear.objects.create(
        year=year, needs_deadline=dt.date(year, 1, 31), sessions_per_quarter=3, capacity_online=150,
        capacity_offline=35,
    )  # fmt: skip
    rng = _rng("trainers", year)
    slots = []
    for topic in topics.values():
        for q in sorted(rng.choice(4, size=int(rng.integers(2, 5)), replace=False)):
            count = int(rng.integers(1, 3))
            slots.append(TrainerAvailability(year=ty, topic=topic, quarter=int(q) + 1, max_sessions=count,
                                             trainer="市计量院讲师团（示例）"))  # fmt: skip
    record_bulk(AuditEvent.Action.CREATE, TrainerAvailability.objects.bulk_create(slots))
    needs = [n for inst in counties for n in _needs(year, inst, topics)]
    record_bulk(AuditEvent.Action.CREATE, TrainingNeed.objects.bulk_create(needs))
    plan = propose_plan(ty)
    sessions = adopt_plan(plan, None, on=dt.date(year, 2, 15))
    report.created["needs"] = report.created.get("needs", 0) + len(needs)
    report.created["sessions"] = report.created.get("sessions", 0) + len(sessions)
    report.created["attendance"] = report.created.get("attendance", 0) + sum(_attend(s) for s in sessions)


def _needs(year: int, inst: Institution, topics: dict[str, TrainingTopic]) -> list[TrainingNeed]:
    rng = _rng("needs", year, inst.code)
    staff = max(inst.staff_on(dt.date(year, 1, 1)).filter(is_technical=True).count(), 4)
    chosen = rng.choice(sorted(topics), size=int(rng.integers(3, 7)), replace=False)
    return [
        TrainingNeed(
            institution=inst,
            year=year,
            topic=topics[code],
            discipline=topics[code].discipline,
            headcount=int(max(1, round(staff * rng.uniform(0.08, 0.35)))),
            preferred_mode=str(rng.choice(["online", "offline", "either"], p=[0.25, 0.35, 0.4])),
            priority=int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])),
            submitted_on=dt.date(year, 1, int(rng.integers(5, 31))),
        )
        for code in chosen
    ]


def _attend(session: TrainingSession) -> int:
    """Sign up each institution's allotted staff (technical staff employed on the day), most attend."""
    rng = _rng("attendance", session.pk, session.title)
    planned = session.planned.allocation if session.planned else {}
    rows = []
    for code, count in sorted(planned.items()):
        pool = list(
            Staff.objects.employed_on(session.held_on)
            .filter(institution__code=code, is_technical=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in rng.permutation(pool)[: int(count)]:
            present = bool(rng.random() < 0.9)
            score = Decimal(str(round(float(np.clip(rng.normal(78, 10), 30, 100)), 1))) if present else None
            rows.append(Attendance(
                session=session, staff_id=int(pk), signed_up_on=session.held_on - dt.timedelta(days=12),
                attended=present, exam_score=score if session.has_exam else None,
            ))  # fmt: skip
    record_bulk(AuditEvent.Action.CREATE, Attendance.objects.bulk_create(rows))
    return len(rows)


def _exam_passes(counties: list[Institution]) -> int:
    """Two verification staff per county institution who passed the level-2 exam in 2025 but are not
    registered on 31 December 2025: recorded, yet not counted in the coverage until registered."""
    day = dt.date(2025, 12, 31)
    passes = []
    for inst in counties:
        unregistered = inst.verification_staff_on(day).exclude(pk__in=inst.registered_metrologists_on(day))
        for s in unregistered.order_by("pk")[:2]:
            passes.append(RMExamPass(staff=s, level=2, exam_year=2025, passed_on=dt.date(2025, 11, 20),
                                     qualification_cert_no=f"ZJ-2025-{s.pk:05d}（示例）"))  # fmt: skip
    record_bulk(AuditEvent.Action.CREATE, RMExamPass.objects.bulk_create(passes))
    return len(passes)
