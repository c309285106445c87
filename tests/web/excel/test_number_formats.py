"""Workbook cells written through qiangji.web.cells carry number formats (never a float's 17 digits)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from qiangji.web.cells import append, put


def _reopen(wb: Workbook) -> Workbook:
    buf = io.BytesIO()
    wb.save(buf)
    return load_workbook(io.BytesIO(buf.getvalue()))


def test_it_gives_each_kind_its_number_format() -> None:
    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, 0.9999999999999999, "score")
    put(ws, 1, 2, 33706.0, "count")
    put(ws, 1, 3, 54.545455, "percent")
    put(ws, 1, 4, 0.123456789123, "plain")
    append(ws, [1.5, "=A1", 2.25], ["score1", None, "quantity"])
    ws = _reopen(wb).active
    assert [c.number_format for c in ws[1]] == ["0.00", "#,##0", '0.0"%"', "General"]
    assert ws["D1"].value == 0.123457  # six significant figures
    assert (ws["A2"].number_format, ws["C2"].number_format) == ("0.0", "#,##0.##")
    assert ws["B2"].value == "=A1" and ws["B2"].data_type == "s"  # text stays text


def test_it_leaves_a_number_without_a_kind_as_it_was() -> None:
    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, 1 / 3)
    ws = _reopen(wb).active
    assert ws["A1"].value == pytest.approx(1 / 3, rel=1e-14) and ws["A1"].number_format == "General"
