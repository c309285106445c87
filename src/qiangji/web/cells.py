"""The one way qiangji writes a value into a worksheet cell: text is always stored as text.

openpyxl stores a string that begins with ``=`` as a live formula, and a spreadsheet would run it on
opening (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``: spreadsheet formula injection, OWASP "CSV injection"),
while the importer (calamine) would read such a cell back empty. Every workbook the project writes
(registry templates and exports, the import problem report, the assessment template, the comparison
workbooks, the public ranking, the audit export) goes through :func:`put` or :func:`append`, which keep
the text unchanged, store it as a string cell (type ``s``) and, for text that begins like a formula
(:data:`FORMULA_START`), also set the cell's quote prefix, Excel's own mark for "typed as text" (the cell
stays text when someone edits it). An export therefore re-imports to exactly the stored text.

Numbers get a number format, so a cell shows ``88.46`` or ``33,706`` rather than a float's 17 digits (the
cell keeps the exact value, so a published score can be checked against its recomputation): ``put(sheet, r,
c, value, kind="score")`` (kinds: :data:`qiangji.web.formatting.EXCEL_FORMATS`). The kind ``"plain"`` is for
computed values of no fixed precision (a comparison's d, En, reference value): the float is stored to six
:func:`~qiangji.web.formatting.significant` figures, as the PDF report prints it, and shown as it is (``1``,
never ``0.9999999999999999``; ``1.2e-07`` stays readable). Without a kind the value and the cell's format
stay as given (registry exports re-import to exactly the stored numbers).

Example::

    cell = put(sheet, 2, 1, '=HYPERLINK("http://evil.invalid","x")')
    assert cell.data_type == "s"          # text, not a formula; value unchanged
    put(sheet, 3, 1, 0.9999999999999999, kind="score").number_format == "0.00"   # shows 1.00
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from qiangji.web.formatting import EXCEL_FORMATS, significant

#: What spreadsheets read as the start of a formula (Excel, LibreOffice, Google Sheets).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A "plain" float, once rounded: Excel's own display (a fixed number of decimals would hide 1.2e-07).
PLAIN_FLOAT = "General"
INTEGER = "#,##0"


def _as_text(cell: Cell) -> Cell:
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def _as_number(cell: Cell, kind: str | None) -> Cell:
    """The number format of ``kind``; ``"plain"``: six significant figures (module docstring)."""
    value = cell.value
    if kind is None or isinstance(value, bool) or not isinstance(value, int | float):
        return cell
    if kind != "plain":
        cell.number_format = EXCEL_FORMATS[kind]
    elif isinstance(value, float):
        cell.value = significant(value)
        cell.number_format = PLAIN_FLOAT
    else:
        cell.number_format = INTEGER
    return cell


def put(sheet: Worksheet, row: int, column: int, value: Any, kind: str | None = None) -> Cell:
    """``sheet.cell(row, column, value)``, with text kept as text and numbers formatted (docstring)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    return _as_number(_as_text(cell), kind)


def append(
    sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any], kinds: Iterable[str | None] = ()
) -> None:
    """``sheet.append(values)`` (also on a write-only sheet), with text kept as text; ``kinds`` gives
    the number kind of each column in turn (missing or None: left as it is)."""
    kind_list = list(kinds)
    # Cell objects, which append() places as they are (row and column are set again there)
    cells = [
        _as_number(
            _as_text(Cell(sheet, row=1, column=i, value=v)),  # type: ignore[arg-type]
            kind_list[i - 1] if i <= len(kind_list) else None,
        )
        for i, v in enumerate(values, start=1)
    ]
    sheet.append(cells)
