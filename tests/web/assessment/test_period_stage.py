"""Every assessment page shows the period's stage, reporting window and framework version; a reporter
sees the 填报 link only where it can be used, and the reason otherwise."""

from __future__ import annotations

import pytest
from django.test import Client

from qiangji.web.assessment.models import Period
from tests.web.registry import factories as f

from .helpers import open_now, reporter, user

pytestmark = pytest.mark.django_db


def test_every_assessment_page_shows_the_stage_window_and_framework() -> None:
    period = open_now("2024Q1")
    f.institution("A")
    office = Client()
    office.force_login(user("office"))
    window = f"{period.opens_on:%Y-%m-%d} ～ {period.deadline:%Y-%m-%d}"
    pages = ("", "review/", "report/A/", "upload/", "cell/A/D1.3/", "lock/")
    for url in (f"/assessment/2024Q1/{page}" for page in pages):
        html = office.get(url).content.decode()
        stage = html[html.index('id="period-stage"') :][:600]
        assert "填报中" in stage and window in stage and period.framework_version.version in stage, url
    listing = office.get("/assessment/").content.decode()
    row = listing[listing.index('id="period-2024Q1"') :][:800]
    assert "填报中" in row and window in row and period.framework_version.version in row


def test_a_reporter_gets_the_link_only_while_reporting_is_open() -> None:
    open_now("2024Q1")
    Period.for_code("2023Q4")  # never opened
    inst = f.institution("A")
    client = Client()
    client.force_login(reporter("county", inst))
    html = client.get("/assessment/").content.decode()
    open_row = html[html.index('id="period-2024Q1"') :][:1500]
    closed_row = html[html.index('id="period-2023Q4"') :][:1500].split("</tr>")[0]
    assert "本机构填报" in open_row and "Excel 上传" in open_row
    assert "本机构填报" not in closed_row and "Excel 上传" not in closed_row
    assert "2023年第4季度尚未开放填报。" in closed_row and "查看本机构数据" in closed_row
