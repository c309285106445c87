"""Whether an assistance action helped: before/after values computed from later records, never typed.

For each thing an action addresses (:class:`~qiangji.web.steering.models.AssistanceAction`):

* a weak indicator: its value in the last quarter ending before the action started, and in the first
  quarter starting after it ended and ending on or before the as-of date, as the index finds it
  (``assessment.inputs.resolve_one``: derived, supervision or approved report); helped when it moved in
  the indicator's direction (framework ``direction``);
* a supervision finding: open when the action started; helped when closed by the as-of date, on time
  or not (the before/after values are the days it was open then and now);
* an unsatisfactory comparison result: |En| then, and |En| of the institution's next result in a later
  round of the same measurand evaluated after the action ended; helped when that one is satisfactory;
* an exam topic: the mean final-exam score of the institution's staff in sessions of the topic held before
  the action started, and after it ended; helped when the later mean passes (≥ 60) and is higher.

Until the later record exists the verdict is *pending* (待验证).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db.models import Avg
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from qiangji.web.assessment.inputs import resolve_one
from qiangji.web.assessment.models import Period
from qiangji.web.comparisons.models import LabResult
from qiangji.web.programme.models import Attendance
from qiangji.web.steering.models import AssistanceAction

HELPED, NOT_HELPED, PENDING = "helped", "not_helped", "pending"
VERDICT_LABELS = {
    HELPED: gettext_lazy("有成效"),
    NOT_HELPED: gettext_lazy("未见成效"),
    PENDING: gettext_lazy("待验证"),
}
EVALUATED = ("evaluated", "reported")


@dataclass(frozen=True)
class Effect:
    measure: str  # what was measured, e.g. "D2.3 复查考核按期申请率"
    before: float | None
    after: float | None
    before_when: str
    after_when: str
    verdict: str
    unit: str = ""

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


def _nodes() -> dict[str, tuple[str, int, str]]:
    """Indicator code → (name, direction, unit) of the shipped framework, in the request's language."""
    return _nodes_in("en" if (get_language() or "").startswith("en") else "zh")


@cache
def _nodes_in(lang: str) -> dict[str, tuple[str, int, str]]:
    from qiangji.web.assessment.frameworks import framework_text
    from qiangji.web.assessment.models import compile_source
    from qiangji.web.publication.templatetags.publication_tags import unit_in_language

    fw = compile_source(framework_text())
    return {
        n.code: (n.label(lang), n.direction or 1, unit_in_language(n.unit or ""))
        for n in fw.nodes
        if n.is_indicator
    }


def effects_of(action: AssistanceAction, as_of: dt.date) -> list[Effect]:
    out = []
    if action.indicator:
        out.append(indicator_effect(action, as_of))
    if action.finding_id:
        out.append(finding_effect(action, as_of))
    if action.lab_result_id:
        out.append(comparison_effect(action, as_of))
    if action.exam_topic_id:
        out.append(exam_effect(action, as_of))
    return out


def indicator_effect(action: AssistanceAction, as_of: dt.date) -> Effect:
    name, direction, unit = _nodes()[action.indicator]
    measure = f"{action.indicator} {name}"
    before_p = (
        Period.objects.filter(kind=Period.Kind.QUARTER, end__lt=action.started_on).order_by("-end").first()
    )
    after_p = (
        Period.objects.filter(kind=Period.Kind.QUARTER, start__gt=action.ended_on, end__lte=as_of)
        .order_by("start")
        .first()
    )
    before = _value(before_p, action)
    after = _value(after_p, action)
    verdict = PENDING
    if before is not None and after is not None:
        verdict = HELPED if (after - before) * direction > 0 else NOT_HELPED
    return Effect(
        measure,
        before,
        after,
        before_p.code if before_p else "—",
        after_p.code if after_p else "—",
        verdict,
        unit,
    )


def _value(period: Period | None, action: AssistanceAction) -> float | None:
    if period is None:
        return None
    found = resolve_one(period, action.institution, action.indicator)
    return None if found is None else float(found[0])


def finding_effect(action: AssistanceAction, as_of: dt.date) -> Effect:
    f = action.finding
    if f is None:
        raise ValueError("the action names no finding")
    open_then = float(max(0, (action.started_on - f.found_on).days))
    measure = _("督导问题：%(finding)s") % {"finding": f.description}
    then = _("%(day)s 未关闭") % {"day": action.started_on.isoformat()}
    unit = _("天（问题存续）")
    if f.closed_on is None or f.closed_on > as_of:
        now = float((as_of - f.found_on).days)
        return Effect(
            measure, open_then, now, then, _("%(day)s 仍未关闭") % {"day": as_of.isoformat()}, PENDING, unit
        )
    late = "" if f.closed_on <= f.due_on else _("（逾期）")
    days = float((f.closed_on - f.found_on).days)
    closed = _("%(day)s 关闭%(late)s") % {"day": f.closed_on.isoformat(), "late": late}
    return Effect(measure, open_then, days, then, closed, HELPED, unit)


def comparison_effect(action: AssistanceAction, as_of: dt.date) -> Effect:
    r = action.lab_result
    if r is None:
        raise ValueError("the action names no comparison result")
    rnd = r.evaluation.round
    later = (
        LabResult.objects.filter(
            participant__institution=action.institution,
            evaluation__round__quantity=rnd.quantity,
            evaluation__round__status__in=EVALUATED,
            evaluation__evaluated_at__date__gt=action.ended_on,
            evaluation__evaluated_at__date__lte=as_of,
            en__isnull=False,
        )
        .exclude(evaluation__round=rnd)
        .select_related("evaluation__round")
        .order_by("evaluation__evaluated_at", "pk")
        .first()
    )
    before = abs(r.en) if r.en is not None else None
    if later is None or later.en is None:
        return Effect(
            _("比对 %(quantity)s |En|") % {"quantity": rnd.quantity}, before, None, rnd.code, "—", PENDING
        )
    verdict = HELPED if later.verdict == LabResult.Verdict.SATISFACTORY else NOT_HELPED
    return Effect(
        _("比对 %(quantity)s |En|") % {"quantity": rnd.quantity},
        before,
        abs(later.en),
        rnd.code,
        later.evaluation.round.code,
        verdict,
    )


def _mean_score(action: AssistanceAction, start: dt.date | None, end: dt.date) -> float | None:
    rows = Attendance.objects.filter(
        staff__institution=action.institution,
        session__topic=action.exam_topic,
        exam_score__isnull=False,
        session__held_on__lte=end,
    )
    if start is not None:
        rows = rows.filter(session__held_on__gte=start)
    mean = rows.aggregate(m=Avg("exam_score"))["m"]
    return None if mean is None else round(float(mean), 1)


def exam_effect(action: AssistanceAction, as_of: dt.date) -> Effect:
    topic = action.exam_topic
    if topic is None:
        raise ValueError("the action names no exam topic")
    before = _mean_score(action, None, action.started_on - dt.timedelta(days=1))
    after = (
        _mean_score(action, action.ended_on + dt.timedelta(days=1), as_of)
        if as_of > action.ended_on
        else None
    )
    verdict = PENDING
    if after is not None:
        passed = Decimal(str(after)) >= Attendance.PASS_MARK
        verdict = HELPED if passed and (before is None or after > before) else NOT_HELPED
    return Effect(
        _("%(topic)s 结业考试平均分") % {"topic": topic.name},
        before,
        after,
        _("%(day)s 前") % {"day": action.started_on.isoformat()},
        _("%(day)s 后") % {"day": action.ended_on.isoformat()} if after is not None else "—",
        verdict,
        _("分"),
    )
