"""A级 readiness: the checklist file, each criterion's evidence and gap, the trend's projected date, the
honest "no trend yet", slippage as an alert and as a notification. Values checked by hand in comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from qiangji.core.errors import InputError
from qiangji.web.accounts.roles import assign_role
from qiangji.web.inbox import events
from qiangji.web.inbox.models import Notification
from qiangji.web.programme.alerts import alerts_on
from qiangji.web.programme.candidacy import AGradeCandidate
from qiangji.web.programme.criteria import load_checklist
from qiangji.web.programme.readiness import readiness
from qiangji.web.registry.models import Institution, MeasurementStandard, SupervisionFinding

D = dt.date
pytestmark = pytest.mark.django_db
CHECKLIST = """
version: test-1
status: proposal
title: 测试清单
criteria:
  - {code: A1, name: 有效社会公用计量标准, metric: public_standards, op: ">=", threshold: 4, unit: 项}
  - {code: A7, name: 逾期未整改问题, metric: overdue_findings, op: "<=", threshold: 0, unit: 项}
"""


@pytest.fixture(autouse=True)
def _no_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def file(tmp_path: Path) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(CHECKLIST, encoding="utf-8")
    return p


@pytest.fixture
def candidate() -> AGradeCandidate:
    """Public standards valid: 1 on 2023-01-01 (the goal's baseline), 2 on 03-31, 3 on 06-30."""
    inst = Institution.objects.create(code="WL", name="温岭所（示例）", level=Institution.Level.COUNTY)
    for i, issued in enumerate([D(2022, 1, 1), D(2023, 2, 1), D(2023, 5, 1)]):
        MeasurementStandard.objects.create(
            institution=inst, name=f"标准{i}", jjf1022_code=f"1511310{i}", is_public=True,
            assessment_cert_no=f"[2023]WL-{i}", assessment_issued_on=issued,
            assessment_expires_on=D(2027, 12, 31),
        )  # fmt: skip
    return AGradeCandidate.objects.create(
        institution=inst, named_on=D(2023, 1, 1), target_date=D(2023, 12, 31)
    )


def test_the_shipped_checklist_is_a_proposal_with_known_metrics() -> None:
    checklist = load_checklist()
    assert checklist.is_proposal and len(checklist.criteria) == 9


def test_a_bad_checklist_names_the_entry_and_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(CHECKLIST.replace("overdue_findings", "typo_metric"), encoding="utf-8")
    with pytest.raises(InputError, match="第2条 metric"):
        load_checklist(p)


def test_evidence_gap_and_the_projected_date(candidate, file) -> None:
    r = readiness(candidate, D(2023, 6, 30), load_checklist(file))
    a1, a7 = r.criteria
    assert a1.evidence.value == 3.0 and a1.gap == 1.0 and not a1.met
    assert [v for _d, v in a1.history] == [1.0, 2.0, 3.0]
    # t = 0, 89/365.25, 180/365.25 years; least squares: slope 4.05817/yr, intercept 1.00374;
    # 4 is reached at (4 − 1.00374)/4.05817 = 0.73833 yr = 269.7 days → 2023-09-28.
    assert a1.reaches_on == D(2023, 9, 28)
    assert a7.met and r.projected_on == D(2023, 9, 28) and r.points == 3
    assert not r.slipping  # 2023-09-28 is before the planned 2023-12-31


def test_after_a_setback_the_date_is_projected_from_todays_value(candidate, file) -> None:
    # public standards valid: 1 on 01-01, 6 on 03-31 (five more issued 02-01), 3 on 06-30 (three of those
    # five expired on 05-31)
    inst = candidate.institution
    MeasurementStandard.objects.filter(institution=inst).exclude(name="标准0").delete()
    for i in range(1, 6):
        MeasurementStandard.objects.create(
            institution=inst, name=f"新标准{i}", jjf1022_code=f"1511320{i}", is_public=True,
            assessment_cert_no=f"[2023]WL-N{i}", assessment_issued_on=D(2023, 2, 1),
            assessment_expires_on=D(2023, 5, 31) if i > 2 else D(2027, 12, 31),
        )  # fmt: skip
    r = readiness(candidate, D(2023, 6, 30), load_checklist(file))
    a1 = r.criteria[0]
    assert [v for _d, v in a1.history] == [1.0, 6.0, 3.0] and not a1.met
    # least squares on t = 0, 89/365.25, 180/365.25: slope 3.99805/yr, intercept 2.35184; the line reaches
    # 4 at 0.41224 yr (2023-06-01), before today, while the value (3) has not: from today, the gap 1 at
    # 3.99805/yr takes 0.25012 yr = 91.4 days → 2023-06-30 + 91 days = 2023-09-29 (not "today")
    assert a1.slope_per_year == pytest.approx(3.99805, abs=1e-5)
    assert a1.reaches_on == D(2023, 9, 29) and r.projected_on == D(2023, 9, 29)


def test_no_trend_yet_from_a_single_point(candidate, file) -> None:
    r = readiness(candidate, D(2023, 1, 1), load_checklist(file))
    assert r.points == 1 and r.projected_on is None and "尚无趋势" in r.projection_text
    assert r.criteria[0].slope_per_year is None and not r.slipping


def test_it_slips_when_projected_after_the_planned_date(candidate, file) -> None:
    candidate.target_date = D(2023, 9, 1)
    candidate.save()
    r = readiness(candidate, D(2023, 6, 30), load_checklist(file))
    assert r.slipping and "晚于计划达标日期 2023-09-01" in r.slipping_text


def test_a_lost_criterion_slips_alerts_and_notifies_once(candidate, file, settings) -> None:
    SupervisionFinding.objects.create(
        institution=candidate.institution, source="supervision", found_on=D(2023, 4, 1), sub_dimension="C1",
        severity="major", description="内审未按期完成（示例）", due_on=D(2023, 5, 1),
    )  # fmt: skip
    settings.QIANGJI = {**settings.QIANGJI, "A_GRADE_CRITERIA": str(file)}
    r = readiness(candidate, D(2023, 6, 30))
    assert r.criteria[1].lost and r.slipping and "A7 由满足变为未满足" in r.slipping_text
    # overdue findings 0, 0, 1 at t = 0, 0.24367, 0.49281 yr: slope +2.0366/yr, away from ≤ 0
    assert r.projection_text == "按当前趋势无法达到：A7（每年 +2.0项，未向达标方向改善）"
    found = [a for a in alerts_on(D(2023, 6, 30)) if a.kind == "readiness_slipping"]
    assert [(a.institution, a.due_on) for a in found] == [("WL", D(2023, 12, 31))]
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.create_user("office")
    assign_role(office, "admin")
    rep = get_user_model().objects.create_user("rep-wl")
    assign_role(rep, "reporter", candidate.institution)
    made = events.readiness_slipped(D(2023, 6, 30))
    assert sorted(n.recipient.username for n in made) == ["office", "rep-wl"]
    assert events.readiness_slipped(D(2023, 6, 30)) == []  # once per quarter
    assert Notification.objects.filter(kind="readiness_slipped").count() == 2
