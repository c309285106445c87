from __future__ import annotations

from typing import Any

from django import template

from qiangji.web.comparisons import labels

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
    """The Chinese name of a reference-value method code (``labels.METHOD_ZH``)."""
    return labels.method_zh(code)
