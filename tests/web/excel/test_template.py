"""Templates: one sheet per table with Chinese headers and units, frozen header, drop-downs, notes."""

from __future__ import annotations

import io

import openpyxl
import pytest

from qiangji.web.excel.reader import header_text
from qiangji.web.excel.spec import Kind
from qiangji.web.excel.tables import TABLES, get_table
from qiangji.web.excel.writer import LISTS_SHEET, NOTES_SHEET, write_workbook
from qiangji.web.registry.models import Institution

pytestmark = pytest.mark.django_db


def template(*names: str) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_workbook(buffer, [get_table(n) for n in names] if names else TABLES, data=False)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def validations(sheet) -> dict[str, str]:
    """Column letter → list formula of the sheet's drop-downs."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = dv.formula1
    return found


def test_it_writes_every_table_with_its_headers() -> None:
    book = template()
    assert book.sheetnames[0] == NOTES_SHEET
    assert book[LISTS_SHEET].sheet_state == "hidden"
    for spec in TABLES:
        sheet = book[str(spec.sheet)]
        headers = [c.value for c in sheet[1]]
        expected = [("*" if spec.is_required(c) else "") + header_text(spec, c) for c in spec.columns]
        assert headers == expected
        assert sheet.freeze_panes == "B2"
        assert sheet.max_row == 1  # a template holds no data


def test_it_names_units_and_required_columns() -> None:
    headers = [c.value for c in template("verification_certificate")["检定证书"][1]]
    assert "有效期至 (日期)" in headers
    assert "温度（℃）" in headers and "相对湿度（%）" in headers
    assert "*证书编号" in headers and "*检定日期 (日期)" in headers


def test_it_adds_drop_downs_for_choices_and_codes() -> None:
    Institution.objects.create(code="JJ-MI", name="椒江区计量检定所（示例）", level="county")
    sheet = template("staff")["人员"]
    spec = get_table("staff")
    letters = {c.path: openpyxl.utils.get_column_letter(i) for i, c in enumerate(spec.columns, start=1)}
    found = validations(sheet)
    assert found[letters["title"]] == '"无,初级,中级,副高级,正高级"'
    assert found[letters["is_verification"]] == '"是,否"'
    assert found[letters["institution.code"]] == '"JJ-MI"'
    choice_columns = [c for c in spec.columns if spec.kind_of(c) is Kind.CHOICE]
    assert all(letters[c.path] in found for c in choice_columns)


def test_it_puts_long_lists_on_the_hidden_sheet() -> None:
    for n in range(60):  # 60 codes of 8 characters: far beyond Excel's 255-character inline limit
        Institution.objects.create(code=f"CODE-{n:03d}", name=f"测试机构{n}（示例）", level="county")
    book = template("staff")
    formula = validations(book["人员"])["A"]
    assert formula.startswith(f"'{LISTS_SHEET}'!$")
    column = formula.split("!$")[1].split("$")[0]
    listed = [c.value for c in book[LISTS_SHEET][column] if c.value]
    assert listed == [f"CODE-{n:03d}" for n in range(60)]
    assert formula.endswith("$60")


def test_it_explains_every_column_in_the_notes() -> None:
    notes = [tuple(r) for r in template()[NOTES_SHEET].iter_rows(values_only=True)]
    for spec in TABLES:
        described = {r[1] for r in notes if r[0] == str(spec.sheet)}
        assert {str(spec.header_of(c)) for c in spec.columns} <= described
    grade = next(r for r in notes if r[0] == "机构等级" and r[1] == "等级")
    assert grade[2] == "Grade" and grade[4] == "是" and "A级" in grade[6]
