"""The professional-item mapping: C2.2 counts mapped holders; the mapping imports all-or-nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry.indicators import c2_2_all
from qiangji.web.registry.models import (
    Institution,
    InstitutionMVItem,
    MVCatalogueItem,
    ProfessionalItemMapping,
    RMRegistration,
    Staff,
)

D = dt.date
pytestmark = pytest.mark.django_db


class Period:
    start, end, as_of = D(2025, 1, 1), D(2025, 3, 31), D(2025, 3, 31)


@pytest.fixture
def pressure() -> dict[str, Any]:
    inst = Institution.objects.create(code="C1", name="甲所（示例）", level=Institution.Level.COUNTY)
    item = MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=13, level1_name="压力仪表", level2_no=14,
        level2_name="一般压力表", supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip
    InstitutionMVItem.objects.create(institution=inst, item=item, authorised_from=D(2020, 1, 1))
    for i in range(2):
        s = Staff.objects.create(
            institution=inst, name=f"甲{i}", is_verification=True, hired_on=D(2020, 1, 1)
        )
        RMRegistration.objects.create(
            staff=s, level=2, qualification_cert_no=f"Q{i}", registration_no=f"R{i}",
            valid_from=D(2022, 1, 1), valid_to=D(2026, 12, 31), professional_items=["弹簧管式一般压力表"],
        )  # fmt: skip
    return {"inst": inst, "item": item}


def test_it_counts_holders_of_a_mapped_item_name(pressure) -> None:
    inst = pressure["inst"]
    assert c2_2_all([inst], Period)[inst.pk].value == 0.0  # exact names: "弹簧管式一般压力表" ≠ "一般压力表"
    ProfessionalItemMapping.objects.create(
        registration_item="弹簧管式一般压力表", catalogue_item=pressure["item"]
    )
    assert c2_2_all([inst], Period)[inst.pk].value == 100.0  # 2 holders ≥ MIN_STAFF_PER_STANDARD


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "专业项目对照"
    ws.append(["注册专业项目名称", "目录一级序号", "目录二级序号", "JJF 1022 代码", "备注"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "mapping.xlsx"
    return out


def test_the_mapping_imports_all_or_nothing_with_row_and_column(pressure) -> None:
    bad = _sheet(
        [["压力表", 13, 14, "15113100", ""], ["坏行", 13, 99, "1511", ""], ["另一行", 13, 14, "15x", ""]]
    )
    result = import_workbook(bad, name="mapping.xlsx")
    assert not result.ok and ProfessionalItemMapping.objects.count() == 0
    where = {(e.row, e.column) for e in result.errors}
    assert (3, "C") in where or (3, "B") in where  # level-2 number 99 is no catalogue item
    assert (4, "D") in where  # "15x" is no JJF 1022 code
    good = _sheet([["压力表", 13, 14, "15113100", "常见写法"], ["弹簧管式一般压力表", 13, 14, "", ""]])
    result = import_workbook(good, name="mapping.xlsx")
    assert result.ok, result.errors
    assert sorted(ProfessionalItemMapping.objects.values_list("registration_item", flat=True)) == [
        "压力表", "弹簧管式一般压力表"
    ]  # fmt: skip
