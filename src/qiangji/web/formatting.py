"""Numbers and dates as people read them: the one set of formatting rules of pages, workbooks and documents.

Pages use the template filters of ``publication/templatetags/qj_format.py`` (``{% load qj_format %}``),
which call these functions; the Excel exports use :data:`EXCEL_FORMATS` through
:func:`qiangji.web.cells.put`; the PDF and Word documents use the same functions. The rules:

* counts are integers with a thousands separator (``33706.0`` → ``33,706``), never ``30.0 项``;
* scores have two decimals (``88.461538`` → ``88.46``), percentages one and the sign (``54.5%``);
* a quantity of unknown kind (an indicator's raw value) drops a zero fraction and keeps at most two
  decimals (``33706.0`` → ``33,706``, ``2.345`` → ``2.35``);
* a yes/no value is 是/否, not ``0.0``/``1.0``;
* dates in official documents are written ``2026年1月17日`` (GB/T 9704-2012 on the 成文日期: Arabic
  digits, the full year, month and day without a leading zero).

Missing values are shown as an em dash.

Example::

    count(33706.0) == "33,706"; score(88.461538) == "88.46"; percent(54.545455) == "54.5%"
    cn_date("2026-01-17") == "2026年1月17日"; yes_no(1.0) == "是"
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils.translation import gettext as _

MISSING = "—"

#: openpyxl number formats by kind: what a workbook cell shows (its value stays the number).
EXCEL_FORMATS = {
    "count": "#,##0",
    "score": "0.00",
    "score1": "0.0",
    "percent": '0.0"%"',  # a value already in percent (54.5 → 54.5%)
    "ratio": "0.0%",  # a ratio (0.545 → 54.5%)
    "quantity": "#,##0.##",
    "measured": "0.000000",
    "date": "yyyy-mm-dd",
}

#: Units whose values are counted things (a workbook shows an indicator in 项 or 台件 as #,##0).
COUNT_UNITS = frozenset(
    {"项", "台件", "台", "件", "人", "名", "个", "次", "家", "份", "篇", "套", "批", "期"}
)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def count(value: Any) -> str:
    """A count: an integer with thousands separators (``33706.0`` → ``"33,706"``)."""
    x = _number(value)
    return MISSING if x is None else f"{round(x):,d}"


def decimal(value: Any, digits: int = 2) -> str:
    """A number to ``digits`` decimals with thousands separators (``1234.5`` → ``"1,234.50"``)."""
    x = _number(value)
    return MISSING if x is None else f"{x:,.{int(digits)}f}"


def score(value: Any, digits: int = 2) -> str:
    """A score (0–100 points) to two decimals (``88.461538`` → ``"88.46"``)."""
    return decimal(value, digits)


def percent(value: Any, digits: int = 1) -> str:
    """A value in percent to one decimal with the sign (``54.545455`` → ``"54.5%"``)."""
    x = _number(value)
    return MISSING if x is None else f"{x:,.{int(digits)}f}%"


def ratio_percent(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage (``0.545`` → ``"54.5%"``)."""
    x = _number(value)
    return MISSING if x is None else percent(100.0 * x, digits)


def quantity(value: Any, unit: str = "", digits: int = 2) -> str:
    """A value of unknown kind: a whole number as a count, else at most ``digits`` decimals without
    trailing zeros; the unit follows (``30.0, "项"`` → ``"30 项"``; a fraction is kept, ``30.4 项``, as an
    advice's "needed" value must not be rounded down)."""
    x = _number(value)
    if x is None:
        return MISSING
    text = count(x) if x == round(x) else f"{x:,.{int(digits)}f}".rstrip("0").rstrip(".")
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def yes_no(value: Any) -> str:
    """是 / 否 for a yes/no value (``1.0`` → 是); missing → —."""
    if value is None or value == "":
        return MISSING
    return _("是") if bool(float(value)) else _("否")


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def cn_date(value: Any) -> str:
    """A date as official documents write it: ``2026-01-17`` → ``"2026年1月17日"``."""
    day = _as_date(value)
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def join_names(names: Any) -> str:
    """Institution names listed the Chinese way, separated by 、 (``["甲", "乙"]`` → ``"甲、乙"``)."""
    return "、".join(str(n) for n in names)


def significant(value: Any, digits: int = 6) -> Any:
    """A float rounded to ``digits`` significant figures (a workbook cell keeps a number, not 15 noise
    digits); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value) or value == 0.0:
        return value
    return round(value, int(digits) - 1 - math.floor(math.log10(abs(value))))


__all__ = [
    "COUNT_UNITS",
    "EXCEL_FORMATS",
    "cn_date",
    "count",
    "decimal",
    "join_names",
    "percent",
    "quantity",
    "ratio_percent",
    "score",
    "significant",
    "yes_no",
]
