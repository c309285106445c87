"""The registry outside the admin, in Chromium: the public directory, an institution's page, a county
reporter proposing a new member of staff and a city reviewer accepting it. Screenshots in test-output/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Division, Institution, RegistryProposal, Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def make_world() -> dict[str, Any]:
    area = Division.objects.create(code="331099", name="示例区", kind=Division.Kind.DISTRICT)
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(
        code="C1", name="甲县计量所（示例）", level=Institution.Level.COUNTY, contact="0576-00000001"
    )
    c1.divisions.add(area)
    Staff.objects.create(
        institution=c1, name="王五（示例）", hired_on=dt.date(2015, 1, 1), is_verification=True
    )
    users = {}
    for name, role, inst in [("inspector", "reviewer", city), ("county1", "reporter", c1)]:
        users[name] = get_user_model().objects.create_user(name)
        assign_role(users[name], role, inst)
    return users


def signed_in(new_page: Any, base: str, user: Any) -> Any:
    """A page whose browser context carries ``user``'s session (the sign-in page is another test's)."""
    client = Client()
    client.force_login(user)
    page = new_page()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return page


def test_directory_institution_page_propose_and_accept(new_page, live_server, output_dir) -> None:
    users = make_world()
    base = live_server.url

    public = new_page()
    public.goto(f"{base}/institutions/")
    row = public.locator("#directory tr", has_text="甲县计量所（示例）")
    assert "示例区" in row.inner_text() and "0576-00000001" in row.inner_text()
    public.screenshot(path=str(output_dir / "registry-directory.png"), full_page=True)
    public.click("text=甲县计量所（示例）")
    public.wait_for_url(f"{base}/institutions/C1/")
    assert "王五" not in public.content() and public.locator(".tabs >> text=人员与注册").count() == 0

    reporter = signed_in(new_page, base, users["county1"])
    reporter.goto(f"{base}/institutions/C1/")
    reporter.click(".tabs >> text=人员与注册")
    reporter.wait_for_url(f"{base}/institutions/C1/staff/")
    assert "王五（示例）" in reporter.locator("#rows").inner_text()
    reporter.click("#propose-new")
    reporter.fill("input[name=name]", "周九（示例）")
    reporter.fill("input[name=staff_no]", "A009")
    reporter.select_option("select[name=title]", "intermediate")
    reporter.check("input[name=is_verification]")
    reporter.fill("input[name=hired_on]", "2025-03-01")
    reporter.fill("input[name=left_on]", "2024-01-01")
    reporter.click("text=提交申请")
    assert "离职日期不能早于入职日期" in reporter.locator("[data-field=left_on]").inner_text()
    reporter.screenshot(path=str(output_dir / "registry-propose-error.png"), full_page=True)
    reporter.fill("input[name=left_on]", "")
    reporter.fill("textarea[name=note]", "2025年3月入职（示例）")
    reporter.click("text=提交申请")
    proposal = RegistryProposal.objects.get()
    reporter.wait_for_url(f"{base}/institutions/proposals/{proposal.pk}/")
    assert reporter.locator("#status").inner_text() == "待审核"
    assert reporter.locator("#accept").count() == 0
    reporter.screenshot(path=str(output_dir / "registry-proposal-pending.png"), full_page=True)

    city = signed_in(new_page, base, users["inspector"])
    city.goto(f"{base}/institutions/")
    city.click("text=待审核的登记更正申请")
    city.click(f"text=#{proposal.pk}")
    assert "周九（示例）" in city.locator("#changes").inner_text()
    city.click("#accept button")
    city.wait_for_url(f"{base}/institutions/proposals/{proposal.pk}/")
    assert city.locator("#status").inner_text() == "已采纳"
    city.screenshot(path=str(output_dir / "registry-proposal-accepted.png"), full_page=True)

    reporter.goto(f"{base}/institutions/C1/staff/")
    assert "周九（示例）" in reporter.locator("#rows").inner_text()
    assert reporter.locator("header .inbox-count strong").inner_text() == "1"
    reporter.screenshot(path=str(output_dir / "registry-staff-after.png"), full_page=True)
