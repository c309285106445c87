"""Excel template and upload of reported values: round trip, and all-or-nothing refusal with row/column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from qiangji.web.assessment.excel import HEADERS, UploadError, import_upload, template
from qiangji.web.assessment.models import ReportedValue
from tests.web.registry import factories as f

from .helpers import open_now, user

pytestmark = pytest.mark.django_db


def _sheet(rows: list[list[object]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_it_fills_the_template_and_imports_it_back() -> None:
    period, inst, reporter = open_now("2024Q2"), f.institution("A"), user("reporter")
    wb = load_workbook(io.BytesIO(template(period)))
    ws = wb["填报"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    rows = {(r[0].value, r[2].value): r for r in ws.iter_rows(min_row=2)}
    assert ("A", "C1.1") in rows and ("A", "D2.1") not in rows  # derived indicators are not reported
    rows[("A", "D1.3")][5].value = "１２,０００ "  # full-width digits, thousands separator, trailing space
    rows[("A", "C3.2")][6].value = 5
    rows[("A", "C3.2")][7].value = 6
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert import_upload(period, out, reporter).stored == 2
    stored = {r.indicator: r for r in ReportedValue.objects.filter(period=period, institution=inst)}
    assert stored["D1.3"].value == Decimal(12000)
    assert stored["C3.2"].value == Decimal("83.333333")
    assert {r.status for r in stored.values()} == {"draft"}
    again = load_workbook(io.BytesIO(template(period)))["填报"]
    values = {(r[0].value, r[2].value): r[5].value for r in again.iter_rows(min_row=2)}
    assert values[("A", "D1.3")] == 12000


def test_it_refuses_the_whole_upload_and_names_every_bad_cell() -> None:
    period = open_now("2024Q2")
    f.institution("A")
    upload = _sheet(
        [
            ["A", "", "D1.3", "", "", 100, None, None, ""],  # fine on its own
            ["A", "", "C3.2", "", "", "95%", None, None, ""],
            ["ZZ", "", "D1.3", "", "", 1, None, None, ""],
            ["A", "", "D2.1", "", "", 1, None, None, ""],
            ["A", "", "D4.3", "", "", "abc", None, None, ""],
            ["A", "", "C1.1", "", "", None, 3, 2, ""],
        ]
    )
    with pytest.raises(UploadError) as exc:
        import_upload(period, upload, user("reporter"))
    errors = exc.value.errors
    assert any(e.startswith("第3行，数值") and "%" in e for e in errors)
    assert any(e.startswith("第4行，机构代码") for e in errors)
    assert any(e.startswith("第5行，指标代码") for e in errors)
    assert any(e.startswith("第6行，数值") and "abc" in e for e in errors)
    assert any(e.startswith("第7行，分子") for e in errors)
    assert len(errors) == 5
    assert not ReportedValue.objects.exists()


def test_it_refuses_to_overwrite_a_submitted_value() -> None:
    period, inst = open_now("2024Q2"), f.institution("A")
    ReportedValue.objects.create(
        period=period, institution=inst, indicator="D1.3", value=1, status="submitted"
    )
    with pytest.raises(UploadError, match="1 处错误"):
        import_upload(period, _sheet([["A", "", "D1.3", "", "", 5, None, None, ""]]), user("reporter"))


def test_it_refuses_a_sheet_without_the_header() -> None:
    wb = Workbook()
    wb.active.append(["unit", "value"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(UploadError):
        import_upload(open_now("2024Q2"), out, user("reporter"))


def test_it_checks_a_quarters_upload_against_the_quarters_bounds() -> None:
    # D4.3 new capabilities: [0, 50] per year → [0, 12.5] in a quarter; 13 is fine for the year
    f.institution("A")
    reporter = user("reporter")
    rows = [["A", "", "D4.3", "", "", 13, None, None, ""]]
    with pytest.raises(UploadError) as exc:
        import_upload(open_now("2024Q2"), _sheet(rows), reporter)
    assert len(exc.value.errors) == 1 and "0～12.5" in exc.value.errors[0]
    assert "每季度；全年 0～50 按 0.25 年折算" in exc.value.errors[0]
    import_upload(open_now("2024"), _sheet(rows), reporter)
    assert ReportedValue.objects.get(indicator="D4.3").value == Decimal(13)
