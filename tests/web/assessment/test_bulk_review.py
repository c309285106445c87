"""Review in bulk: approve by institution, by indicator or by selection, each after a confirmation page;
filters; a bulk return needs one reason; the four-eyes rule holds; single decisions from a row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, save_entry
from tests.web.registry import factories as f

from .helpers import open_now, reporter, user

pytestmark = pytest.mark.django_db
QUEUE, BULK = "/assessment/2024Q1/review/", "/assessment/2024Q1/review/bulk/"


def submitted(period: Period, inst: Any, code: str, value: int, who: Any) -> ReportedValue:
    report = save_entry(period, inst, code, Entry(Decimal(value), None, None), who)
    report.evidence.create(file="e.pdf", original_name="e.pdf", sha256="0" * 64, size=1, uploaded_by=who)
    return workflow.submit(report, who)


@pytest.fixture
def queue() -> dict[str, Any]:
    period = open_now("2024Q1")
    a, b = f.institution("A", name="甲县所（示例）"), f.institution("B", name="乙县所（示例）")
    ra, rb = reporter("ra", a), reporter("rb", b)
    for inst, who in ((a, ra), (b, rb)):
        for code, value in (("D1.3", 1000), ("D4.3", 2), ("C1.3", 1)):
            submitted(period, inst, code, value, who)
    office = Client()
    office.force_login(user("office"))
    return {"period": period, "office": office}


def _status(inst: str, code: str) -> str:
    return ReportedValue.objects.get(institution__code=inst, indicator=code).status


def test_it_approves_a_whole_institution_after_one_confirmation(queue: dict[str, Any]) -> None:
    office = queue["office"]
    page = office.get(QUEUE).content.decode()
    assert 'value="approve|inst:A"' in page and "通过甲县所（示例）全部 3 项" in page
    confirm = office.post(BULK, {"bulk": "approve|inst:A"})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "确认通过以下 3 项数据" in html and html.count('name="ids"') == 3
    assert not ReportedValue.objects.filter(status="approved").exists()  # nothing happens before confirming
    ids = [str(r.pk) for r in ReportedValue.objects.filter(institution__code="A")]
    done = office.post(BULK, {"action": "approve", "scope": "selection", "confirm": "1", "ids": ids})
    assert done.status_code == 302
    assert {r.status for r in ReportedValue.objects.filter(institution__code="A")} == {"approved"}
    assert {r.status for r in ReportedValue.objects.filter(institution__code="B")} == {"submitted"}
    assert "已通过 3 项：A 3 项" in office.get(done["Location"]).content.decode()


def test_it_approves_an_indicator_across_institutions(queue: dict[str, Any]) -> None:
    office = queue["office"]
    html = office.post(BULK, {"bulk": "approve|indicator:D1.3"}).content.decode()
    assert "确认通过以下 2 项数据" in html
    ids = [str(r.pk) for r in ReportedValue.objects.filter(indicator="D1.3")]
    office.post(BULK, {"action": "approve", "confirm": "1", "ids": ids})
    assert (_status("A", "D1.3"), _status("B", "D1.3"), _status("A", "D4.3")) == (
        "approved",
        "approved",
        "submitted",
    )


def test_it_approves_a_selection_and_everything_filtered(queue: dict[str, Any]) -> None:
    office = queue["office"]
    pick = [str(ReportedValue.objects.get(institution__code="B", indicator="C1.3").pk)]
    html = office.post(BULK, {"bulk": "approve|selection", "ids": pick}).content.decode()
    assert "确认通过以下 1 项数据" in html
    office.post(BULK, {"action": "approve", "confirm": "1", "ids": pick})
    assert _status("B", "C1.3") == "approved"
    filtered = office.post(BULK, {"bulk": "approve|filtered", "f_inst": "B", "f_status": "submitted"})
    html = filtered.content.decode()
    assert "确认通过以下 2 项数据" in html and 'name="f_inst" value="B"' in html


def test_it_filters_by_institution_indicator_and_status(queue: dict[str, Any]) -> None:
    office = queue["office"]
    html = office.get(QUEUE, {"inst": "A", "indicator": "D4.3"}).content.decode()
    assert html.count('<tr id="report-') == 1
    assert html.count('<tr id="report-') == 1 and 'value="A" selected' in html
    workflow.approve(ReportedValue.objects.get(institution__code="A", indicator="D4.3"), user("other"))
    assert (
        office.get(QUEUE, {"inst": "A", "indicator": "D4.3"}).content.decode().count('<tr id="report-') == 0
    )
    approved = office.get(QUEUE, {"status": "approved"}).content.decode()
    assert approved.count('<tr id="report-') == 1 and 'data-status="approved"' in approved
    assert office.get(QUEUE, {"status": "all"}).content.decode().count('<tr id="report-') == 6


def test_a_bulk_return_needs_one_reason_for_all(queue: dict[str, Any]) -> None:
    office = queue["office"]
    ids = [str(r.pk) for r in ReportedValue.objects.filter(institution__code="B")]
    confirm = office.post(BULK, {"bulk": "return|selection", "ids": ids})
    assert "确认退回以下 3 项数据" in confirm.content.decode()
    refused = office.post(BULK, {"action": "return", "confirm": "1", "ids": ids, "reason": "  "})
    assert refused.status_code == 400 and "批量退回必须填写理由。" in refused.content.decode()
    assert {r.status for r in ReportedValue.objects.filter(institution__code="B")} == {"submitted"}
    office.post(BULK, {"action": "return", "confirm": "1", "ids": ids, "reason": "附件不清晰，请重新上传"})
    returned = ReportedValue.objects.filter(institution__code="B")
    assert {r.status for r in returned} == {"returned"}
    assert {r.transitions.last().reason for r in returned} == {"附件不清晰，请重新上传"}


def test_a_single_return_needs_its_reason(queue: dict[str, Any]) -> None:
    office = queue["office"]
    report = ReportedValue.objects.get(institution__code="A", indicator="D1.3")
    html = office.get(QUEUE).content.decode()
    assert f'form="return-{report.pk}" required' in html  # the browser asks first
    url = f"/assessment/reports/{report.pk}/review/"
    page = office.post(url, {"action": "return", "reason": ""}, follow=True).content.decode()
    assert "退回时必须填写理由。" in page and _status("A", "D1.3") == "submitted"
    office.post(url, {"action": "return", "reason": "与上年差异过大，请说明"})
    assert _status("A", "D1.3") == "returned"


def test_the_four_eyes_rule_holds_in_bulk() -> None:
    period = open_now("2024Q1")
    a = f.institution("A")
    office_user = user("office")
    submitted(period, a, "D1.3", 10, office_user)  # the reviewer entered and submitted it himself
    submitted(period, a, "D4.3", 1, reporter("ra", a))
    office = Client()
    office.force_login(office_user)
    html = office.post(BULK, {"bulk": "approve|inst:A"}).content.decode()
    assert "确认通过以下 1 项数据" in html
    assert "本人提交的数据须由他人审核通过（四眼原则）" in html
    own = ReportedValue.objects.get(indicator="D1.3")
    refused = office.post(BULK, {"action": "approve", "confirm": "1", "ids": [str(own.pk)]}, follow=True)
    assert "没有可通过的数据" in refused.content.decode() and own.status == "submitted"


def test_no_review_controls_after_the_period_is_locked(queue: dict[str, Any]) -> None:
    period = queue["period"]
    for report in ReportedValue.objects.all():
        workflow.approve(report, user(f"u{report.pk}"))
    period.deadline = period.opens_on
    period.save()
    from qiangji.web.assessment import lifecycle

    lifecycle.lock(period, user("locker"))
    html = queue["office"].get(QUEUE, {"status": "all"}).content.decode()
    assert "已锁定，不能再审核" in html
    assert 'id="bulk-form"' not in html and 'name="ids"' not in html


def test_a_confirmation_gone_stale_changes_nothing(queue: dict[str, Any]) -> None:
    office = queue["office"]
    ids = [str(r.pk) for r in ReportedValue.objects.filter(institution__code="A")]
    workflow.approve(ReportedValue.objects.get(institution__code="A", indicator="D1.3"), user("other"))
    stale = office.post(BULK, {"action": "approve", "confirm": "1", "ids": ids})
    assert stale.status_code == 400
    assert "确认期间有数据状态发生变化，未作任何更改" in stale.content.decode()
    assert (_status("A", "D4.3"), _status("A", "C1.3")) == ("submitted", "submitted")
