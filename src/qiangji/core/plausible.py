"""The default window of plausible dates: from ``EARLIEST_YEAR`` to ``YEARS_AHEAD`` years after today.

A date outside (0001-01-01, 9999-12-31) is a typing error, not data. The web reads its window from its
settings (``QIANGJI_EARLIEST_YEAR``, ``QIANGJI_YEARS_AHEAD``, these values by default); the pure commands
use :func:`date_window` with the same defaults.
"""

from __future__ import annotations

import datetime as dt

from qiangji.core.errors import InputError

EARLIEST_YEAR = 2000
YEARS_AHEAD = 5


def date_window(
    today: dt.date, *, earliest_year: int = EARLIEST_YEAR, years_ahead: int = YEARS_AHEAD
) -> tuple[dt.date, dt.date]:
    """First and last plausible day, both inclusive: (2000-01-01, 2031-12-31) on a day of 2026."""
    last = today.year + years_ahead
    if not 1 <= earliest_year <= last <= 9999:
        raise InputError(f"`earliest_year` must be from 1 to {last}, got {earliest_year}")
    return dt.date(earliest_year, 1, 1), dt.date(last, 12, 31)
