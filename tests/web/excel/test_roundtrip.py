"""Export → import round trip: re-import changes nothing, edits update by key, a wiped registry returns."""

from __future__ import annotations

import io

import openpyxl
import pytest

from qiangji.web.excel.importer import import_workbook
from qiangji.web.excel.tables import TABLES
from qiangji.web.excel.writer import write_workbook
from qiangji.web.registry import models as m

from .helpers import build_registry, checksum, rows_of

pytestmark = pytest.mark.django_db


def export() -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, data=True)
    return buffer.getvalue()


def test_it_reimports_its_own_export_without_changing_anything() -> None:
    build_registry()
    before = checksum()
    result = import_workbook(io.BytesIO(export()))
    assert result.errors == []
    assert sum(result.created.values()) == sum(result.updated.values()) == 0
    assert result.unchanged == before[0]  # every stored row was recognised by its natural key
    assert checksum() == before


def test_it_restores_a_wiped_registry_from_an_export() -> None:
    build_registry()
    data = export()
    counts = checksum()[0]
    for spec in reversed(TABLES):  # children first
        spec.model.objects.all().delete()
    result = import_workbook(io.BytesIO(data))
    assert result.errors == []
    assert result.created == counts
    assert rows_of(export()) == rows_of(data)  # same content, cell for cell, in every sheet


def test_it_updates_an_edited_export_by_natural_key() -> None:
    build_registry()
    book = openpyxl.load_workbook(io.BytesIO(export()))
    sheet = book["人员"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("*姓名") + 1, value="张某一（改名，示例）")
    std = book["计量标准"]
    std_headers = [c.value for c in std[1]]
    std.cell(row=2, column=std_headers.index("负责人员工号 (多项用“、”分隔)") + 1, value="002、003")
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_workbook(buffer)
    assert result.errors == []
    assert result.updated["staff"] == 1 and result.updated["measurement_standard"] == 1
    assert result.created["staff"] == 0
    assert m.Staff.objects.filter(name="张某一（改名，示例）", staff_no="001").count() == 1
    std_obj = m.MeasurementStandard.objects.get()
    assert sorted(std_obj.responsible_staff.values_list("staff_no", flat=True)) == ["002", "003"]
