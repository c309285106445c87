"""Batch derivers of D1.2 and D4.4, the indicators whose data the steering app keeps (the duty lists and
the partner register), declared in the indicator registry by :func:`register_indicators` (app ready).
Signature ``dX_Y_all(insts, period) -> dict[int, Derived | None]``; D1.3 (the stored annual volumes) is the
registry's (``registry/indicators.py``).

* D1.2 强检职责清单覆盖率: items of the duty lists of the divisions an institution serves (the latest list of
  a year on or before the as-of date's) for which it holds an authorisation valid on the as-of date, over
  all those items. No duty list for its divisions → ``None`` (the next source, a reported value, counts).
* D4.4 产业/科研合作项目数: joint projects started in the period under a signed agreement (a project without
  one is named in the detail and not counted: docs/domain.md#indicators asks for the agreement as
  evidence). An institution with no joint project in the register up to the period's end → ``None``
  (the register is not kept for it yet: its reported value counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext_noop

from qiangji.web import indicators
from qiangji.web.assessment.models import Period
from qiangji.web.indicators import Derived, ratio
from qiangji.web.registry.models import Institution, InstitutionMVItem
from qiangji.web.steering.capability import duty_lists_on
from qiangji.web.steering.models import JointProject
from qiangji.web.steering.targets import institution_targets
from qiangji.web.stored_texts import NOT_COVERED

Insts = Sequence[Institution]


def d1_2_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    day = period.as_of
    duties = duty_lists_on(day)
    divisions: defaultdict[int, set[int]] = defaultdict(set)
    through = Institution.divisions.through.objects.filter(institution__in=insts)
    for inst_id, div_id in through.values_list("institution_id", "division_id"):
        divisions[inst_id].add(div_id)
    held: defaultdict[int, set[int]] = defaultdict(set)
    rows = InstitutionMVItem.objects.authorised_on(day).filter(institution__in=insts)
    for inst_id, item_id in rows.values_list("institution_id", "item_id"):
        held[inst_id].add(item_id)
    method = gettext_noop("基准日已授权的职责清单项目数 / 所服务区划强检职责清单项目数")
    out: dict[int, Derived | None] = {}
    for inst in insts:
        wanted = {r.item_id: r for d in sorted(divisions[inst.pk]) for r in duties.get(d, [])}
        missing = sorted(str(r.item) for item_id, r in wanted.items() if item_id not in held[inst.pk])
        hits = len(wanted) - len(missing)
        detail = NOT_COVERED.zh(items="、".join(missing)) if missing else ""
        out[inst.pk] = ratio(method, hits, len(wanted), missing, detail)
    return out


def d4_4_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = JointProject.objects.filter(
        institution__in=insts, started_on__gte=period.start, started_on__lte=period.end
    ).select_related("partner")
    counted: defaultdict[int, list[str]] = defaultdict(list)
    unsigned: defaultdict[int, list[str]] = defaultdict(list)
    for p in rows.order_by("started_on", "pk"):
        (counted if p.agreement_id else unsigned)[p.institution_id].append(f"{p.title}（{p.partner.name}）")
    kept = set(
        JointProject.objects.filter(institution__in=insts, started_on__lte=period.end).values_list(
            "institution_id", flat=True
        )
    )
    method = gettext_noop("期内开始且有签署协议的产业/科研合作项目数")
    out: dict[int, Derived | None] = {}
    for i in insts:
        if i.pk not in kept:
            out[i.pk] = None
            continue
        n = len(counted[i.pk])
        detail = "无签署协议未计：" + "、".join(unsigned[i.pk]) if unsigned[i.pk] else ""
        out[i.pk] = Derived(float(n), method, float(n), None, tuple(counted[i.pk]), detail)
    return out


def register_indicators() -> None:
    """Declare D1.2 and D4.4 (derived where the steering data exist, else the reported value) and the
    plan's per-institution targets (`targets.institution_targets`)."""
    indicators.register("D1.2", source=("derived", "reported"), derive=d1_2_all, demo_reported=True)
    indicators.register("D4.4", source=("derived", "reported"), derive=d4_4_all, demo_reported=True)
    indicators.register_targets(institution_targets)
