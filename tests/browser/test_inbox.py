"""Signing in as a county reporter and as the programme admin lands each on its own home page (待办),
showing that role's work; the reporter's unread notification is counted in the header and read on its page.
Everything the test needs is created here (transactional tests start from an empty database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment import workflow as reporting
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.registry.models import Institution, SupervisionFinding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-test-2026!"
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def make_world() -> dict[str, Any]:
    ensure_default_framework(FrameworkVersion)
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="甲县计量所（示例）", level=Institution.Level.COUNTY)
    Institution.objects.create(code="C2", name="乙县计量所（示例）", level=Institution.Level.COUNTY)
    users = {}
    for name, role, inst in [
        ("office", "admin", city),
        ("inspector", "reviewer", city),
        ("county1", "reporter", c1),
    ]:
        users[name] = get_user_model().objects.create_user(name, f"{name}@example.invalid", password=PASSWORD)
        assign_role(users[name], role, inst)
    period = lifecycle.open_period("2030Q1", deadline=TODAY + 6 * DAY, user=users["office"])
    Period.for_code("2030Q2")  # created, not opened yet
    value = ReportedValue.objects.create(
        period=period, institution=c1, indicator="D3.1", value=12, status=ReportedValue.Status.SUBMITTED
    )
    reporting.return_report(value, users["inspector"], "佐证材料中的培训人次与填报值不一致")
    SupervisionFinding.objects.create(
        institution=c1, found_on=TODAY - 30 * DAY, sub_dimension="C3", severity="major",
        description="现场抽查原始记录缺少复核签字（示例）", due_on=TODAY + 4 * DAY,
    )  # fmt: skip
    return users


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.click("header >> text=登录")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/home/")


def test_a_reporter_and_the_admin_land_on_their_homes(new_page, live_server, output_dir) -> None:
    make_world()
    base = live_server.url

    page = new_page()
    sign_in(page, base, "county1")
    main = page.locator("main")
    assert "甲县计量所（示例）" in main.locator("h1").inner_text()
    periods = main.locator("#periods + .cards").inner_text()
    assert "2030年第1季度" in periods and "填报中" in periods and "还有 6 天" in periods
    assert "佐证材料中的培训人次与填报值不一致" in main.locator("#returned + .scroll table").inner_text()
    assert "现场抽查原始记录缺少复核签字" in main.locator("#findings + .scroll table").inner_text()
    assert page.locator("header .inbox-count strong").inner_text() == "2"  # opened + returned
    page.screenshot(path=str(output_dir / "inbox-reporter-home.png"), full_page=True)
    page.click("main .unread >> text=被退回")  # opens the message's page and marks it read
    page.wait_for_url(f"{base}/assessment/2030Q1/report/C1/")
    assert page.locator("header .inbox-count strong").inner_text() == "1"
    page.goto(f"{base}/notifications/")
    page.screenshot(path=str(output_dir / "inbox-reporter-notifications.png"), full_page=True)

    admin = new_page()
    sign_in(admin, base, "office")
    steps = admin.locator("#steps").inner_text()
    assert "2030年第2季度" in steps and "开放填报" in steps
    assert "2030年第1季度" in steps and "0/2 个机构已提交全部数据" in steps
    assert "乙县计量所（示例）" in admin.locator("#queues ~ .scroll table").last.inner_text()
    admin.screenshot(path=str(output_dir / "inbox-admin-home.png"), full_page=True)
