"""Placeholders for a missing number ("NaN", "nan", "#N/A", "null", "N/A") and formulas without a result
in numeric Excel cells are refused with sheet, row, column and rule, instead of being read as blank (the
registry import stored 0, the reporting upload ignored the value) — security review, issue 13: L4.
Genuinely empty cells stay accepted where the column allows blanks. Files are real xlsx written by openpyxl.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from qiangji.web.assessment.excel import HEADERS, UploadError, import_upload
from qiangji.web.assessment.models import ReportedValue
from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry import models as m
from tests.web.assessment.helpers import open_now, user
from tests.web.registry import factories as f

pytestmark = pytest.mark.django_db

SERVICES = ["机构代码", "年度", "季度", "企业名称", "服务类型", "证书报告数（份）", "收入（元）"]
PLACEHOLDERS = ["NaN", "nan", "#N/A", "null", "N/A"]


def xlsx(title: str, rows: list[list[Any]]) -> io.BytesIO:
    """openpyxl writes "#N/A" as an error cell and "=…" as a formula without a cached result."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("value", [*PLACEHOLDERS, "=1+1", "=F3*2"])
def test_the_registry_import_refuses_a_placeholder_in_a_number_column(value: str) -> None:
    f.institution("JJ-MI")
    rows = [
        SERVICES,
        ["JJ-MI", 2024, 1, "某企业（示例）", "校准", 3, 1000],
        ["JJ-MI", 2024, 1, "另一企业（示例）", "校准", 4, value],
    ]
    result = import_workbook(xlsx("产业计量服务", rows))
    (error,) = result.errors
    assert (error.sheet, error.row, error.column, error.header) == ("产业计量服务", 3, "G", "收入（元）")
    assert error.value == value
    expected = "公式" if value.startswith("=") else ("Excel 错误值" if value == "#N/A" else "不能填写")
    assert expected in error.rule and ("留空" in error.rule or "填写数值" in error.rule)
    assert not m.IndustryService.objects.exists()  # all or nothing: the good row is not stored either


def test_the_registry_import_refuses_a_placeholder_in_an_integer_column() -> None:
    f.institution("JJ-MI")
    rows = [SERVICES, ["JJ-MI", 2024, 1, "某企业（示例）", "校准", "null", 1000]]
    (error,) = import_workbook(xlsx("产业计量服务", rows)).errors
    assert (error.row, error.column) == (2, "F") and "不能填写“null”" in error.rule


def test_the_registry_import_still_takes_empty_cells_as_blank() -> None:
    f.institution("JJ-MI")
    rows = [SERVICES, ["JJ-MI", 2024, 1, "某企业（示例）", "校准", None, ""]]
    result = import_workbook(xlsx("产业计量服务", rows))
    assert result.ok, result.errors
    service = m.IndustryService.objects.get()
    assert service.certificates == 0 and service.revenue_cny == 0


def test_a_formula_saved_with_its_result_is_read_as_that_result() -> None:
    """Excel saves a formula's result: that result is what the cell shows, so it is what is read."""
    f.institution("JJ-MI")
    data = xlsx("产业计量服务", [SERVICES, ["JJ-MI", 2024, 1, "某企业（示例）", "校准", 3, "=F2*100"]])
    patched = _with_cached_value(data.getvalue(), "G2", "300")
    result = import_workbook(io.BytesIO(patched))
    assert result.ok, result.errors
    assert m.IndustryService.objects.get().revenue_cny == Decimal(300)


def _with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """The workbook as Excel would save it: the formula cell ``ref`` with its computed value."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                start = text.index(f'<c r="{ref}"')
                end = text.index("</c>", start)
                cell = (
                    text[start:end].replace("<v />", f"<v>{value}</v>").replace("<v></v>", f"<v>{value}</v>")
                )
                body = (text[:start] + cell + text[end:]).encode()
            dst.writestr(item, body)
    return out.getvalue()


def _upload(rows: list[list[Any]]) -> io.BytesIO:
    return xlsx("填报", [list(HEADERS), *rows])


@pytest.mark.parametrize("value", [*PLACEHOLDERS, "=1/0"])
def test_the_reporting_upload_refuses_a_placeholder_value(value: str) -> None:
    period = open_now("2024Q2")  # reporting is accepted only inside the window
    f.institution("A")
    upload = _upload(
        [["A", "", "D1.3", "", "", 100, None, None, ""], ["A", "", "D4.3", "", "", value, None, None, ""]]
    )
    with pytest.raises(UploadError) as refused:
        import_upload(period, upload, user("reporter"))
    (error,) = refused.value.errors
    assert error.startswith("第3行，数值：") and value in error
    assert "工作表“填报”" in str(refused.value)
    assert not ReportedValue.objects.exists()


def test_the_reporting_upload_refuses_an_error_value_in_numerator() -> None:
    period = open_now("2024Q2")  # reporting is accepted only inside the window
    f.institution("A")
    with pytest.raises(UploadError) as refused:
        import_upload(period, _upload([["A", "", "C3.2", "", "", None, "#N/A", 6, ""]]), user("reporter"))
    (error,) = refused.value.errors
    assert error.startswith("第2行，分子：") and "Excel 错误值“#N/A”" in error


def test_the_reporting_upload_still_skips_an_empty_row_value() -> None:
    period = open_now("2024Q2")  # reporting is accepted only inside the window
    f.institution("A")
    upload = _upload(
        [["A", "", "D1.3", "", "", 100, None, None, ""], ["A", "", "D4.3", "", "", None, None, None, ""]]
    )
    assert import_upload(period, upload, user("reporter")).stored == 1
