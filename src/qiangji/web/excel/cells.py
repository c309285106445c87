"""Turning what people type into Excel cells into Python values, tolerantly but never by guessing.

Accepted, because county reporters really type them: full-width digits, letters and punctuation
(folded with NFKC), thousands separators ("1,234", "1，234"), "%" after a number in a percentage column,
leading/trailing spaces including non-breaking and ideographic ones, Excel serial dates and date text
(2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105). Anything else raises :class:`CellError`
whose message is the rule the cell broke.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[,，、;；\n]+")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "✘", "无"}


#: What people type for "no data" in a number cell. Refused there with a rule saying to leave it empty:
#: read as blank, they became 0 or silently kept the stored value.
MISSING_WORDS = frozenset(
    {"nan", "na", "n/a", "#n/a", "null", "none", "nil", "-", "--", "—", "/", "无", "空", "缺", "暂无", "不详"}
)


def missing_word(text: str) -> CellError | None:
    """The refusal of a placeholder for a missing number ("N/A", "null", "—"), or None."""
    if fold(text).replace(" ", "").casefold() not in MISSING_WORDS:
        return None
    return CellError(_("不能填写“%(text)s”：没有数据请留空单元格，有数据请填写数字") % {"text": strip(text)})


class CellError(ValueError):
    """The cell's value breaks ``rule`` (a translated sentence)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not strip(value)


def strip(text: str) -> str:
    """Remove every kind of space at both ends (str.strip covers NBSP and U+3000 too)."""
    return text.strip()


def fold(text: str) -> str:
    """Full-width forms to ASCII (NFKC) and spaces at both ends removed: for codes, numbers, dates."""
    return unicodedata.normalize("NFKC", text).strip()


def as_text(value: Any) -> str:
    """A cell as text; whole floats lose their ".0" (a code typed as a number is read back as 3.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return strip(str(value))


def as_code(value: Any) -> str:
    return fold(as_text(value))


def as_decimal(value: Any, *, percent: bool = False) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(_("应为数字"))
        return Decimal(str(value))
    placeholder = missing_word(str(value))
    if placeholder is not None:
        raise placeholder
    text = fold(str(value)).replace(" ", "")
    if text.endswith("%"):
        if not percent:
            raise CellError(_("本列不是百分比，不能填写“%”"))
        text = text[:-1]
    if THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应为数字")) from None
    if not number.is_finite():
        raise CellError(_("应为数字"))
    return number


def as_int(value: Any, *, percent: bool = False) -> int:
    try:
        number = as_decimal(value, percent=percent)
    except CellError as exc:
        if missing_word(str(value)) is not None:
            raise exc from None
        raise CellError(_("应为整数")) from None
    if number != number.to_integral_value():
        raise CellError(_("应为整数"))
    return int(number)


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = fold(str(value))
    match = DATE_TEXT.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise CellError(_("应为日期，如 2024-01-05"))
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise CellError(_("不是有效的日期")) from None


def _from_serial(serial: float) -> dt.date:
    """Excel's serial day number (1900 date system, days since 1899-12-30)."""
    if not serial.is_integer() or not 1 <= serial <= 2958465:
        raise CellError(_("应为日期，如 2024-01-05"))
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = as_code(value).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("应填“是”或“否”"))


def as_names(value: Any) -> list[str]:
    """A separated list; duplicates removed, order kept."""
    parts = (strip(p) for p in SEPARATORS.split(as_text(value)))
    return list(dict.fromkeys(p for p in parts if p))


def matching_key(text: str) -> str:
    """Comparison form for choice labels and headers: NFKC, case-folded, without any space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
