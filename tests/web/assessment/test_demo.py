"""demo_assessment: complete, deterministic, idempotent, with the real workflow's trail, and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from qiangji.web.accounts.context import acting_as
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment import workflow
from qiangji.web.assessment.demo import REPORTER, REVIEWER, demo_assessment, demo_indicators
from qiangji.web.assessment.inputs import build_inputs
from qiangji.web.assessment.models import (
    ChecklistItem,
    Evidence,
    FrameworkVersion,
    Period,
    ReportedValue,
    ReportTransition,
    SupervisionVisit,
)
from tests.web.registry import factories as f

from .helpers import D, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def institutions() -> None:
    for code, registered in (("A", 4), ("B", 1)):
        inst = f.institution(code)
        for n in range(5):
            person = f.staff(inst)
            if n < registered:
                f.registration(person, D(2020, 1, 1), D(2026, 1, 1))


def test_it_fills_every_reported_and_supervised_indicator(institutions: None) -> None:
    created = demo_assessment(["2024Q1", "2024"])
    assert created == 2 * 2 * len(demo_indicators())
    assert set(demo_indicators()) == {"D1.2", "D1.3", "D3.3", "D4.3", "D4.4", "C1.3", "C3.2"}
    report = ReportedValue.objects.filter(indicator="C3.2").first()
    assert report is not None and report.status == "locked" and report.evidence.count() == 1
    trail = [(t.to_status, t.actor.username) for t in report.transitions.all()]
    assert trail == [("submitted", REPORTER), ("approved", REVIEWER), ("locked", REVIEWER)]
    assert SupervisionVisit.objects.filter(status="completed").count() == 2  # quarters only
    fv = FrameworkVersion.objects.get(version="2025.1")
    for code in ("2024Q1", "2024"):
        frame = build_inputs(Period.objects.get(code=code), fv).frame
        filled = [*demo_indicators(), "C1.1", "C2.3", "C3.1"]
        assert not frame[filled].isna().any().any(), code


def test_it_is_idempotent_and_deterministic(institutions: None) -> None:
    demo_assessment(["2024Q1"])
    fv = FrameworkVersion.objects.get(version="2025.1")
    first = build_inputs(Period.objects.get(code="2024Q1"), fv).frame
    assert demo_assessment(["2024Q1"]) == 0
    ReportedValue.objects.update(status="draft")  # lift the lock only to start again from scratch
    ReportedValue.objects.all().delete()
    SupervisionVisit.objects.all().delete()
    demo_assessment([Period.objects.get(code="2024Q1")])
    again = build_inputs(Period.objects.get(code="2024Q1"), fv).frame
    assert np.array_equal(first.to_numpy(), again.to_numpy(), equal_nan=True)


def test_it_gives_the_better_staffed_institution_better_reported_values(institutions: None) -> None:
    demo_assessment(["2024Q2", "2024"])  # the year gathers the visit of its second quarter
    fv = FrameworkVersion.objects.get(version="2025.1")
    frame = build_inputs(Period.objects.get(code="2024"), fv).frame
    assert frame.loc["A", "D1.2"] > frame.loc["B", "D1.2"]
    assert frame.loc["A", "C1.1"] > frame.loc["B", "C1.1"]


def test_it_audits_every_row_it_writes_in_bulk(institutions: None) -> None:
    # Bulk writes send no signals: demo_assessment writes the create events itself, one per row, with
    # the stored row as "after" (accounts/audit.py), attributed to the acting user.
    admin = get_user_model().objects.create_user("seeder")
    with acting_as(admin, source="command"):
        demo_assessment(["2024Q1"])
    for model in (ReportedValue, Evidence, ReportTransition, SupervisionVisit, ChecklistItem):
        ids = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        events = AuditEvent.objects.filter(model=model._meta.model_name, action="create")
        assert ids and set(events.values_list("object_id", flat=True)) == ids, model
        assert set(events.values_list("actor", "source")) == {("seeder", "command")}
    report = ReportedValue.objects.filter(indicator="D1.2").first()
    assert report is not None
    event = AuditEvent.objects.get(model="reportedvalue", object_id=str(report.pk))
    assert event.after is not None and event.after["status"] == "locked"
    assert event.after["value"] == str(report.value) and "updated_at" not in event.changed


def test_it_draws_up_a_bulk_trail_with_the_same_rules() -> None:
    reporter, reviewer = user("trail-reporter"), user("trail-reviewer")
    report = ReportedValue(status=workflow.DRAFT, value=Decimal("3"))
    rows = workflow.trail(report, [(workflow.SUBMITTED, reporter), (workflow.APPROVED, reviewer)])
    assert [(r.from_status, r.to_status, r.actor, r.value) for r in rows] == [
        ("draft", "submitted", reporter, Decimal("3")),
        ("submitted", "approved", reviewer, Decimal("3")),
    ]
    assert report.status == workflow.APPROVED
    with pytest.raises(ValidationError):  # four eyes
        workflow.trail(ReportedValue(), [(workflow.SUBMITTED, reporter), (workflow.APPROVED, reporter)])
    with pytest.raises(ValidationError):  # no skipping a step
        workflow.trail(ReportedValue(), [(workflow.LOCKED, reviewer)])


def test_it_leaves_2026q1_in_review_and_2026q2_open_with_one_value_returned(institutions: None) -> None:
    from qiangji.web.assessment.demo import RETURN_REASON, demo_open_periods

    today = D(2026, 12, 6)
    report = demo_open_periods(today)
    assert report.opened == ["2026Q1", "2026Q2"]
    q1, q2 = Period.objects.get(code="2026Q1"), Period.objects.get(code="2026Q2")
    assert q1.stage(today) == "review" and q1.deadline == D(2026, 4, 15) and q1.locked_at is None
    assert set(q1.reports.values_list("status", flat=True)) == {"approved"}
    assert q1.reports.count() == 2 * len(demo_indicators())
    assert q2.stage(today) == "reporting" and q2.deadline == D(2027, 1, 5)  # 30 days ahead of the run
    statuses = set(q2.reports.values_list("institution__code", "status"))
    assert statuses == {("A", "returned"), ("A", "submitted")}  # A reported; B has not yet
    returned = q2.reports.get(status="returned").transitions.get(to_status="returned")
    assert returned.reason == RETURN_REASON and returned.actor.username == REVIEWER
    assert demo_open_periods(today).opened == [] and q2.reports.count() == len(demo_indicators())
    assert demo_open_periods(D(2026, 2, 1)).opened == []  # once opened, left as it is


def test_its_2026_periods_use_framework_2026_1_with_a_gated_strong_institution(institutions: None) -> None:
    from qiangji.web.assessment.demo import GATED_INSTITUTION, demo_open_periods
    from qiangji.web.assessment.facts import gate_facts
    from qiangji.web.registry.models import Institution

    wl = Institution.objects.create(
        code=GATED_INSTITUTION, name="温岭（示例）", level=Institution.Level.COUNTY
    )
    demo_open_periods(D(2026, 12, 6))
    q1, q2 = Period.objects.get(code="2026Q1"), Period.objects.get(code="2026Q2")
    assert q1.framework_version.version == q2.framework_version.version == "2026.1"
    facts = gate_facts(q1, [wl], ("open_critical_findings",))
    assert facts["open_critical_findings"][GATED_INSTITUTION] == "1"  # the 2026.1 gate caps it at 59


def test_2026q1s_visit_closes_the_findings_left_open_so_the_gate_cases_are_the_deliberate_ones(
    institutions: None,
) -> None:
    from qiangji.web.assessment.demo import GATED_INSTITUTION, demo_open_periods
    from qiangji.web.assessment.facts import gate_facts
    from qiangji.web.registry.models import Institution, SupervisionFinding

    wl = Institution.objects.create(
        code=GATED_INSTITUTION, name="温岭（示例）", level=Institution.Level.COUNTY
    )
    a = Institution.objects.get(code="A")
    carried = [  # open at the end of the demo data: due in January 2026, and one long overdue
        SupervisionFinding.objects.create(
            institution=a,
            found_on=found,
            sub_dimension="C1",
            severity="major",
            description="（示例）",
            due_on=found + dt.timedelta(days=30),
        )
        for found in (D(2025, 12, 12), D(2024, 6, 13))
    ]
    demo_open_periods(D(2026, 12, 6))
    q1 = Period.objects.get(code="2026Q1")
    visit = SupervisionVisit.objects.get(period=q1, institution=a)
    for finding in carried:
        finding.refresh_from_db()
        assert finding.closed_on == visit.visited_on
    insts = list(Institution.objects.order_by("code"))
    facts = gate_facts(q1, insts, ("open_critical_findings", "overdue_major_findings"))
    assert facts["overdue_major_findings"] == {i.code: "0" for i in insts}
    assert facts["open_critical_findings"] == {i.code: "1" if i == wl else "0" for i in insts}
