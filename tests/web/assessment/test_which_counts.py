"""Which value counts: for a derived, a supervision and a reported indicator the pages say which source
counts and why, a county is told plainly when its value is a fallback, and the reviewer sees the value
that counts next to the reported one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from qiangji.web.assessment import workflow
from qiangji.web.assessment.inputs import which_counts
from qiangji.web.assessment.models import ReportedValue, SupervisionVisit
from qiangji.web.assessment.reporting import Entry, save_entry
from tests.web.registry import factories as f

from .helpers import D, open_now, reporter, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    period = open_now("2024Q1")
    inst = f.institution("A", name="甲县计量检定所（示例）")
    registered = f.staff(inst)
    f.registration(registered, D(2020, 1, 1), D(2025, 1, 1))
    f.staff(inst)  # D3.1 = 1 of 2 = 50 %, derived from the registry
    visit = SupervisionVisit.create_with_checklist(
        period=period, institution=inst, visited_on=D(2024, 3, 1), inspectors="王某"
    )
    for item in visit.items.filter(indicator="C1.1"):
        item.awarded = item.max_points
        item.save()
    visit.status = SupervisionVisit.Status.COMPLETED
    visit.save()
    return {"period": period, "inst": inst, "county": reporter("county", inst), "office": user("office")}


def test_it_says_the_registry_counts_and_the_report_is_a_fallback(world: dict[str, Any]) -> None:
    which = which_counts(world["period"], world["inst"], "D3.1")
    assert (which.source, which.value, which.fallback, which.asks_report) == ("derived", 50.0, True, False)
    assert "本指标以登记数据计算为准" in which.statement
    assert "填报的数值仅在登记数据缺失时采用" in which.statement


def test_it_says_supervision_counts_for_c1_1(world: dict[str, Any]) -> None:
    which = which_counts(world["period"], world["inst"], "C1.1")
    assert (which.source, which.value, which.fallback) == ("supervision", 100.0, True)
    assert "本指标以督导检查评分计算为准" in which.statement


def test_it_says_the_reported_value_counts_for_d1_3(world: dict[str, Any]) -> None:
    which = which_counts(world["period"], world["inst"], "D1.3")
    # No annual volume stored: the registry cannot answer, so the reported value counts (issue 19: D1.3 is
    # derived from the stored volumes where they exist).
    assert (which.source, which.asks_report) == (None, True)
    assert "本期登记数据缺失" in which.statement
    c32 = which_counts(world["period"], world["inst"], "C3.2")  # no comparison evaluated: reported counts
    assert c32.asks_report and "本期登记数据缺失" in c32.statement
    assert "无需填报" in which_counts(world["period"], world["inst"], "D2.1").statement


def test_the_report_page_marks_fallback_rows_and_asks_for_the_rest(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["county"])
    html = client.get("/assessment/2024Q1/report/A/").content.decode()
    d31 = _row(html, "D3.1")
    assert 'data-counts="fallback"' in d31 and "替代值" in d31 and "当前计入值 50" in d31
    assert "填报的数值仅在登记数据缺失时采用" in d31
    c11 = _row(html, "C1.1")
    assert 'data-counts="fallback"' in c11 and "督导检查评分" in c11
    d13 = _row(html, "D1.3")
    assert 'data-counts="reported"' in d13 and "计入" in d13 and "以机构填报并经审核通过的数值为准" in d13


def test_the_reviewer_sees_the_counting_value_beside_the_reported_one(world: dict[str, Any]) -> None:
    period, inst, county = world["period"], world["inst"], world["county"]
    for code, value in (("D3.1", "90"), ("D1.3", "1200")):
        entry = (
            Entry(None, Decimal(value), Decimal(100), "")
            if code == "D3.1"
            else Entry(Decimal(value), None, None)
        )
        report = save_entry(period, inst, code, entry, county)
        report.evidence.create(
            file="x.pdf", original_name="x.pdf", sha256="0" * 64, size=1, uploaded_by=county
        )
        workflow.submit(report, county)
    client = Client()
    client.force_login(world["office"])
    html = client.get("/assessment/2024Q1/review/").content.decode()
    d31 = _review_row(html, ReportedValue.objects.get(indicator="D3.1"))
    assert "<strong>50</strong>" in d31 and "填报值不计入" in d31 and "90" in d31
    d13 = _review_row(html, ReportedValue.objects.get(indicator="D1.3"))
    assert "通过后计入本值" in d13 and "1200" in d13
    cell = client.get("/assessment/2024Q1/cell/A/D3.1/").content.decode()
    assert "本指标以登记数据计算为准" in cell and "本期不计入" in cell
    overview = client.get("/assessment/2024Q1/").content.decode()
    assert "填报值不计入" in overview  # D3.1 reported but overridden by the registry


def _row(html: str, code: str) -> str:
    start = html.index(f'id="row-{code}"')
    return html[start : html.index("</tr>", start)]


def _review_row(html: str, report: ReportedValue) -> str:
    start = html.index(f'id="report-{report.pk}"')
    return html[start : html.index("</tr>", start)]
