"""Batch derivers of D1.2, D1.3 and D4.4 (the registry note of the session: written here, registered in
``assessment.derive`` at merge). Signature ``dX_Y_all(insts, period) -> dict[int, Derived | None]``.

* D1.2 强检职责清单覆盖率: items of the duty lists of the divisions an institution serves (the latest list of
  a year on or before the as-of date's) for which it holds an authorisation valid on the as-of date, over
  all those items. No duty list for its divisions → ``None`` (the next source, a reported value, counts).
* D1.3 强检计量器具检定量: the annual volumes of its mandatory-verification authorisations valid on the
  as-of date, pro-rated to the period (× whole months / 12, as the framework's ``per: year`` amounts).
  No volume recorded on any authorisation → ``None``.
* D4.4 产业/科研合作项目数: joint projects started in the period under a signed agreement (a project without
  one is named in the detail and not counted: docs/domain.md §5.2 asks for the agreement as evidence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from qiangji.web.assessment.derive import Derived, ratio
from qiangji.web.assessment.models import Period
from qiangji.web.registry.models import Institution, InstitutionMVItem
from qiangji.web.steering.capability import duty_lists_on
from qiangji.web.steering.models import JointProject

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
    method = "基准日已授权的职责清单项目数 / 所服务区划强检职责清单项目数"
    out: dict[int, Derived | None] = {}
    for inst in insts:
        wanted = {r.item_id: r for d in sorted(divisions[inst.pk]) for r in duties.get(d, [])}
        missing = sorted(str(r.item) for item_id, r in wanted.items() if item_id not in held[inst.pk])
        hits = len(wanted) - len(missing)
        detail = "未覆盖：" + "、".join(missing) if missing else ""
        out[inst.pk] = ratio(method, hits, len(wanted), missing, detail)
    return out


def d1_3_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = InstitutionMVItem.objects.authorised_on(period.as_of).filter(
        institution__in=insts, item__supervision_mode__in=["V", "P+V"], annual_volume__isnull=False
    )
    totals: defaultdict[int, int] = defaultdict(int)
    items: defaultdict[int, list[str]] = defaultdict(list)
    for r in rows.select_related("item"):
        totals[r.institution_id] += r.annual_volume or 0
        items[r.institution_id].append(f"{r.item} {r.annual_volume}")
    fraction = period.year_fraction
    method = f"基准日有效授权强检项目的年检定量合计 × {fraction:g}（期长/年）"
    return {
        i.pk: Derived(
            float(round(totals[i.pk] * fraction)), method, float(totals[i.pk]), None, tuple(items[i.pk])
        )
        if items[i.pk]
        else None
        for i in insts
    }


def d4_4_all(insts: Insts, period: Period) -> dict[int, Derived | None]:
    rows = JointProject.objects.filter(
        institution__in=insts, started_on__gte=period.start, started_on__lte=period.end
    ).select_related("partner")
    counted: defaultdict[int, list[str]] = defaultdict(list)
    unsigned: defaultdict[int, list[str]] = defaultdict(list)
    for p in rows.order_by("started_on", "pk"):
        (counted if p.agreement_id else unsigned)[p.institution_id].append(f"{p.title}（{p.partner.name}）")
    method = "期内开始且有签署协议的产业/科研合作项目数"
    out: dict[int, Derived | None] = {}
    for i in insts:
        n = len(counted[i.pk])
        detail = "无签署协议未计：" + "、".join(unsigned[i.pk]) if unsigned[i.pk] else ""
        out[i.pk] = Derived(float(n), method, float(n), None, tuple(counted[i.pk]), detail)
    return out


BATCH_DERIVERS = {"D1.2": d1_2_all, "D1.3": d1_3_all, "D4.4": d4_4_all}
