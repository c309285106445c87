"""Plausibility bounds on what enters the platform: the years of periods and the dates of findings and
comparison measurements (``settings.QIANGJI_PLAUSIBLE``: from ``EARLIEST_YEAR`` to this year plus
``YEARS_AHEAD``), and the magnitudes of comparison results (the core's ``MAX_MAGNITUDE`` and
``MIN_UNCERTAINTY``, so a value the statistics would refuse is refused where it is typed).

Models call these from ``clean()``, so forms, the admin and the Excel import (``full_clean``) all refuse
the same values with the same message; a 9999 period or a finding due 9999-12-31 never gets stored.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.core.magnitudes import MAX_MAGNITUDE, MIN_UNCERTAINTY
from qiangji.core.plausible import date_window


def _conf(name: str) -> int:
    return int(settings.QIANGJI_PLAUSIBLE[name])


def date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last plausible day (both inclusive), e.g. (2000-01-01, 2031-12-31) in 2026."""
    return date_window(
        today or timezone.localdate(), earliest_year=_conf("EARLIEST_YEAR"), years_ahead=_conf("YEARS_AHEAD")
    )


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    first, last = date_range(today)
    return first.year, last.year


def year_error(year: int) -> str | None:
    first, last = year_range()
    if first <= year <= last:
        return None
    return _("年份应在 %(first)s 至 %(last)s 之间，当前为 %(year)s。") % {
        "first": first,
        "last": last,
        "year": year,
    }


def date_error(day: dt.date | None) -> str | None:
    if day is None:
        return None
    first, last = date_range()
    if first <= day <= last:
        return None
    return _("日期应在 %(first)s 至 %(last)s 之间，当前为 %(day)s。") % {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "day": day.isoformat(),
    }


def value_error(x: float | None) -> str | None:
    """A measured value: finite, |x| ≤ MAX_MAGNITUDE."""
    if x is None or (math.isfinite(x) and abs(x) <= MAX_MAGNITUDE):
        return None
    return _("测量结果的绝对值不能超过 %(max)g，当前为 %(x)g。") % {"max": MAX_MAGNITUDE, "x": x}


def uncertainty_error(U: float | None, k: float | None) -> str | None:
    """An expanded uncertainty U with its k: U and U/k within [MIN_UNCERTAINTY, MAX_MAGNITUDE]."""
    if U is None or U <= 0 or not k or k <= 0:
        return None  # the positivity rules say so, in their own words
    if all(math.isfinite(v) and MIN_UNCERTAINTY <= v <= MAX_MAGNITUDE for v in (U, U / k)):
        return None
    return _("扩展不确定度 U 及 U/k 应在 %(min)g 至 %(max)g 之间，当前 U 为 %(U)g，k 为 %(k)g。") % {
        "min": MIN_UNCERTAINTY,
        "max": MAX_MAGNITUDE,
        "U": U,
        "k": k,
    }


def result_errors(
    x: float | None, U: float | None, k: float | None, measured_on: dt.date | None
) -> dict[str, str]:
    """The field errors of one comparison result (a submission or a pilot check)."""
    found = {"x": value_error(x), "U": uncertainty_error(U, k), "measured_on": date_error(measured_on)}
    return {name: message for name, message in found.items() if message}
