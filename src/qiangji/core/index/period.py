"""Period length and the pro-rating of flow indicators whose framework amounts are per year.

docs/domain.md#scoring: the index is computed every quarter and every year; most indicators are stocks on the
as-of date or ratios, but some count what happened "in period" (flows: verifications performed, new
standards, training hours, services, projects, complaints) and their targets and validation bounds are
stated per year ("target 3/yr", "40 h/yr (pro-rata per quarter)"). A framework marks such an indicator
``per: year``; for a period lasting a fraction ``f`` of a year its absolute amounts are multiplied by ``f``:

* the validation ``bounds`` (``[0, 200]`` per year → ``[0, 50]`` per quarter; a lower bound 0 stays 0);
* the parameters of its methods given in the indicator's own units (``Registry.absolute``): the target
  normaliser's ``target`` and ``tolerance``, the goalposts ``low``/``high``, the distance-to-target
  ``target``, a constant imputation's ``value``.

Min-max, z-score and rank normalisers are scale-free and unchanged: they compare the units of one period.

The fraction (``year_fraction``): a period of whole calendar months lasts ``months / 12`` of a year
exactly (a quarter 1/4, a half-year 1/2, a year 1: the domain's "pro-rata per quarter"); any other span
lasts ``days / 365.25`` (the mean Julian year), both ends included.

Example: D3.3 (training hours, target 40 h/yr) in a quarter, f = 0.25: target 10 h, so 12 h scores
min(12/10, 1) = 1; the same 12 h over a year score 12/40 = 0.3.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from qiangji.core.errors import InputError

PER_VALUES = ("year",)
"""Values of the framework key ``per`` (the unit of time the indicator's amounts are stated for)."""

JULIAN_YEAR_DAYS = 365.25
_NAMES = {1.0: "year", 0.5: "half-year", 0.25: "quarter", 1.0 / 12.0: "month"}


def year_fraction(start: dt.date, end: dt.date) -> float:
    """Length of the period ``start`` … ``end`` (both included) as a fraction of a year.

    ``months / 12`` when the period is whole calendar months (``start`` the first of a month, ``end`` the
    last day of a month), else ``days / 365.25``.

    >>> year_fraction(dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    0.25
    >>> year_fraction(dt.date(2025, 1, 1), dt.date(2025, 1, 10)) == 10 / 365.25
    True
    """
    if end < start:
        raise InputError(f"`end` must not be before `start`, got {start.isoformat()} … {end.isoformat()}")
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return months / 12.0
    return ((end - start).days + 1) / JULIAN_YEAR_DAYS


def check_fraction(value: Any) -> float:
    """``value`` as a period fraction: a number in (0, 1]; raises ``InputError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"`period_fraction` must be a number in (0, 1], got {value!r}")
    f = float(value)
    if not (math.isfinite(f) and 0.0 < f <= 1.0):
        raise InputError(f"`period_fraction` must be in (0, 1] (a quarter is 0.25, a year 1), got {value!r}")
    return f


def period_name(fraction: float) -> str:
    """``"year"``, ``"half-year"``, ``"quarter"``, ``"month"``, else e.g. ``"0.1 year"``, for messages."""
    for f, name in _NAMES.items():
        if fraction == f:
            return name
    return f"{fraction:g} year"


def scale_params(params: Mapping[str, Any], names: tuple[str, ...], fraction: float) -> dict[str, Any]:
    """``params`` with the numeric entries listed in ``names`` multiplied by ``fraction``."""
    return {
        k: v * fraction if k in names and isinstance(v, (int, float)) and not isinstance(v, bool) else v
        for k, v in params.items()
    }


def scale_bounds(
    bounds: tuple[float | None, float | None] | None, fraction: float
) -> tuple[float | None, float | None] | None:
    """Bounds ``[low, high]`` × ``fraction`` (an open side stays open; 0 stays 0)."""
    if bounds is None:
        return None
    lo, hi = bounds
    return (None if lo is None else lo * fraction, None if hi is None else hi * fraction)


__all__ = [
    "JULIAN_YEAR_DAYS",
    "PER_VALUES",
    "check_fraction",
    "period_name",
    "scale_bounds",
    "scale_params",
    "year_fraction",
]
