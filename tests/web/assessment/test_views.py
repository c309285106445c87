"""The staff pages: login required, the overview grid, reporting with evidence, review, supervision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiangji.web.accounts.locking import version_token
from qiangji.web.assessment.models import (
    FrameworkVersion,
    Rectification,
    ReportedValue,
    SupervisionVisit,
)
from qiangji.web.registry.models import SupervisionFinding
from tests.web.registry import factories as f

from .helpers import D, open_now, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    period = open_now("2024Q1")
    inst = f.institution("A", name="甲县计量检定所（示例）")
    person = f.staff(inst)
    f.registration(person, D(2020, 1, 1), D(2025, 1, 1))
    f.staff(inst)
    return {"period": period, "inst": inst}


def _client(name: str) -> Client:
    c = Client()
    c.force_login(user(name))
    return c


def test_it_requires_a_staff_login(setup: dict[str, Any]) -> None:
    anonymous = Client()
    for url in (
        "/assessment/",
        "/assessment/2024Q1/",
        "/assessment/2024Q1/review/",
        "/assessment/2024Q1/visits/",
    ):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider = Client()
    outsider.force_login(user("public", is_staff=False))
    assert outsider.get("/assessment/2024Q1/").status_code == 302


def test_it_shows_each_value_with_its_source(setup: dict[str, Any]) -> None:
    html = _client("office").get("/assessment/2024Q1/").content.decode()
    assert "甲县计量检定所（示例）" in html
    assert 'data-source="derived"' in html and 'data-source="missing"' in html
    assert "持有效注册的检定/校准人员 / 在岗检定/校准人员；1 / 2" in html  # D3.1 tooltip
    cell = _client("office2").get("/assessment/2024Q1/cell/A/D3.1/").content.decode()
    assert "50" in cell and "derived" in cell


def test_it_takes_a_report_through_form_review_and_lock(setup: dict[str, Any]) -> None:
    reporter, reviewer = _client("reporter"), _client("reviewer")
    url = "/assessment/2024Q1/report/A/"
    evidence = SimpleUploadedFile("比对报告.pdf", b"%PDF-1.4 demo")
    reporter.post(
        url, {"C3.2-numerator": "9", "C3.2-denominator": "10", "C3.2-evidence": evidence, "action": "submit"}
    )
    report = ReportedValue.objects.get(indicator="C3.2")
    assert (report.status, report.value) == ("submitted", Decimal("90.000000"))
    page = reviewer.get("/assessment/2024Q1/review/").content.decode()
    assert "比对报告.pdf" in page
    reviewer.post(f"/assessment/reports/{report.pk}/review/", {"action": "return", "reason": ""})
    assert ReportedValue.objects.get(pk=report.pk).status == "submitted"  # no reason, no return
    reviewer.post(f"/assessment/reports/{report.pk}/review/", {"action": "approve"})
    setup["period"].deadline = setup["period"].opens_on  # the window has closed: review, then lock
    setup["period"].save()
    reviewer.post("/assessment/2024Q1/lock/", {"confirm": "1"})
    assert ReportedValue.objects.get(pk=report.pk).status == "locked"
    reporter.post(url, {"C3.2-numerator": "1", "C3.2-denominator": "10", "action": "save"})
    assert ReportedValue.objects.get(pk=report.pk).value == Decimal("90.000000")
    grid = reviewer.get("/assessment/2024Q1/").content.decode()
    assert 'data-source="reported"' in grid


def test_it_refuses_a_typed_percentage_in_the_form(setup: dict[str, Any]) -> None:
    response = _client("reporter").post(
        "/assessment/2024Q1/report/A/", {"C3.2-value": "90", "action": "save"}, follow=True
    )
    assert "不要直接填写百分比" in response.content.decode()
    assert not ReportedValue.objects.exists()


def test_it_serves_evidence_only_after_login(setup: dict[str, Any]) -> None:
    reporter = _client("reporter")
    reporter.post(
        "/assessment/2024Q1/report/A/",
        {"D4.3-value": "1", "action": "save", "D4.3-evidence": SimpleUploadedFile("a.txt", b"secret")},
    )
    evidence = ReportedValue.objects.get().evidence.get()
    assert Client().get(f"/assessment/evidence/{evidence.pk}/").status_code == 302
    response = reporter.get(f"/assessment/evidence/{evidence.pk}/")
    assert b"".join(response.streaming_content) == b"secret"


def test_it_scores_a_visit_and_tracks_a_finding_to_closure(setup: dict[str, Any]) -> None:
    office = _client("inspector")
    office.post(
        "/assessment/2024Q1/visits/",
        {"institution": setup["inst"].pk, "visited_on": "2024-03-10", "inspectors": "王某、李某"},
    )
    visit = SupervisionVisit.objects.get()
    items = list(visit.items.all())
    data = {
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "complete": "1",
        "summary": "总体良好",
        "visit_version": version_token(visit),  # the versions the page was loaded at (optimistic locking)
    }
    for n, item in enumerate(items):
        data[f"items-{n}-id"] = item.pk
        data[f"items-{n}-_version"] = version_token(item)
        data[f"items-{n}-awarded"] = "8" if item.sub_dimension == "C1" else "10"
    office.post(f"/assessment/visits/{visit.pk}/", data)
    visit.refresh_from_db()
    assert visit.status == "completed"
    assert visit.sub_dimension_scores() == {
        "C1": Decimal("80.0"),
        "C2": Decimal("100.0"),
        "C3": Decimal("100.0"),
        "C4": Decimal("100.0"),
    }
    office.post(
        f"/assessment/visits/{visit.pk}/findings/",
        {
            "sub_dimension": "C3",
            "rule": "TR-3",
            "severity": "major",
            "description": "核验员与检定员为同一人",
            "due_on": "2024-04-30",
        },
    )
    finding = SupervisionFinding.objects.get()
    assert (finding.found_on, finding.source) == (dt.date(2024, 3, 10), "supervision")
    office.post(
        f"/assessment/findings/{finding.pk}/rectify/",
        {"measures": "重新培训并复核证书", "_version": version_token(finding)},
    )
    rect = Rectification.objects.get()
    _client("chief").post(
        f"/assessment/rectifications/{rect.pk}/review/",
        {"accept": "1", "note": "整改到位", "_version": version_token(rect)},
    )
    finding.refresh_from_db()
    assert finding.closed_on is not None
    page = office.get(f"/assessment/visits/{visit.pk}/").content.decode()
    assert "已关闭" in page and "整改到位" in page


def test_it_shows_a_used_framework_version_read_only_in_the_admin(setup: dict[str, Any]) -> None:
    fv = FrameworkVersion.objects.get(version="2025.1")
    fv.mark_used()
    admin = Client()
    admin.force_login(user("root", is_superuser=True))
    page = admin.get(f"/admin/assessment/frameworkversion/{fv.pk}/change/").content.decode()
    assert 'name="source"' not in page
    assert (
        admin.post(f"/admin/assessment/frameworkversion/{fv.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert FrameworkVersion.objects.filter(pk=fv.pk).exists()


def test_it_speaks_english_when_asked(setup: dict[str, Any]) -> None:
    html = _client("office").get("/assessment/2024Q1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Indicator overview" in html and "Review queue" in html
