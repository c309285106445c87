"""Options the index commands share (`qiangji index compute|audit|uncertainty`)."""

from __future__ import annotations

from qiangji.core.errors import InputError

PERIOD_NAMES = {"year": 1.0, "half": 0.5, "quarter": 0.25, "month": 1 / 12}
PERIOD_FRACTION_HELP = (
    "the period's length as a fraction of a year: a number (0.25), a ratio (1/4) or year, half, quarter, "
    "month (default 1: a year); targets and bounds of the framework's per-year flow indicators are "
    "pro-rated by it"
)


def parse_fraction(text: str | None) -> float:
    """``--period-fraction``: ``0.25``, ``1/4`` or a period name (``quarter``); default 1 (a year)."""
    from qiangji.core.index.period import check_fraction

    if text is None:
        return 1.0
    value = text.strip().lower()
    if value in PERIOD_NAMES:
        return PERIOD_NAMES[value]
    num, slash, den = value.partition("/")
    try:
        f = float(num) / float(den) if slash else float(num)
    except (ValueError, ZeroDivisionError):
        raise InputError(
            f"`--period-fraction` must be a number, a ratio such as 1/4 or one of {', '.join(PERIOD_NAMES)}, "
            f"got {text!r}"
        ) from None
    return check_fraction(f)
