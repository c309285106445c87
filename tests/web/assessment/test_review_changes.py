"""Each value beside the previous period's and the change, flagged when unusual (changes.unusual)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from qiangji.web.assessment import workflow
from qiangji.web.assessment.changes import previous_code, unusual
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import Entry, period_framework, save_entry
from tests.web.registry import factories as f

from .helpers import open_now, reporter, user

pytestmark = pytest.mark.django_db


def test_it_names_the_previous_period() -> None:
    cases = (("2026Q1", 2026, 1), ("2026Q3", 2026, 3), ("2026", 2026, None))
    found = [previous_code(Period(code=c, year=y, quarter=q)) for c, y, q in cases]
    assert found == ["2025Q4", "2026Q2", "2025"]


def test_the_rule_flags_bounds_changes_beyond_half_and_a_start_from_zero() -> None:
    d13 = period_framework(Period.for_code("2024Q1")).node("D1.3")  # 500,000 a year → 125,000 a quarter
    assert unusual(d13, Decimal(1400), Decimal(1000), Decimal(1100)) == []
    assert unusual(d13, Decimal(1600), Decimal(1000), None) == ["较上期变化 +60%（超过 ±50%）"]
    assert unusual(d13, Decimal(400), None, Decimal(1000)) == ["较上年同期变化 -60%（超过 ±50%）"]
    assert unusual(d13, Decimal(200000), None, None) == ["超出指标范围 0～125000"]
    assert unusual(d13, Decimal(5), Decimal(0), None) == ["上期为 0，本期为 5"]


def test_the_queue_shows_the_previous_value_the_change_and_the_flag() -> None:
    q4, q1 = Period.for_code("2023Q4"), open_now("2024Q1")
    ago = Period.for_code("2023Q1")
    inst = f.institution("A")
    county, office = reporter("county", inst), user("office")
    for period, value, status in ((q4, 1000, "locked"), (ago, 900, "approved")):
        ReportedValue.objects.create(
            period=period, institution=inst, indicator="D1.3", value=value, status=status
        )
    ReportedValue.objects.create(period=q4, institution=inst, indicator="D4.3", value=2, status="approved")
    for code, value in (("D1.3", 2500), ("D4.3", 2)):
        report = save_entry(q1, inst, code, Entry(Decimal(value), None, None), county)
        report.evidence.create(
            file="e.pdf", original_name="e.pdf", sha256="0" * 64, size=1, uploaded_by=county
        )
        workflow.submit(report, county)
    client = Client()
    client.force_login(office)
    html = client.get("/assessment/2024Q1/review/").content.decode()
    d13 = _row(html, ReportedValue.objects.get(period=q1, indicator="D1.3"))
    assert "上期 1000（+150%）" in d13 and "上年同期 900" in d13
    assert "较上期变化 +150%（超过 ±50%）" in d13 and "较上年同期变化 +178%" in d13
    assert 'data-flagged="1"' in d13
    d43 = _row(html, ReportedValue.objects.get(period=q1, indicator="D4.3"))
    assert "上期 2（+0%）" in d43 and "data-flagged" not in d43 and "⚠" not in d43


def _row(html: str, report: ReportedValue) -> str:
    start = html.index(f'<tr id="report-{report.pk}"')
    return html[start : html.index("</tr>", start)]
