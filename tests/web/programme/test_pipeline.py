"""The registered-metrologist pipeline per person and a county's coverage forecast at the deadline, with
and without its named candidates. Every figure is counted by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qiangji.web.programme.candidacy import RMCandidate
from qiangji.web.programme.pipeline import county_forecast, person_stage, programme_deadline
from qiangji.web.registry.models import (
    ContinuingEducation,
    ExamSubjectPass,
    Institution,
    RMCredential,
    RMRegistration,
    Staff,
)

D = dt.date
DAY, DEADLINE = D(2025, 3, 31), D(2025, 12, 31)
pytestmark = pytest.mark.django_db


def person(inst: Institution, name: str, **kw: object) -> Staff:
    return Staff.objects.create(
        institution=inst, name=name, is_verification=True, hired_on=D(2018, 1, 1), **kw
    )


def register(s: Staff, valid_to: dt.date) -> None:
    RMRegistration.objects.create(
        staff=s, level=2, qualification_cert_no=f"Q-{s.name}", registration_no=f"R-{s.name}",
        valid_from=D(2020, 7, 1), valid_to=valid_to, professional_items=["衡器"],
    )  # fmt: skip


@pytest.fixture
def county() -> Institution:
    """10 verification staff on 2025-03-31: 8 registered (80 %).

    - 5 registered to 2027 → registered on the deadline;
    - "续" registered to 2025-06-30 with 70 CE hours (≥ 60) → assumed renewed; "缺" with 10 hours → lapses;
    - "走" registered, leaves on 2025-09-30 → out of the deadline's group (9 remain);
    - candidate "甲": level 2 passed in 2024 (both subjects) with an older 计量检定员证, planned 2025-06-30;
      earliest = 2025-03-31 + 90 days = 2025-06-29 → counted on 2025-06-30 ≤ deadline;
    - candidate "乙": level 1, one subject in 2024; the next results are 2025-12-31, + 90 (项目考核) + 90
      (registration) = 2026-06-29 > deadline → not counted.
    Without: 5 + 1 = 6 of 9 = 66.7 %; with: 7 of 9 = 77.8 %.
    """
    inst = Institution.objects.create(code="TT", name="天台所（示例）", level=Institution.Level.COUNTY)
    for i in range(5):
        register(person(inst, f"注{i}"), D(2027, 12, 31))
    renew, lapse = person(inst, "续"), person(inst, "缺")
    for s, hours in ((renew, "70"), (lapse, "10")):
        register(s, D(2025, 6, 30))
        ContinuingEducation.objects.create(
            staff=s, completed_on=D(2024, 5, 1), hours=Decimal(hours), provider="学会"
        )
    register(person(inst, "走", left_on=D(2025, 9, 30)), D(2027, 12, 31))
    a, b = person(inst, "甲"), person(inst, "乙")
    ExamSubjectPass.objects.create(staff=a, level=2, subject="law", exam_year=2024)
    ExamSubjectPass.objects.create(staff=a, level=2, subject="practice", exam_year=2024)
    RMCredential.objects.create(
        staff=a, kind="verifier", cert_no="JDY-1", issued_on=D(2015, 1, 1), items=["衡器"]
    )
    ExamSubjectPass.objects.create(staff=b, level=1, subject="law", exam_year=2024)
    RMCandidate.objects.create(staff=a, level=2, target_date=D(2025, 6, 30), named_on=D(2025, 1, 1))
    RMCandidate.objects.create(staff=b, level=1, target_date=D(2025, 10, 31), named_on=D(2025, 1, 1))
    return inst


def test_each_person_s_stage(county) -> None:
    a = person_stage(Staff.objects.get(name="甲"), 2, DAY)
    assert a.stage == "items" and a.qualified_by == "2024年考试合格" and a.earliest == D(2025, 6, 29)
    b = person_stage(Staff.objects.get(name="乙"), 1, DAY)
    assert b.stage == "exams" and b.exam.remaining == ("case", "data") and b.exam.finish_by == 2026
    assert b.remaining == ("计量专业案例分析", "测量数据处理与计量专业实务")
    # Two years on, the 2024 subject has left its window (2025–2027 no longer contains it).
    assert person_stage(Staff.objects.get(name="乙"), 1, D(2026, 12, 31)).stage == "lost"
    assert b.earliest == D(2026, 6, 29)
    r = person_stage(Staff.objects.get(name="续"), 2, DAY)
    assert r.stage == "renewal" and r.ce_hours == Decimal("70") and r.renewal_ready


def test_the_forecast_with_and_without_candidates(county) -> None:
    f = county_forecast(county, DAY, DEADLINE)
    assert (f.registered_now, f.group_now) == (8, 10) and f.now_pct == 80.0
    assert (f.without, f.with_candidates, f.group_at_deadline) == (6, 7, 9)
    assert round(f.without_pct, 1) == 66.7 and round(f.with_pct, 1) == 77.8
    assert f.leaving == ("走",) and len(f.lapsing) == 1 and f.lapsing[0].startswith("缺")
    counted = {row.candidate.staff.name: row.counted_on for row in f.candidates}
    assert counted == {"甲": D(2025, 6, 30), "乙": D(2026, 6, 29)}


def test_the_deadline_is_the_coverage_goal_s_until_it_has_passed() -> None:
    assert programme_deadline(D(2025, 3, 31)) == (D(2025, 12, 31), "行动完成期限")
    day, why = programme_deadline(D(2026, 6, 30))
    assert day == D(2026, 12, 31) and "已过" in why
