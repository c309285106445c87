"""Templates and exports: one sheet per table, the same layout either way, so an export can be re-imported.

Layout of a table sheet: row 1 holds the Chinese header with its unit ("有效期至 (日期)"; required columns
in bold red with a leading "*"), frozen below and right of the first column; data from row 2. Columns with
codes or choices carry a drop-down list (inline when short, else a range of the hidden "_lists" sheet:
Excel refuses inline lists over 255 characters). The "填表说明" sheet explains every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from qiangji.web.cells import append, put
from qiangji.web.excel.reader import header_text
from qiangji.web.excel.spec import KIND_RULES, Column, Kind, TableSpec
from qiangji.web.excel.tables import TABLES

LISTS_SHEET = "_lists"
NOTES_SHEET = "填表说明"
VALIDATION_ROWS = 5000
INLINE_LIMIT = 255
HEADER_FILL = PatternFill("solid", fgColor="FDE9D9")
#: Narrows a queryset to the rows the reader may see (e.g. ``accounts.policy.scope_queryset`` for a user).
Scope = Callable[[QuerySet[Any]], QuerySet[Any]]


def _everything(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs


def write_workbook(
    target: str | IO[bytes], specs: Iterable[TableSpec] = TABLES, *, data: bool, scope: Scope = _everything
) -> None:
    """Write a template (``data=False``) or an export of the stored rows (``data=True``) to ``target``.

    ``scope`` narrows both the exported rows and the drop-down lists of stored codes, so a county
    reporter's workbook names no other institution anywhere.
    """
    with translation.override("zh-hans"):
        book = Workbook()
        book.remove(book.active)
        specs = list(specs)
        lists = book.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
        for spec in specs:
            sheet = book.create_sheet(str(spec.sheet))
            _write_header(sheet, spec)
            _add_validations(sheet, spec, lists, scope)
            if data:
                _write_rows(sheet, spec, scope)
        _write_notes(book.create_sheet(NOTES_SHEET, 0), specs)
        book.active = 1
        book.save(target)


def _write_header(sheet: Worksheet, spec: TableSpec) -> None:
    for idx, column in enumerate(spec.columns, start=1):
        required = spec.is_required(column)
        cell = put(sheet, 1, idx, ("*" if required else "") + header_text(spec, column))
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(_rule_text(spec, column), "qiangji")
        sheet.column_dimensions[get_column_letter(idx)].width = column.width
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "B2"


def _options(spec: TableSpec, column: Column, scope: Scope = _everything) -> list[str]:
    """Drop-down entries: choice labels, or the codes currently stored for a lookup column."""
    kind = spec.kind_of(column)
    if kind is Kind.CHOICE:
        return [str(label) for _value, label in spec.model_field(column.target).choices]
    if kind is Kind.BOOL:
        return ["是", "否"]
    if kind is Kind.REF and column.lookup.endswith("code"):
        model = spec.model_field(column.target).related_model
        stored = scope(model.objects.all()).order_by(column.lookup)
        return [str(v) for v in stored.values_list(column.lookup, flat=True)]
    return []


def _add_validations(sheet: Worksheet, spec: TableSpec, lists: Worksheet, scope: Scope) -> None:
    for idx, column in enumerate(spec.columns, start=1):
        options = list(dict.fromkeys(o for o in _options(spec, column, scope) if o))
        if not options:
            continue
        inline = ",".join(options)
        if len(inline) + 2 <= INLINE_LIMIT and not any("," in o or '"' in o for o in options):
            formula = f'"{inline}"'
        else:
            formula = _list_range(lists, options)
        letter = get_column_letter(idx)
        check = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        check.error = str(KIND_RULES[Kind.CHOICE])
        check.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
        sheet.add_data_validation(check)


def _list_range(lists: Worksheet, options: list[str]) -> str:
    col = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
    letter = get_column_letter(col)
    for row, option in enumerate(options, start=1):
        put(lists, row, col, option)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(options)}"


def _write_rows(sheet: Worksheet, spec: TableSpec, scope: Scope) -> None:
    related = [c.target for c in spec.columns if c.lookup and not spec.model_field(c.target).many_to_many]
    m2m = [c.target for c in spec.columns if c.lookup and spec.model_field(c.target).many_to_many]
    rows = (
        scope(spec.model.objects.all())
        .select_related(*dict.fromkeys(related))
        .prefetch_related(*dict.fromkeys(m2m))
    )
    for r, obj in enumerate(rows.order_by("pk"), start=2):
        for idx, column in enumerate(spec.columns, start=1):
            cell = put(sheet, r, idx, export_value(spec, column, obj))
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def export_value(spec: TableSpec, column: Column, obj: Any) -> Any:
    """The cell value of ``column`` for ``obj``, as the import reads it back."""
    if column.lookup:
        related = getattr(obj, column.target)
        if spec.model_field(column.target).many_to_many:
            return "、".join(str(_follow(o, column.lookup)) for o in related.all()) or None
        return None if related is None else _follow(related, column.lookup)
    value = getattr(obj, column.target)
    f = spec.model_field(column.target)
    if f.choices:
        return str(dict(f.choices).get(value, value)) if value not in ("", None) else None
    if isinstance(f, models.BooleanField):
        return "是" if value else "否"
    if isinstance(f, models.JSONField):
        return "、".join(str(v) for v in value or []) or None
    if isinstance(value, Decimal):
        return value
    return value if value != "" else None


def _follow(obj: Any, lookup: str) -> Any:
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj


def _rule_text(spec: TableSpec, column: Column) -> str:
    kind = spec.kind_of(column)
    parts = [str(KIND_RULES[kind])]
    if spec.is_required(column):
        parts.insert(0, "必填")
    if column.percent:
        parts.append("可带“%”")
    if column.note:
        parts.append(str(column.note))
    return "；".join(parts)


def _write_notes(sheet: Worksheet, specs: list[TableSpec]) -> None:
    titles = ["工作表 Sheet", "列 Column", "英文列名 English", "单位 Unit", "必填 Required", "填写规则 Rule",
              "可选值 Allowed values"]  # fmt: skip
    append(sheet, titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for spec in specs:
        key = "、".join(str(spec.header_of(c)) for k in spec.key for c in spec.columns_for(k)[:1])
        append(sheet, [str(spec.sheet), f"键（重复导入时按此更新）：{key}", "", "", "", str(spec.note), ""])
        for column in spec.columns:
            with translation.override("en"):
                english = str(spec.header_of(column))
            options = _options(spec, column) if spec.kind_of(column) in (Kind.CHOICE, Kind.BOOL) else []
            append(sheet, [
                str(spec.sheet), str(spec.header_of(column)), english, str(spec.unit_of(column)),
                "是" if spec.is_required(column) else "否", _rule_text(spec, column), "、".join(options),
            ])  # fmt: skip
    for letter, width in zip("ABCDEFG", (18, 30, 30, 16, 10, 50, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
