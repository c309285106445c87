"""A successful multi-sheet import: dependency order, cross-sheet and same-sheet lookups, --table."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry import models as m

from .helpers import workbook

pytestmark = pytest.mark.django_db
D = dt.date

# Sheets deliberately in the wrong order: the importer must follow dependency order, not file order.
SHEETS = {
    "计量标准": [
        ["机构代码", "计量标准名称", "计量标准代码", "社会公用计量标准", "考核证书编号", "考核证书发证日期",
         "考核证书有效期至", "依据规程/规范编号", "负责人员工号"],
        ["JJ-MI", "砝码标准装置（示例）", "12345600", "是", "[2021]示例标字第7号", "2021-03-01", "2026-02-28",
         "JJG 99-2022", "001、002"],
    ],
    "人员": [
        ["机构代码", "工号", "姓名", "入职日期", "检定/校准人员", "职称"],
        ["JJ-MI", "001", "张某1", "2015-01-01", "是", "中级"],
        ["JJ-MI", "002", "李某2", "2018-07-01", "是", "初级"],
        ["JJ-MI", "003", "王某3", "2020-03-01", "否", "无"],
    ],
    "检定规程校准规范": [
        ["编号", "名称", "实施日期", "废止日期", "被替代为（编号）"],
        ["JJG 99-2006", "砝码（示例）", "2006-06-01", "2023-03-01", "JJG 99-2022"],  # refers to the next row
        ["JJG 99-2022", "砝码（示例）", "2023-03-01", None, None],
    ],
    "计量技术机构": [
        ["代码", "名称", "层级", "法定类型", "服务区划代码"],
        ["JJ-MI", "椒江区计量检定所（示例）", "县级", "依法设置", "JJ、LQ"],
    ],
    "行政区划": [
        ["代码", "名称", "类型", "块状产业"],
        ["JJ", "椒江区（示例）", "区", "水泵、模具"],
        ["LQ", "路桥区（示例）", "区", None],
    ],
}  # fmt: skip


def test_it_imports_several_sheets_in_dependency_order() -> None:
    result = import_workbook(io.BytesIO(workbook(SHEETS)))
    assert result.errors == []
    assert result.sheets == ["行政区划", "计量技术机构", "人员", "检定规程校准规范", "计量标准"]
    assert result.created == {"division": 2, "institution": 1, "staff": 3, "regulation": 2,
                              "measurement_standard": 1}  # fmt: skip
    inst = m.Institution.objects.get(code="JJ-MI")
    assert sorted(inst.divisions.values_list("code", flat=True)) == ["JJ", "LQ"]
    assert m.Division.objects.get(code="JJ").block_industries == ["水泵", "模具"]
    std = m.MeasurementStandard.objects.get()
    assert std.assessment_expires_on == D(2026, 2, 28) and std.is_public
    assert sorted(std.responsible_staff.values_list("name", flat=True)) == ["张某1", "李某2"]
    assert [r.code for r in std.regulations.all()] == ["JJG 99-2022"]
    old = m.Regulation.objects.get(code="JJG 99-2006")
    assert old.superseded_by == m.Regulation.objects.get(code="JJG 99-2022")
    assert m.Staff.objects.get(staff_no="003").title == m.Staff.Title.NONE


def test_it_imports_again_as_an_update_not_a_duplicate() -> None:
    import_workbook(io.BytesIO(workbook(SHEETS)))
    sheets = dict(SHEETS)
    sheets["人员"] = [*SHEETS["人员"][:2], ["JJ-MI", "002", "李某2", "2018-07-01", "是", "中级"]]
    result = import_workbook(io.BytesIO(workbook(sheets)))
    assert result.errors == []
    assert result.updated["staff"] == 1 and result.unchanged["staff"] == 1 and result.created["staff"] == 0
    assert m.Staff.objects.count() == 3
    assert m.Staff.objects.get(staff_no="002").title == m.Staff.Title.INTERMEDIATE


def test_it_imports_only_the_table_asked_for() -> None:
    result = import_workbook(io.BytesIO(workbook(SHEETS)), table="division")
    assert result.errors == [] and result.created == {"division": 2}
    assert m.Institution.objects.count() == 0


def test_it_takes_the_first_sheet_for_a_table_whatever_its_name() -> None:
    data = workbook({"Sheet1": SHEETS["行政区划"]})
    result = import_workbook(io.BytesIO(data), table="division")
    assert result.errors == [] and result.created == {"division": 2}


def test_it_reads_english_headers() -> None:
    data = workbook({"Divisions": [["Code", "Name", "Type"], ["JJ", "椒江区（示例）", "District"]]})
    result = import_workbook(io.BytesIO(data), table="division")
    assert result.errors == []
    assert m.Division.objects.get().kind == m.Division.Kind.DISTRICT
