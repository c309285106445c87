"""In Chromium, with real logins: a county reporter fills the one-pass reporting page (an error keeps what
was typed, then one submission with evidence), and the reviewer approves a whole institution and then a
selection, each after a confirmation page, with the PDF evidence previewed in the page. No CSP violation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import ReportedValue
from qiangji.web.assessment.reporting import Entry, attach_evidence, save_entry
from tests.browser.test_csp import Violations
from tests.web.assessment.helpers import PDF, D, open_now, reporter
from tests.web.registry import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "reporting-browser-test-pw-1"  # throwaway accounts of the test database


@pytest.fixture
def period(transactional_db: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qiangji.web.accounts.roles import assign_role
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion

    ensure_default_framework(FrameworkVersion)  # an earlier transactional test flushed it
    open_now("2024Q1")
    a = f.institution("A", name="甲县计量检定所（示例）")
    b = f.institution("B", name="乙县计量检定所（示例）")
    county_a, county_b = reporter("county_a", a), reporter("county_b", b)
    registered = f.staff(a)
    f.registration(registered, D(2020, 1, 1), D(2025, 1, 1))
    f.staff(a)  # D3.1 = 50 %, from the registry: the county's D3.1 would only be a fallback
    office = get_user_model().objects.create_user("office", "office@example.invalid")
    assign_role(office, "reviewer")
    for who in (county_a, office):
        who.set_password(PASSWORD)
        who.save()
    for code, value in (("D1.3", 900), ("D4.3", 1)):  # the other county has reported through the service
        report = save_entry(period_of(), b, code, Entry(Decimal(value), None, None), county_b)
        attach_evidence(report, SimpleUploadedFile(f"{code}.pdf", PDF), county_b)
        workflow.submit(report, county_b)
    return {"a": a, "b": b}


def period_of() -> Any:
    from qiangji.web.assessment.models import Period

    return Period.objects.get(code="2024Q1")


def login(page: Any, base: str, name: str, then: str) -> None:
    page.goto(f"{base}/admin/login/?next={then}")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**{then}")


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_one_pass_reporting_and_bulk_review(new_page, live_server, period, output_dir) -> None:
    county = new_page()
    watch = Violations(county)
    login(county, live_server.url, "county_a", "/assessment/2024Q1/report/A/")
    assert "填报中" in county.locator("#period-stage").inner_text()
    assert "替代值" in county.locator("#row-D3\\.1").inner_text()  # the registry counts for D3.1
    county.fill("input[name='D1.3-value']", "１２，０００")
    county.fill("input[name='D4.3-value']", "两项")
    county.fill("input[name='D4.4-value']", "1")
    county.click("button[value=submit]")
    county.wait_for_load_state("load")
    errors = county.locator("#report-errors").inner_text()
    assert (
        "有 3 处需要修改，本次未保存任何数据" in errors
        and "D1.3 佐证材料：提交审核前请上传佐证材料。" in errors
    )
    assert county.input_value("input[name='D1.3-value']") == "１２，０００"  # what was typed is kept
    assert "必须是数字，实际为“两项”" in county.locator("#row-D4\\.3").inner_text()
    assert county.locator("input[name='D4.3-value'][aria-invalid=true]").count() == 1
    county.screenshot(path=str(output_dir / "report-one-pass-error.png"), full_page=True)
    county.fill("input[name='D4.3-value']", "2")
    for code in ("D1.3", "D4.3", "D4.4"):
        county.set_input_files(f"input[name='{code}-evidence']", [pdf(f"{code} 佐证.pdf")])
    county.click("button[value=submit]")
    county.wait_for_url("**/assessment/2024Q1/report/A/")
    assert "已提交审核 3 项：D1.3、D4.3、D4.4" in county.locator(".messages").inner_text()
    assert {r.indicator: r.value for r in ReportedValue.objects.filter(institution__code="A")} == {
        "D1.3": Decimal(12000), "D4.3": Decimal(2), "D4.4": Decimal(1),
    }  # fmt: skip
    county.screenshot(path=str(output_dir / "report-one-pass-submitted.png"), full_page=True)
    county.goto(live_server.url + "/assessment/2024Q1/upload/")
    assert "上传后直接提交审核" in county.locator("#upload-form").inner_text()
    county.screenshot(path=str(output_dir / "report-upload.png"), full_page=True)
    assert watch.all() == []

    office = new_page()
    watch = Violations(office)
    previews: list[str] = []
    office.on("request", lambda r: previews.append(r.url) if "/preview/" in r.url else None)
    login(office, live_server.url, "office", "/assessment/2024Q1/review/")
    loads: list[str] = []
    row = f"#report-{_pk('A', 'D1.3')}"
    assert previews == [] and office.locator("iframe").count() == 0  # a preview loads when opened
    with office.expect_request("**/preview/"):
        office.locator(f"{row} details.preview summary").first.click()
    office.wait_for_selector(f"{row} iframe.evidence-preview")
    assert office.locator("iframe").count() == 1
    office.screenshot(path=str(output_dir / "review-queue.png"), full_page=True)
    office.on("load", lambda p: loads.append(p.url))
    office.click("button[value='approve|inst:A']")
    office.wait_for_url("**/review/bulk/")
    assert "确认通过以下 3 项数据" in office.locator("h1").inner_text()
    office.screenshot(path=str(output_dir / "review-confirm.png"), full_page=True)
    office.click("#confirm-button")
    office.wait_for_url("**/assessment/2024Q1/review/?*")
    assert "已通过 3 项：A 3 项" in office.locator(".messages").inner_text()
    assert len(loads) == 2  # the confirmation page, then the queue again: approving a county = 2 page loads
    office.check("input[data-check-all]")  # review.js ticks every row
    assert office.locator("[data-selected-count]").inner_text() == "2"
    office.click("button[value='approve|selection']")
    office.wait_for_url("**/review/bulk/")
    office.click("#confirm-button")
    office.wait_for_url("**/assessment/2024Q1/review/?*")
    assert set(ReportedValue.objects.values_list("status", flat=True)) == {"approved"}
    office.goto(live_server.url + "/assessment/2024Q1/lock/")
    assert "截止之后方可锁定" in office.locator("#lock-refusal").inner_text()
    office.screenshot(path=str(output_dir / "review-lock.png"), full_page=True)
    assert watch.all() == []


def _pk(inst: str, code: str) -> int:
    return ReportedValue.objects.get(institution__code=inst, indicator=code).pk
