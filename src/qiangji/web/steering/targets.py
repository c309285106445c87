"""Per-institution goalposts from the 差异化 plan, for the index: a period's inputs
(`qiangji.web.assessment.inputs.plan_targets`) keep those of the indicators its framework accepts.

A target is the plan's value for one institution and one indicator, in the indicator's own unit; a flow
indicator's target (``per: year`` in the framework) is a per-year amount, pro-rated by the consumer as the
framework's own targets are.
"""

from __future__ import annotations

from collections import defaultdict

from qiangji.web.assessment.models import Period
from qiangji.web.steering.models import CapabilityPlan, PlanTarget


def institution_targets(period: Period) -> dict[int, dict[str, float]]:
    """Institution id → indicator code → target, from the plan in force on the period's as-of date.

    Empty when no adopted plan is in force; an institution without targets has no entry.
    """
    plan = CapabilityPlan.objects.in_force_on(period.as_of)
    if plan is None:
        return {}
    out: defaultdict[int, dict[str, float]] = defaultdict(dict)
    rows = PlanTarget.objects.filter(assignment__plan=plan).values_list(
        "assignment__institution_id", "indicator", "value"
    )
    for inst_id, code, value in rows:
        out[inst_id][code] = float(value)
    return dict(out)
