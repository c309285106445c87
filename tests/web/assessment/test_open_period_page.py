"""The programme admin opens a period on the periods page (code, window, framework version) through
`lifecycle.open_period`: audited, refused with the lifecycle's reason at the form, closed to other roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period
from tests.web.publication.publishing import client_for, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def fv(db: Any) -> FrameworkVersion:
    return ensure_default_framework(FrameworkVersion)[0]


def post(client: Client, **data: str) -> Any:
    return client.post("/assessment/open/", data)


def test_the_admin_opens_and_re_dates_a_period(fv: FrameworkVersion) -> None:
    office = client_for(person("office", "admin"))
    today = timezone.localdate()
    page = office.get("/assessment/").content.decode()
    assert 'id="open-period-form"' in page
    done = post(office, code="2026q3", opens=str(today), deadline=str(today + dt.timedelta(days=9)),
                framework=fv.version)  # fmt: skip
    assert done.status_code == 302
    period = Period.objects.get(code="2026Q3")
    assert (period.opens_on, period.framework_version, period.stage()) == (today, fv, "reporting")
    assert period.opened_by is not None and period.opened_by.username == "office"
    event = AuditEvent.objects.filter(model="period", object_id=str(period.pk)).last()
    assert event is not None and event.actor == "office"
    listing = office.get("/assessment/").content.decode()
    assert "2026年第3季度：填报中" in listing
    # re-dating keeps the start and the framework version
    assert post(office, code="2026Q3", deadline=str(today + dt.timedelta(days=20))).status_code == 302
    period.refresh_from_db()
    assert (period.opens_on, period.deadline, period.framework_version) == (
        today,
        today + dt.timedelta(days=20),
        fv,
    )


def test_refusals_are_shown_at_the_form(fv: FrameworkVersion) -> None:
    office = client_for(person("office", "admin"))
    page = post(office, code="2026Q3", opens="2026-03-01", deadline="2026-02-01")
    assert page.status_code == 400
    assert "填报截止日期 2026-02-01 早于开始日期 2026-03-01。" in page.content.decode()
    page = post(office, code="2026Q5", deadline="2026-02-01")
    assert page.status_code == 400 and "期次代码格式应为" in page.content.decode()
    page = post(office, code="2026Q3", deadline="")
    assert page.status_code == 400 and "这个字段是必填项" in page.content.decode()
    assert not Period.objects.exists()


def test_only_the_programme_admin_opens(fv: FrameworkVersion) -> None:
    reviewer = client_for(person("checker", "reviewer"))
    assert 'id="open-period-form"' not in reviewer.get("/assessment/").content.decode()
    assert post(reviewer, code="2026Q3", deadline="2099-01-01").status_code == 403
    assert post(Client(), code="2026Q3", deadline="2099-01-01").status_code in (302, 403)
    assert not Period.objects.exists()
