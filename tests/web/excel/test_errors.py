"""Each kind of import error is reported with sheet, row, column, value and rule — all of them at once —
and nothing stored changes."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from qiangji.web.excel.importer import import_workbook
from qiangji.web.registry import models as m

from .helpers import build_registry, checksum, workbook

pytestmark = pytest.mark.django_db

STAFF = ["机构代码", "工号", "姓名", "入职日期", "离职日期", "出生年份", "职称"]
BAD = {
    "人员": [
        STAFF,
        ["JJ-MI", None, "张某101", "2020-01-01", None, None, None],  # 2: missing required staff number
        ["JJ-MI", "102", "张某102", "2024-13-01", None, None, None],  # 3: impossible date
        ["JJ-MI", "103", "张某103", "2020-01-01", None, "一九八〇", None],  # 4: not a number
        ["NOPE", "104", "张某104", "2020-01-01", None, None, None],  # 5: unknown institution code
        ["JJ-MI", "105", "张某105", "2020-01-01", "2019-01-01", None, None],  # 6: model rule (dates)
        ["JJ-MI", "106", "张某106", "2020-01-01", None, None, None],  # 7: fine on its own
        ["JJ-MI", "106", "张某106乙", "2020-01-01", None, None, None],  # 8: same key as row 7
        ["JJ-MI", "107", "张某107", "2020-01-01", None, None, "教授"],  # 9: not one of the choices
        ["JJ-MI", "108", "张某108", "2020-01-01", None, None, None],  # 10: fine, but must not be stored
    ],
    "产业计量服务": [
        ["机构代码", "年度", "季度", "企业名称", "服务类型", "收入（元）"],
        ["JJ-MI", 2024, 5, "某企业（示例）", "校准", "12%"],  # 2: quarter out of range; "%" in money
    ],
    "计量标准": [
        ["机构代码", "计量标准名称", "计量标准代码", "负责人员工号"],
        ["JJ-MI", "新标准（示例）", "1234", "001、002"],  # 2: JJF 1022 code must have 8 digits
        ["JJ-MI", "另一标准（示例）", "12345601", "001"],  # 3: fewer than two responsible staff
        ["JJ-MI", "第三标准（示例）", "12345602", "001、999"],  # 4: unknown staff number in a list
    ],
}


def problems(result) -> dict[tuple[str, int | None, str], tuple[str, str, str]]:
    return {(p.sheet, p.row, p.column): (p.header, p.value, p.rule) for p in result.errors}


def test_it_reports_every_error_with_its_place_value_and_rule() -> None:
    build_registry()
    found = problems(import_workbook(io.BytesIO(workbook(BAD))))
    expected = {
        ("人员", 2, "B"): ("工号", "", "必填"),
        ("人员", 3, "D"): ("入职日期", "2024-13-01", "不是有效的日期"),
        ("人员", 4, "F"): ("出生年份", "一九八〇", "应为整数"),
        ("人员", 5, "A"): ("机构代码", "NOPE", "未找到计量技术机构"),
        ("人员", 6, "E"): ("离职日期", "2019-01-01", "离职日期不能早于入职日期。"),
        ("人员", 8, "B"): ("工号", "106", "与第7行重复"),
        ("人员", 9, "G"): ("职称", "教授", "应为以下之一：无、初级、中级、副高级、正高级"),
        ("产业计量服务", 2, "C"): ("季度", "5", "4"),
        ("产业计量服务", 2, "F"): ("收入（元）", "12%", "本列不是百分比"),
        ("计量标准", 2, "C"): ("计量标准代码", "1234", "计量标准代码必须是8位数字（JJF 1022）。"),
        ("计量标准", 3, "D"): ("负责人员工号", "001", "每项计量标准至少需要2名负责人员，当前1名。"),
        ("计量标准", 4, "D"): ("负责人员工号", "001、999", "未找到人员：999"),
    }
    for place, (header, value, rule) in expected.items():
        assert place in found, place
        assert found[place][:2] == (header, value)
        assert rule in found[place][2], (place, found[place][2])
    assert ("人员", 7, "B") not in found and ("人员", 10, "B") not in found


def test_it_changes_nothing_when_any_row_fails() -> None:
    build_registry()
    before = checksum()
    result = import_workbook(io.BytesIO(workbook(BAD)))
    assert not result.ok and result.created == {} and result.updated == {}
    assert checksum() == before
    assert not m.Staff.objects.filter(staff_no__in=["106", "108"]).exists()


def test_it_rolls_back_good_sheets_when_another_sheet_fails() -> None:
    before = checksum()
    good = [["代码", "名称", "类型"], ["JJ", "椒江区（示例）", "区"]]
    bad = [["代码", "名称", "层级"], ["X-MI", "某所（示例）", "省级"]]
    result = import_workbook(io.BytesIO(workbook({"行政区划": good, "计量技术机构": bad})))
    assert [(p.sheet, p.row, p.column) for p in result.errors] == [("计量技术机构", 2, "C")]
    assert checksum() == before


def test_it_reports_a_missing_required_column_once() -> None:
    result = import_workbook(io.BytesIO(workbook({"人员": [["机构代码", "姓名"], ["JJ-MI", "张某1"]]})))
    rules = sorted(p.rule for p in result.errors)
    assert rules == ["缺少必填列“入职日期”", "缺少必填列“工号”"]


def test_it_reports_a_file_that_is_not_a_workbook() -> None:
    result = import_workbook(io.BytesIO(b"not a spreadsheet"))
    assert not result.ok and "无法读取" in result.errors[0].rule


def test_it_gives_rules_in_english_when_the_language_is_english() -> None:
    data = workbook({"人员": [STAFF, ["JJ-MI", "1", "张某1", "2020-01-01", "2019-01-01", None, None]]})
    m.Institution.objects.create(code="JJ-MI", name="椒江区计量检定所（示例）", level="county")
    with translation.override("en"):
        result = import_workbook(io.BytesIO(data))
    assert [p.rule for p in result.errors] == ["Left on cannot be earlier than hired on."]
