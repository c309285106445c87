"""Implausible dates and magnitudes are refused where they enter (security review, issue 13: L3): a
period 9999Q1 or a finding due 9999-12-31, through the pages, the admin and the Excel import. Comparison
results: tests/web/comparisons/test_bounds.py."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.assessment.models import Period, SupervisionVisit
from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry.models import Institution, SupervisionFinding


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def root(db: Any) -> Client:
    return client_for(get_user_model().objects.create_superuser("root", "root@example.invalid"))


@pytest.mark.parametrize("code", ["9999Q1", "9999", "1999Q4", "0001"])
def test_the_periods_page_refuses_an_implausible_year(root: Client, code: str) -> None:
    page = root.post("/assessment/", {"code": code}).content.decode()
    assert "年份应在 2000 至" in page
    assert not Period.objects.exists()


def test_the_admin_refuses_an_implausible_period_and_accepts_next_year(root: Client) -> None:
    page = root.post("/admin/assessment/period/add/", {"code": "9999Q1"}).content.decode()
    assert "年份应在 2000 至" in page and not Period.objects.exists()
    next_year = f"{dt.date.today().year + 1}Q1"
    assert root.post("/admin/assessment/period/add/", {"code": next_year}).status_code == 302
    assert Period.objects.filter(code=next_year).exists()


def test_the_window_is_configurable(root: Client, settings: Any) -> None:
    settings.QIANGJI_PLAUSIBLE = {"EARLIEST_YEAR": 1990, "YEARS_AHEAD": 1}
    root.post("/assessment/", {"code": "1995Q2"})
    assert Period.objects.filter(code="1995Q2").exists()
    far = f"{dt.date.today().year + 2}"
    assert "年份应在 1990 至" in root.post("/assessment/", {"code": far}).content.decode()


@pytest.fixture
def visit(db: Any) -> SupervisionVisit:
    inst = Institution.objects.create(code="C1", name="示例县计量所1（示例）", level="county")
    period = Period.objects.create(code="2024Q1")
    return SupervisionVisit.objects.create(period=period, institution=inst, visited_on=dt.date(2024, 3, 1))


def test_a_finding_due_9999_is_refused_on_the_visit_page(root: Client, visit: SupervisionVisit) -> None:
    data = {
        "sub_dimension": "C1",
        "rule": "",
        "severity": "minor",
        "description": "台账不全",
        "due_on": "9999-12-31",
    }
    page = root.post(f"/assessment/visits/{visit.pk}/findings/", data, follow=True).content.decode()
    assert "日期应在 2000-01-01 至" in page and "9999-12-31" in page
    assert not SupervisionFinding.objects.exists()
    root.post(f"/assessment/visits/{visit.pk}/findings/", {**data, "due_on": "2024-06-30"})
    assert SupervisionFinding.objects.get().due_on == dt.date(2024, 6, 30)


def test_a_finding_due_9999_is_refused_by_the_admin(root: Client, visit: SupervisionVisit) -> None:
    data = {
        "institution": visit.institution.pk, "source": "supervision", "found_on": "2024-03-01",
        "sub_dimension": "C1", "rule": "", "severity": "minor", "description": "台账不全",
        "due_on": "9999-12-31", "closed_on": "",
    }  # fmt: skip
    page = root.post("/admin/registry/supervisionfinding/add/", data).content.decode()
    assert "日期应在 2000-01-01 至" in page and not SupervisionFinding.objects.exists()


def test_a_finding_due_9999_is_refused_by_the_excel_import(visit: SupervisionVisit) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "督导发现问题"
    ws.append(["institution.code", "found_on", "sub_dimension", "severity", "description", "due_on"])
    ws.append(["C1", "2024-03-01", "C1", "一般", "台账不全", "9999-12-31"])
    out = io.BytesIO()
    wb.save(out)
    result = import_workbook(io.BytesIO(out.getvalue()))
    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("督导发现问题", 2, "F")
    assert "日期应在 2000-01-01 至" in error.rule
    assert not SupervisionFinding.objects.exists()
