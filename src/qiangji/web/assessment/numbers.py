"""Reading a number typed by a person, the same way in the reporting form and the Excel upload.

Accepted: ``1234``, ``1,234``, ``1 234`` (thousands grouped by a comma or a space), full-width digits and
punctuation (``１２３４``, ``１，２３４．５``), a leading sign. Refused, with a message saying why: a "%"
(percentages are computed from numerator and denominator), a thousands separator not followed by three
digits (``1,23`` may be a decimal comma), more than six decimals (what the database keeps) and more than
twelve integer digits.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 12  # the reported-value columns hold 18 digits, 6 of them decimals
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d+)?$|^[+-]?\.\d+$")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\uff0d": "-"})


def normalise(text: str) -> str:
    """Full-width characters to ASCII (NFKC), every kind of space to one plain space, trimmed."""
    text = unicodedata.normalize("NFKC", text).translate(_MINUS)
    return re.sub(r"\s+", " ", text).strip()


def parse_number(text: str) -> Decimal | None:
    """The number in ``text``, or ``None`` when it is blank; raises ``ValueError`` saying what is wrong.

    >>> parse_number("１，２３４．５"), parse_number("1 234"), parse_number("")
    (Decimal('1234.5'), Decimal('1234'), None)
    """
    typed = normalise(text)
    if not typed:
        return None
    if typed.endswith("%"):
        raise ValueError(_("不要输入“%”，百分比请填写分子和分母"))
    if _GROUPED.match(typed):
        digits = typed.replace(",", "").replace(" ", "")
    elif _PLAIN.match(typed):
        digits = typed
    elif re.match(r"^[+-]?[\d, ]+(?:\.\d+)?$", typed):
        raise ValueError(_("“%(t)s”的千位分隔符后应为三位数字（小数请用小数点）") % {"t": typed})
    else:
        raise ValueError(_("必须是数字，实际为“%(t)s”") % {"t": typed})
    number = Decimal(digits)
    if -number.as_tuple().exponent > MAX_DECIMALS:  # type: ignore[operator]
        raise ValueError(_("最多保留%(n)s位小数，实际为“%(t)s”") % {"n": MAX_DECIMALS, "t": typed})
    if abs(number) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        too_big = _("数值过大（整数部分最多%(n)s位），实际为“%(t)s”")
        raise ValueError(too_big % {"n": MAX_INTEGER_DIGITS, "t": typed})
    return number
