"""A reported value beside the earlier ones, and the one rule that flags it as unusual for a reviewer.

The earlier values are the same institution's approved or locked reported values of the indicator in the
previous period (the quarter before; for a year, the year before) and, for a quarter, in the same quarter
of the year before (flows such as D1.3 are seasonal).

:func:`unusual` — a value is flagged when

* it lies outside the indicator's bounds for the period (per-year bounds pro-rated, as reporting checks), or
* it differs from the previous period's value, or from the same period last year, by more than
  :data:`CHANGE_LIMIT` (±50 %, the rule docs/domain.md#validation states for D1.3, applied to every
  indicator), or
* an earlier value is 0 and this one is not (an unbounded change).

A flag asks for a closer look at the evidence; it refuses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from qiangji.core.index import Node
from qiangji.web.assessment.models import Period, ReportedValue

CHANGE_LIMIT = Decimal("0.5")


def previous_code(period: Period) -> str:
    """The period before ``period``: 2026Q1 → 2025Q4, 2026Q3 → 2026Q2, 2026 → 2025."""
    if period.quarter is None:
        return str(period.year - 1)
    if period.quarter == 1:
        return f"{period.year - 1}Q4"
    return f"{period.year}Q{period.quarter - 1}"


def last_year_code(period: Period) -> str | None:
    """The same quarter a year before (``None`` for a year: its previous period is already that)."""
    return None if period.quarter is None else f"{period.year - 1}Q{period.quarter}"


def counted_values(code: str | None, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """Approved or locked reported values of period ``code`` by (institution id, indicator)."""
    wanted = set(keys)
    if code is None or not wanted:
        return {}
    rows = ReportedValue.objects.filter(
        period__code=code,
        institution_id__in={k[0] for k in wanted},
        indicator__in={k[1] for k in wanted},
        status__in=[ReportedValue.Status.APPROVED, ReportedValue.Status.LOCKED],
        value__isnull=False,
    ).values_list("institution_id", "indicator", "value")
    return {(i, ind): v for i, ind, v in rows if (i, ind) in wanted}


@dataclass(frozen=True)
class Change:
    """A value with the previous period's and last year's, the relative change and the flags."""

    previous: Decimal | None
    last_year: Decimal | None
    change: Decimal | None  # relative to the previous period (0.25 = +25 %)
    flags: tuple[str, ...]

    @property
    def change_percent(self) -> str:
        return "" if self.change is None else f"{self.change * 100:+.0f}%"


def relative(value: Decimal, earlier: Decimal | None) -> Decimal | None:
    if earlier is None or earlier == 0:
        return None
    return (value - earlier) / abs(earlier)


def unusual(node: Node, value: Decimal, previous: Decimal | None, last_year: Decimal | None) -> list[str]:
    """Why ``value`` of indicator ``node`` needs a closer look (module docstring); empty when it does not.

    ``node`` is compiled for the period (its bounds pro-rated).

    >>> from qiangji.core.index import Node
    >>> d13 = Node("D1.3", {}, 1.0, (), {}, bounds=(0.0, 125000.0))
    >>> unusual(d13, Decimal(3000), Decimal(1000), None)
    ['较上期变化 +200%（超过 ±50%）']
    """
    reasons = []
    low, high = node.bounds or (None, None)
    if (low is not None and value < Decimal(str(low))) or (high is not None and value > Decimal(str(high))):
        reasons.append(_("超出指标范围 %(low)s～%(high)s") % {"low": _n(low, "-∞"), "high": _n(high, "∞")})
    limit = f"{CHANGE_LIMIT * 100:.0f}%"
    for earlier, was_zero, changed in (
        (previous, _("上期为 0，本期为 %(value)s"), _("较上期变化 %(change)s（超过 ±%(limit)s）")),
        (last_year, _("上年同期为 0，本期为 %(value)s"), _("较上年同期变化 %(change)s（超过 ±%(limit)s）")),
    ):
        if earlier is None:
            continue
        if earlier == 0 and value != 0:
            reasons.append(was_zero % {"value": _n(float(value), "")})
        change = relative(value, earlier)
        if change is not None and abs(change) > CHANGE_LIMIT:
            reasons.append(changed % {"change": f"{change * 100:+.0f}%", "limit": limit})
    return reasons


def _n(v: float | None, none: str) -> str:
    return none if v is None else f"{v:g}"


def changes(period: Period, reports: Iterable[ReportedValue], nodes: dict[str, Node]) -> dict[int, Change]:
    """The :class:`Change` of each report (by pk) that has a value, in two queries."""
    reports = [r for r in reports if r.value is not None and r.indicator in nodes]
    keys = [(r.institution_id, r.indicator) for r in reports]
    before = counted_values(previous_code(period), keys)
    year_ago = counted_values(last_year_code(period), keys)
    out = {}
    for r in reports:
        key, value = (r.institution_id, r.indicator), r.value or Decimal(0)
        prev, ago = before.get(key), year_ago.get(key)
        flags = unusual(nodes[r.indicator], value, prev, ago)
        out[r.pk] = Change(prev, ago, relative(value, prev), tuple(flags))
    return out
