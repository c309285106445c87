"""The one number reader of the reporting form and the Excel upload (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qiangji.web.assessment.numbers import parse_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1234", Decimal(1234)),
        ("1,234", Decimal(1234)),
        ("1 234", Decimal(1234)),
        ("1\u00a0234", Decimal(1234)),  # a no-break space, as office software types it
        ("１２３４", Decimal(1234)),
        ("１，２３４", Decimal(1234)),  # full-width comma
        ("１２３４．５", Decimal("1234.5")),
        (" 12,000,000 ", Decimal(12000000)),
        ("−3", Decimal(-3)),  # a typographic minus
        ("", None),
        ("   ", None),
    ],
)
def test_it_reads_numbers_as_people_type_them(typed: str, number: Decimal | None) -> None:
    assert parse_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("85%", "不要输入“%”"),
        ("1,23", "千位分隔符后应为三位数字"),
        ("abc", "必须是数字，实际为“abc”"),
        ("0.1234567", "最多保留6位小数"),
        ("1e5", "必须是数字"),
        ("1234567890123", "数值过大"),
    ],
)
def test_it_says_why_a_number_is_refused(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_number(typed)
