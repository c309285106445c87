"""A级 readiness of each candidate institution: every criterion with its evidence and gap as of a day,
its values at each quarter end since the programme's baseline, a least-squares projection of the date the
institution meets them all, and whether it is slipping (projected late, or a criterion lost).

The projection (:func:`qiangji.core.steering.trend_to_threshold`): per unmet criterion, the line through its
quarterly values reaches the threshold at some date; the institution is projected ready when the last of
them does. Where the line fitted to the past has crossed the threshold already but the value has not (a
recent setback), the date is projected from today's value at the trend's rate: today + gap / slope.
With fewer than two points there is no trend yet, and none is invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qiangji.core.steering import trend_to_threshold
from qiangji.web.assessment.cache import cached
from qiangji.web.programme.candidacy import AGradeCandidate
from qiangji.web.programme.criteria import Checklist, Criterion, Evidence, load_checklist
from qiangji.web.programme.evidence import BATCHES
from qiangji.web.programme.models import Goal
from qiangji.web.programme.progress import quarter_ends

DAYS_PER_YEAR = 365.25
READS = ("registry", "programme", "comparisons")  # what the evidence reads (cache invalidation)


@dataclass(frozen=True)
class CriterionState:
    criterion: Criterion
    evidence: Evidence
    met: bool
    gap: float | None
    history: tuple[tuple[dt.date, float | None], ...]
    reaches_on: dt.date | None  # the trend's date for an unmet criterion (None: no trend or not toward)
    slope_per_year: float | None
    lost: bool  # met at the previous quarter end, not now


@dataclass(frozen=True)
class Readiness:
    candidate: AGradeCandidate
    day: dt.date
    checklist: Checklist
    criteria: tuple[CriterionState, ...]
    points: int
    projected_on: dt.date | None
    projection_text: str
    slipping: bool
    slipping_text: str

    @property
    def met_count(self) -> int:
        return sum(c.met for c in self.criteria)

    @property
    def ready(self) -> bool:
        return self.met_count == len(self.criteria)

    @property
    def gaps(self) -> list[CriterionState]:
        return [c for c in self.criteria if not c.met]


def baseline() -> dt.date | None:
    """The A-grade goal's baseline (the programme's start), if that goal is set up."""
    goal = Goal.objects.filter(metric="a_grade_count").order_by("order").first()
    return goal.baseline_on if goal else None


def snapshot_days(candidate: AGradeCandidate, day: dt.date) -> list[dt.date]:
    """The baseline (else the day the institution was named), each quarter end after it, and ``day``."""
    start = min(baseline() or candidate.named_on, day)
    return quarter_ends(start, day)


Table = Mapping[str, Mapping[tuple[int, dt.date], Evidence]]


def evidence_table(candidates: Sequence[AGradeCandidate], day: dt.date, checklist: Checklist) -> Table:
    """Metric → (institution, day) → evidence, for every candidate at each of its snapshot days: one
    batched read per criterion (`qiangji.web.programme.evidence`), not one per day and candidate."""
    insts = list({c.institution_id: c.institution for c in candidates}.values())
    days = sorted({d for c in candidates for d in snapshot_days(c, day)})
    metrics = dict.fromkeys(c.metric for c in checklist.criteria)
    return {m: BATCHES[m](insts, days) for m in metrics}


def readiness(
    candidate: AGradeCandidate, day: dt.date, checklist: Checklist | None = None, table: Table | None = None
) -> Readiness:
    checklist = checklist or load_checklist()
    table = table if table is not None else evidence_table([candidate], day, checklist)
    days = snapshot_days(candidate, day)
    inst = candidate.institution
    states = []
    for crit in checklist.criteria:
        found = table[crit.metric]
        history = tuple((d, found[(inst.pk, d)].value) for d in days)
        states.append(_state(crit, found[(inst.pk, day)], history, days[0]))
    points = len(days)
    projected, text = _projection(states, points)
    slipping, why = _slipping(candidate, states, projected, points)
    return Readiness(candidate, day, checklist, tuple(states), points, projected, text, slipping, why)


def _state(
    crit: Criterion, now: Evidence, history: tuple[tuple[dt.date, float | None], ...], t0: dt.date
) -> CriterionState:
    met = crit.met(now.value)
    known = [((d - t0).days / DAYS_PER_YEAR, v) for d, v in history if v is not None]
    trend = trend_to_threshold(known, crit.threshold, higher_is_better=crit.higher_is_better)
    reaches = None
    if not met and trend.reaches_at is not None and trend.slope is not None:
        reaches = t0 + dt.timedelta(days=round(trend.reaches_at * DAYS_PER_YEAR))
        today = history[-1][0]
        if reaches <= today and now.value is not None:
            # the line fitted to the past crossed already, the value has not: from where it is now, at
            # the trend's rate (a line "due today" would promise what the data do not show)
            gap = crit.gap(now.value) or 0.0
            reaches = today + dt.timedelta(days=round(gap / abs(trend.slope) * DAYS_PER_YEAR))
    previous = history[-2][1] if len(history) >= 2 else None
    lost = not met and crit.met(previous)
    return CriterionState(crit, now, met, crit.gap(now.value), history, reaches, trend.slope, lost)


def _projection(states: list[CriterionState], points: int) -> tuple[dt.date | None, str]:
    unmet = [s for s in states if not s.met]
    if not unmet:
        return None, _("已满足全部条件")
    if points < 2:
        return None, _("尚无趋势（季度数据点不足2个），不作预测")
    stuck = [f"{s.criterion.code}（{_trend_words(s)}）" for s in unmet if s.reaches_on is None]
    if stuck:
        return None, _("按当前趋势无法达到：%(codes)s") % {"codes": "、".join(stuck)}
    last = max(s.reaches_on for s in unmet if s.reaches_on is not None)
    return last, _("按各项条件的最小二乘趋势，预计 %(day)s 满足全部条件") % {"day": last}


def _trend_words(state: CriterionState) -> str:
    """Why a gap has no date: no trend (too few values) or one that does not lead to the threshold."""
    if state.slope_per_year is None:
        return _("数据不足，无趋势")
    return _("每年 %(slope)s%(unit)s，未向达标方向改善") % {
        "slope": f"{state.slope_per_year:+.1f}",
        "unit": state.criterion.unit,
    }


def _slipping(
    candidate: AGradeCandidate, states: list[CriterionState], projected: dt.date | None, points: int
) -> tuple[bool, str]:
    lost = [s.criterion.code for s in states if s.lost]
    if lost:
        return True, _("较上一季度末退步：%(codes)s 由满足变为未满足") % {"codes": "、".join(lost)}
    if points < 2 or all(s.met for s in states):
        return False, ""
    if projected is None:
        return True, _("按当前趋势在计划达标日期 %(day)s 前无法满足全部条件") % {"day": candidate.target_date}
    if projected > candidate.target_date:
        return True, _("预计 %(day)s 满足全部条件，晚于计划达标日期 %(target)s") % {
            "day": projected,
            "target": candidate.target_date,
        }
    return False, ""


def all_readiness(day: dt.date) -> list[Readiness]:
    """Every active candidate on ``day``, kept between requests until the data change."""

    def compute() -> list[Readiness]:
        checklist = load_checklist()
        rows = list(AGradeCandidate.objects.filter(is_active=True).select_related("institution"))
        table = evidence_table(rows, day, checklist)
        return [readiness(c, day, checklist, table) for c in rows]

    return cached(f"a-readiness:{get_language()}:{day.isoformat()}", compute, READS)
