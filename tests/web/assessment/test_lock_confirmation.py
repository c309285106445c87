"""Locking asks for confirmation, names what is not yet approved (and refuses then, via lifecycle.lock),
and names the drafts that were never submitted as not counting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, save_entry
from tests.web.registry import factories as f

from .helpers import close_now, open_now, reporter, user

pytestmark = pytest.mark.django_db
LOCK = "/assessment/2024Q1/lock/"


def _submit(period: Period, inst: object, code: str, who: object) -> ReportedValue:
    report = save_entry(period, inst, code, Entry(Decimal(1), None, None), who)  # type: ignore[arg-type]
    report.evidence.create(file="e.pdf", original_name="e.pdf", sha256="0" * 64, size=1, uploaded_by=who)
    return workflow.submit(report, who)


@pytest.fixture
def office() -> Client:
    client = Client()
    client.force_login(user("office"))
    return client


def test_it_names_pending_values_and_offers_no_lock_until_they_are_decided(office: Client) -> None:
    period = open_now("2024Q1", days_left=3)
    a = f.institution("A", name="甲县所（示例）")
    county = reporter("ra", a)
    _submit(period, a, "D1.3", county)
    approved = _submit(period, a, "D4.3", county)
    workflow.approve(approved, user("checker"))
    save_entry(period, a, "C1.3", Entry(Decimal(2), None, None), county)  # a draft, never submitted
    period = close_now(period)  # values go in while the window is open; locking comes after it
    html = office.get(LOCK).content.decode()
    assert "尚有 1 项未审核通过" in html and "A 甲县所（示例） D1.3（已提交待审核）" in html
    assert "以下草稿从未提交审核，锁定后不计入" in html and "A 甲县所（示例） C1.3" in html
    assert 'id="lock-button"' not in html
    refused = office.post(LOCK, {"confirm": "1"})  # e.g. a second tab: lifecycle.lock refuses and says why
    assert refused.status_code == 400
    assert "尚有未审核通过的数据，不能锁定：A D1.3（已提交待审核），共 1 项。" in refused.content.decode()
    assert Period.objects.get(pk=period.pk).locked_at is None


def test_it_locks_after_confirmation_and_names_the_drafts(office: Client) -> None:
    period = open_now("2024Q1", days_left=3)
    a = f.institution("A")
    county = reporter("ra", a)
    workflow.approve(_submit(period, a, "D1.3", county), user("checker"))
    save_entry(period, a, "C1.3", Entry(Decimal(2), None, None), county)
    period = close_now(period)
    html = office.get(LOCK).content.decode()
    assert 'id="lock-button"' in html and "将锁定已审核通过的 1 项数据" in html
    assert ReportedValue.objects.get(indicator="D1.3").status == "approved"  # nothing before confirming
    done = office.post(LOCK, {"confirm": "1"})
    assert done.status_code == 302
    assert ReportedValue.objects.get(indicator="D1.3").status == "locked"
    page = office.get(done["Location"]).content.decode()
    assert "2024年第1季度 已锁定：1 项已通过的数据已锁定。" in page
    assert "以下草稿从未提交审核，不计入：A C1.3。" in page
    assert "已锁定" in page and 'id="period-stage"' in page


def test_it_refuses_to_lock_before_the_deadline(office: Client) -> None:
    open_now("2024Q1", days_left=3)
    html = office.get(LOCK).content.decode()
    assert "截止之后方可锁定" in html and 'id="lock-button"' not in html
    refused = office.post(LOCK, {"confirm": "1"})
    assert refused.status_code == 400 and "截止之后方可锁定" in refused.content.decode()
    review = office.get("/assessment/2024Q1/review/").content.decode()
    assert 'id="lock-link"' not in review and "后方可锁定" in review
