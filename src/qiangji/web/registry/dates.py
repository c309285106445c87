"""Calendar helpers shared by the registry's as-of questions and validation rules."""

from __future__ import annotations

import calendar
import datetime as dt
import re


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months`` calendar months, clamped to the month's last day.

    >>> add_months(dt.date(2024, 8, 31), -6)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """Return ``day`` moved by ``years`` years (29 February becomes 28 February when needed)."""
    return add_months(day, 12 * years)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day (both inclusive) of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1, 2, 3 or 4, got {quarter!r}")
    first = dt.date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


PERIOD_CODE = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


def parse_period_code(code: str) -> tuple[int, int | None, dt.date, dt.date]:
    """``"2024Q3"`` → (2024, 3, 2024-07-01, 2024-09-30); ``"2024"`` → (2024, None, 2024-01-01, 2024-12-31)."""
    match = PERIOD_CODE.match(code.strip().upper())
    if not match:
        raise ValueError(f"code must look like '2024Q3' or '2024', got {code!r}")
    year, quarter = int(match.group(1)), match.group(2)
    if quarter is None:
        return year, None, dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, end = quarter_bounds(year, int(quarter))
    return year, int(quarter), start, end
