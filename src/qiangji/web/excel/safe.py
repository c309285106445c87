"""The one way qiangji writes a value into a worksheet cell: text is always stored as text.

openpyxl stores a string that begins with ``=`` as a live formula, and a spreadsheet would run it on
opening (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``: spreadsheet formula injection, OWASP "CSV injection"),
while the importer (calamine) would read such a cell back empty. Every workbook the project writes
(registry templates and exports, the import problem report, the assessment template, the comparison
workbooks, the public ranking, the audit export) goes through :func:`put` or :func:`append`, which keep
the text unchanged, store it as a string cell (type ``s``) and, for text that begins like a formula
(:data:`FORMULA_START`), also set the cell's quote prefix, Excel's own mark for "typed as text" (the cell
stays text when someone edits it). An export therefore re-imports to exactly the stored text.

Example::

    cell = put(sheet, 2, 1, '=HYPERLINK("http://evil.invalid","x")')
    assert cell.data_type == "s"          # text, not a formula; value unchanged
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

#: What spreadsheets read as the start of a formula (Excel, LibreOffice, Google Sheets).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: Cell) -> Cell:
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """``sheet.cell(row, column, value)``, with text kept as text (module docstring)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    return _as_text(cell)


def append(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` (also on a write-only sheet), with text kept as text."""
    # Cell objects, which append() places as they are (row and column are set again there)
    cells = [_as_text(Cell(sheet, row=1, column=i, value=v)) for i, v in enumerate(values, start=1)]  # type: ignore[arg-type]
    sheet.append(cells)
