"""What county reporters really type is accepted: full-width digits, "%", thousands separators, stray
spaces in codes, merged header cells, Excel serial dates and Chinese date text."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from qiangji.web.excel import cells
from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry import models as m

from .helpers import workbook

pytestmark = pytest.mark.django_db
D = dt.date
NBSP = "\u00a0"


@pytest.fixture
def institution() -> m.Institution:
    return m.Institution.objects.create(code="JJ-MI", name="椒江区计量检定所（示例）", level="county")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("１２３", Decimal(123)), ("1,234", Decimal(1234)), ("1，234，567.5", Decimal("1234567.5")),
     (" 42 ", Decimal(42)), (3.0, Decimal(3))],
)  # fmt: skip
def test_it_reads_numbers_as_typed(typed, expected) -> None:
    assert cells.as_decimal(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["2024-01-05", "2024/1/5", "2024.1.5", "2024年1月5日", "２０２４年１月５日", "20240105", 45296,
     dt.datetime(2024, 1, 5)],
)  # fmt: skip
def test_it_reads_dates_as_typed(typed) -> None:
    assert cells.as_date(typed) == D(2024, 1, 5)  # 45296 is Excel's serial number of 2024-01-05


def test_it_accepts_messy_cells_in_a_real_import(institution) -> None:
    sheet = [
        ["机构代码", "年度", "季度", "企业名称", "服务类型", "证书报告数（份）", "收入（元）"],
        [
            f"ＪＪ－ＭＩ {NBSP}",
            "２０２４",
            "３",
            "某泵业有限公司（示例）",
            " 校准 ",
            "1,234",
            "1，234，567.50",
        ],
    ]
    regulations = [
        ["编号", "名称", "实施日期", "相对湿度上限（%）"],
        [f" jjg５３９－２０１６{NBSP}", "数字指示秤（示例）", "2016年6月1日", "85%"],
    ]
    result = import_workbook(io.BytesIO(workbook({"产业计量服务": sheet, "检定规程校准规范": regulations})))
    assert result.errors == []
    service = m.IndustryService.objects.get()
    assert (service.institution, service.year, service.quarter) == (institution, 2024, 3)
    assert service.service_type == "calibration"
    assert (service.certificates, service.revenue_cny) == (1234, Decimal("1234567.50"))
    regulation = m.Regulation.objects.get()
    assert regulation.code == "JJG 539-2016" and regulation.effective_from == D(2016, 6, 1)
    assert regulation.humidity_max_pct == Decimal(85)


def test_it_finds_a_header_merged_over_two_rows_below_a_title(institution) -> None:
    rows = [
        ["计量标准登记表（示例）", None, None, None, None, None],
        ["机构代码", "计量标准名称", "计量标准代码", "考核证书", None, None],
        [None, None, None, "编号", "发证日期", "有效期至"],
        ["JJ-MI", "砝码标准装置（示例）", "12345600", "[2021]示例标字第7号", "2021-03-01", "2026-02-28"],
    ]
    merges = {"计量标准": ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:F2"]}
    result = import_workbook(io.BytesIO(workbook({"计量标准": rows}, merges)))
    assert result.errors == []
    std = m.MeasurementStandard.objects.get()
    assert std.assessment_cert_no == "[2021]示例标字第7号"
    assert (std.assessment_issued_on, std.assessment_expires_on) == (D(2021, 3, 1), D(2026, 2, 28))


def test_it_skips_an_english_header_row_and_blank_rows(institution) -> None:
    rows = [
        ["机构代码", "工号", "姓名", "入职日期"],
        ["Institution code", "Staff number", "Name", "Hired on"],
        ["JJ-MI", "001", "张某1", 42005],  # 42005: serial number of 2015-01-01
        [None, None, None, None],
        ["JJ-MI", "００２ ", "李某2", "2015/1/1"],
    ]
    result = import_workbook(io.BytesIO(workbook({"人员": rows})))
    assert result.errors == []
    assert sorted(m.Staff.objects.values_list("staff_no", "hired_on")) == [
        ("001", D(2015, 1, 1)),
        ("002", D(2015, 1, 1)),
    ]
