from __future__ import annotations

from typing import Any

from django import template

from qiangji.core.comparison import ResultColumn
from qiangji.web.comparisons import columns, labels

register = template.Library()


@register.filter
def num(value: Any, digits: int = 4) -> str:
    """A float to ``digits`` significant figures, "—" for missing; other values unchanged."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.{int(digits)}g}"


@register.filter
def method_zh(code: Any) -> str:
    """The name of a reference-value method code (``labels.METHOD_ZH``) in the request's language."""
    return labels.translated(labels.method_zh(code))


@register.filter
def cell(row: Any, column: ResultColumn) -> str:
    """A stored result's cell in a declared column (``columns.cell_text``)."""
    return columns.cell_text(row, column)


@register.filter
def column_header(column: ResultColumn) -> str:
    """A declared column's table header: its symbol or its translated label."""
    return columns.header(column)
