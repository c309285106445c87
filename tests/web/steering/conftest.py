"""A small, hand-countable world for the steering features (issue 19, points 3–5 and 7).

Divisions A (泵与电机, 模具) and B (模具, 阀门, 眼镜配件); county C1 serves A, county C2 serves B, the city
institute TZ serves none. Catalogue items I1 衡器, I2 压力表, I3 水表, I4 出租车计价器 (all under
mandatory verification). Every figure the tests expect is counted by hand in the test's comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from qiangji.web.registry.models import (
    Division,
    IndustryService,
    Institution,
    InstitutionMVItem,
    MVCatalogueItem,
    RMRegistration,
    Staff,
)
from qiangji.web.steering.models import CapabilityPlan, DutyListItem, PlanAssignment, PlanTarget

D = dt.date


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def item(l1: int, name: str) -> MVCatalogueItem:
    return MVCatalogueItem.objects.create(
        catalogue_version=settings.QIANGJI["CATALOGUE_VERSION"],
        level1_no=l1,
        level1_name=name,
        level2_no=1,
        level2_name=name,
        supervision_mode="V",
        mv_form="periodic",
        evidence="confirmed",
    )


def authorise(inst: Institution, it: MVCatalogueItem, volume: int | None, to: dt.date | None = None) -> None:
    InstitutionMVItem.objects.create(
        institution=inst, item=it, authorised_from=D(2022, 1, 1), authorised_to=to, annual_volume=volume
    )


def service(inst: Institution, quarter: int, enterprise: str, tag: str, certs: int, year: int = 2025) -> None:
    IndustryService.objects.create(
        institution=inst,
        year=year,
        quarter=quarter,
        enterprise=enterprise,
        cluster_tag=tag,
        service_type="calibration",
        certificates=certs,
    )


def people(inst: Institution, n: int, registered: int, prefix: str) -> list[Staff]:
    out = []
    for i in range(n):
        s = Staff.objects.create(
            institution=inst, name=f"{prefix}{i}", is_verification=True, hired_on=D(2020, 1, 1)
        )
        if i < registered:
            RMRegistration.objects.create(
                staff=s,
                level=2,
                qualification_cert_no=f"Q{prefix}{i}",
                registration_no=f"R{prefix}{i}",
                valid_from=D(2022, 1, 1),
                valid_to=D(2026, 12, 31),
                professional_items=["衡器"],
            )
        out.append(s)
    return out


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return build_world()


def build_world() -> dict[str, Any]:
    a = Division.objects.create(code="A", name="甲区", kind="district", block_industries=["泵与电机", "模具"])
    b = Division.objects.create(
        code="B", name="乙县", kind="county", block_industries=["模具", "阀门", "眼镜配件"]
    )
    tz = Institution.objects.create(code="TZ", name="市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="甲区计量所（示例）", level=Institution.Level.COUNTY)
    c2 = Institution.objects.create(code="C2", name="乙县计量所（示例）", level=Institution.Level.COUNTY)
    c1.divisions.add(a)
    c2.divisions.add(b)
    i1, i2, i3, i4 = item(1, "衡器"), item(2, "压力表"), item(3, "水表"), item(4, "出租车计价器")
    authorise(c1, i1, 1000)
    authorise(c1, i2, 500)
    authorise(c1, i4, None)  # authorised, no volume recorded: 授权未开展
    authorise(c2, i1, 800)
    authorise(c2, i4, 200, to=D(2025, 6, 30))  # expired before the as-of date
    authorise(tz, i4, 300)
    for division, year, it, population in [
        (a, 2025, i1, 5000),
        (a, 2025, i2, 1200),
        (a, 2025, i3, 900),
        (b, 2025, i1, 4000),
        (b, 2025, i3, 600),
        (b, 2024, i2, 100),  # an older list of B: replaced by B's 2025 list
    ]:
        DutyListItem.objects.create(division=division, year=year, item=it, population=population)
    service(c1, 1, "泵厂甲", "泵与电机", 10)
    service(c1, 2, "泵厂乙", "泵与电机", 5)
    service(c1, 2, "泵厂甲", "泵与电机", 4)
    service(c1, 3, "模具厂丁", "模具", 3)
    service(c2, 1, "模具厂丙", "模具", 7)
    service(tz, 2, "模具厂己", "模具", 2)
    service(tz, 1, "阀门厂戊", "阀门", 4)
    service(c2, 1, "眼镜厂庚", "眼镜配件", 9, year=2024)  # last year: does not count for 2025
    plan = CapabilityPlan.objects.create(
        name="差异化发展规划（示例）", version="2025.1", adopted_on=D(2025, 1, 15), target_on=D(2025, 12, 31)
    )
    p1 = PlanAssignment.objects.create(
        plan=plan, institution=c1, positioning="综合型（示例）", speciality_clusters=["泵与电机"]
    )
    p1.base_items.set([i1, i2])
    p2 = PlanAssignment.objects.create(plan=plan, institution=c2, positioning="山区民生型（示例）")
    p2.base_items.set([i1])
    PlanTarget.objects.create(assignment=p1, indicator="D1.2", value=100)
    PlanTarget.objects.create(assignment=p1, indicator="D3.1", value=80)
    draft = CapabilityPlan.objects.create(name="草案（示例）", version="2026.0", target_on=D(2026, 12, 31))
    d1 = PlanAssignment.objects.create(plan=draft, institution=c1, positioning="草案（示例）")
    PlanTarget.objects.create(assignment=d1, indicator="D1.2", value=50)
    people(c1, 2, 2, "甲")
    people(c2, 4, 1, "乙")
    return {
        "a": a,
        "b": b,
        "tz": tz,
        "c1": c1,
        "c2": c2,
        "i1": i1,
        "i2": i2,
        "i3": i3,
        "i4": i4,
        "plan": plan,
    }
