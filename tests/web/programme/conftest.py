"""A small registry: two county institutions and the city institute, staff, registrations, standards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from qiangji.web.programme.models import TrainerAvailability, TrainingTopic, TrainingYear
from qiangji.web.registry.models import (
    Institution,
    InstitutionGrade,
    InstrumentCertificate,
    MeasurementStandard,
    RMRegistration,
    Staff,
    StandardInstrument,
    SupervisionFinding,
)

D = dt.date


def staff(inst: Institution, n: int, *, registered: int, prefix: str) -> list[Staff]:
    people = [
        Staff.objects.create(
            institution=inst, name=f"{prefix}{i}", is_verification=True, hired_on=D(2020, 1, 1)
        )
        for i in range(n)
    ]
    for i, p in enumerate(people[:registered]):
        register(p, D(2022, 1, 1), D(2026, 12, 31), f"{prefix}-R{i}")
    return people


def register(p: Staff, start: dt.date, end: dt.date, no: str) -> RMRegistration:
    return RMRegistration.objects.create(
        staff=p, level=2, qualification_cert_no=f"Q-{no}", registration_no=no, valid_from=start, valid_to=end,
        professional_items=["衡器"],
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached pages are keyed by a data version; a rolled-back test can leave the same version behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="市计量院（示例）", level=Institution.Level.CITY)
    jj = Institution.objects.create(code="JJ", name="椒江所（示例）", level=Institution.Level.COUNTY)
    xj = Institution.objects.create(code="XJ", name="仙居所（示例）", level=Institution.Level.COUNTY)
    InstitutionGrade.objects.create(
        institution=city, grade="A", effective_from=D(2020, 1, 1), source_document="x"
    )
    InstitutionGrade.objects.create(
        institution=jj, grade="B", effective_from=D(2020, 1, 1), source_document="x"
    )
    # JJ: 9 of 10 verification staff registered (90 %); XJ: 3 of 10 (30 %) → needs ⌈8⌉ − 3 = 5 more.
    jj_staff = staff(jj, 10, registered=9, prefix="JJ")
    xj_staff = staff(xj, 10, registered=3, prefix="XJ")
    std = MeasurementStandard.objects.create(
        institution=xj, name="电子天平检定装置", jjf1022_code="12345678", is_public=True,
        assessment_cert_no="[2021]XJ-01", assessment_issued_on=D(2021, 6, 1),
        assessment_expires_on=D(2026, 5, 31),
    )  # fmt: skip
    inst = StandardInstrument.objects.create(standard=std, name="E2砝码")
    InstrumentCertificate.objects.create(
        instrument=inst,
        cert_no="C-1",
        issuer="省院（示例）",
        valid_from=D(2025, 1, 10),
        valid_to=D(2026, 1, 9),
    )
    SupervisionFinding.objects.create(
        institution=jj, found_on=D(2025, 9, 1), sub_dimension="C4", severity="minor",
        description="原始记录缺温湿度", due_on=D(2025, 11, 30),
    )  # fmt: skip
    return {"city": city, "jj": jj, "xj": xj, "jj_staff": jj_staff, "xj_staff": xj_staff, "standard": std}


@pytest.fixture
def training_year(db: Any) -> TrainingYear:
    ty = TrainingYear.objects.create(
        year=2025,
        needs_deadline=D(2025, 1, 31),
        sessions_per_quarter=1,
        capacity_online=100,
        capacity_offline=30,
    )
    a = TrainingTopic.objects.create(
        code="T-A", name="衡器检定实操", kind="practice", default_hours=Decimal("8")
    )
    b = TrainingTopic.objects.create(code="T-B", name="计量法规", default_hours=Decimal("4"))
    for q in (1, 2):
        TrainerAvailability.objects.create(year=ty, topic=a, quarter=q, max_sessions=1)
    TrainerAvailability.objects.create(year=ty, topic=b, quarter=1, max_sessions=1)
    return ty
