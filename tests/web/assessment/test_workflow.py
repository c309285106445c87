"""The 填报 → 提交 → 审核 → 退回/通过 → 锁定 workflow, its audit trail and its refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import Period, ReportedValue, ReportLocked
from qiangji.web.assessment.reporting import (
    Entry,
    attach_evidence,
    current_framework_version,
    entry_errors,
    period_framework,
    save_entry,
)
from tests.web.registry import factories as f

from .helpers import reporting_period, user

pytestmark = pytest.mark.django_db


def _draft(reporter: object, indicator: str = "D4.3", value: int = 2) -> ReportedValue:
    return save_entry(
        reporting_period("2024Q1"), f.institution(), indicator, Entry(Decimal(value), None, None), reporter
    )


def test_it_runs_the_workflow_end_to_end_with_a_trail() -> None:
    reporter, reviewer = user("reporter"), user("reviewer")
    report = _draft(reporter)
    with pytest.raises(ValidationError, match="佐证材料"):
        workflow.submit(report, reporter)
    attach_evidence(report, SimpleUploadedFile("协议.pdf", b"%PDF-1.4 test"), reporter)
    workflow.submit(report, reporter)
    with pytest.raises(ValidationError, match="本人提交"):
        workflow.approve(report, reporter)
    workflow.return_report(report, reviewer, "请补充合作协议盖章页")
    report.refresh_from_db()
    report.value = Decimal(3)
    report.save()
    workflow.submit(report, reporter)
    workflow.approve(report, reviewer)
    workflow.lock(report, reviewer)
    trail = [(t.from_status, t.to_status, t.actor.username, t.reason) for t in report.transitions.all()]
    assert trail == [
        ("draft", "submitted", "reporter", ""),
        ("submitted", "returned", "reviewer", "请补充合作协议盖章页"),
        ("returned", "submitted", "reporter", ""),
        ("submitted", "approved", "reviewer", ""),
        ("approved", "locked", "reviewer", ""),
    ]
    assert [t.value for t in report.transitions.all()][-1] == Decimal(3)
    assert all(t.at is not None for t in report.transitions.all())


def test_it_refuses_to_change_or_delete_a_locked_value(caplog: pytest.LogCaptureFixture) -> None:
    report = _draft(user("reporter"))
    ReportedValue.objects.filter(pk=report.pk).update(status="locked")
    report.refresh_from_db()
    report.value = Decimal(9)
    with pytest.raises(ReportLocked):
        report.save()
    with pytest.raises(ReportLocked):
        report.delete()
    assert ReportedValue.objects.get(pk=report.pk).value == Decimal(2)
    assert "refused change of locked reported value" in caplog.text


def test_it_requires_a_reason_to_return() -> None:
    report = _draft(user("reporter"))
    ReportedValue.objects.filter(pk=report.pk).update(status="submitted")
    with pytest.raises(ValidationError, match="理由"):
        workflow.return_report(report, user("reviewer"), "  ")


def test_it_refuses_steps_out_of_order() -> None:
    report = _draft(user("reporter"))
    with pytest.raises(ValidationError, match="不能执行"):
        workflow.approve(report, user("reviewer"))
    with pytest.raises(ValidationError, match="不能执行"):
        workflow.lock(report, user("boss"))


def test_it_refuses_edits_after_submission() -> None:
    reporter = user("reporter")
    report = _draft(reporter)
    ReportedValue.objects.filter(pk=report.pk).update(status="submitted")
    with pytest.raises(ValidationError, match="不能修改"):
        save_entry(report.period, report.institution, "D4.3", Entry(Decimal(5), None, None), reporter)


def test_it_locks_every_approved_value_of_a_period() -> None:
    report = _draft(user("reporter"))
    ReportedValue.objects.filter(pk=report.pk).update(status="approved")
    assert workflow.lock_period(report.period, user("boss")) == 1
    assert ReportedValue.objects.get(pk=report.pk).status == "locked"


@pytest.mark.parametrize(
    ("code", "entry", "field"),
    [
        ("C3.2", Entry(Decimal(90), None, None), "value"),  # percentages are never typed in
        ("C3.2", Entry(None, Decimal(4), Decimal(3)), "numerator"),
        ("C3.2", Entry(None, Decimal(1), Decimal(0)), "denominator"),
        ("D4.3", Entry(Decimal(51), None, None), "value"),  # bounds [0, 50]
        ("D4.3", Entry(None, Decimal(1), Decimal(2)), "numerator"),
    ],
)
def test_it_rejects_bad_entries(code: str, entry: Entry, field: str) -> None:
    node = current_framework_version().framework().node(code)
    assert list(entry_errors(node, entry)) == [field]


def test_it_accepts_good_entries() -> None:
    fw = current_framework_version().framework()
    assert entry_errors(fw.node("C3.2"), Entry(None, Decimal(3), Decimal(3))) == {}
    assert entry_errors(fw.node("D4.3"), Entry(Decimal(50), None, None)) == {}


def test_it_checks_a_quarters_flow_against_the_pro_rated_yearly_bounds() -> None:
    # D3.3 training hours: bounds [0, 200] per year (docs/domain.md#indicators) → [0, 50] in a quarter
    quarter, year = Period.for_code("2024Q1"), Period.for_code("2024")
    entry = Entry(Decimal(60), None, None)
    errors = entry_errors(period_framework(quarter).node("D3.3"), entry)
    assert errors == {"value": "数值超出允许范围 0～50。（每季度；全年 0～200 按 0.25 年折算）"}
    assert entry_errors(period_framework(year).node("D3.3"), entry) == {}
    assert entry_errors(period_framework(quarter).node("D3.3"), Entry(Decimal(50), None, None)) == {}
    # a stock (valid public standards, D2.1 [0, 300]) keeps its bounds in a quarter
    assert entry_errors(period_framework(quarter).node("D2.1"), Entry(Decimal(280), None, None)) == {}
