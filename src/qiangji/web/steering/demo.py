"""Demo data of the steering features (deterministic, idempotent), written after the registry and
programme demos: the 2025 duty lists of the nine divisions (two catalogue items nobody is authorised for:
the map's gaps), the 差异化 plan adopted on 1 March 2024 with each county's base set, specialities and
targets (and its 2026 revision, whose index targets framework 2026.1 scores from 2026Q1), partners with
agreements, joint projects (one without an agreement) and exchanges, research
applications in the pipeline, and assistance actions of the city institute whose effect the records show.
All names end in （示例）.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from typing import NamedTuple

from django.db import transaction

from qiangji.web.programme.models import TrainingTopic
from qiangji.web.registry.models import (
    Division,
    Institution,
    InstitutionMVItem,
    MVCatalogueItem,
    ResearchProject,
    Staff,
    SupervisionFinding,
)
from qiangji.web.steering import models as m

D = dt.date
CITY = "TZ-MI"
YEAR = 2025
#: Partners by a short key (the rows below name them by it), created in this order.
PARTNERS = {
    "pumps": ("国家泵阀产业计量测试中心（示例）", "national_centre", "浙江", "流量、压力、电机能效"),
    "moulds": ("浙江省模具产业计量测试中心（示例）", "provincial_centre", "浙江", "几何量、三坐标测量"),
    "college": ("台州某学院精密测量研究所（示例）", "university", "台州", "精密测量、数据处理"),
    "province": ("浙江某计量科学研究院（示例）", "metrology", "杭州", "量值溯源、比对主导"),
    "auto": ("某汽车零部件研究院（示例）", "institute", "宁波", "扭矩、力值、环境试验"),
}


class _Project(NamedTuple):
    institution: str
    partner: str
    signed: dt.date | None
    """The day an agreement with the partner was signed for this project; None: no new agreement."""
    title: str
    kind: str
    cluster: str
    started: dt.date
    under_agreement: bool
    """Whether the project runs under the institution's agreement with the partner (one does not)."""


JOINT_PROJECTS = (
    _Project(
        "WL-MI",
        "pumps",
        D(2024, 4, 8),
        "小型水泵能效在线测试方法研究（示例）",
        "research",
        "泵与电机",
        D(2024, 5, 6),
        True,
    ),
    _Project("WL-MI", "pumps", None, "电机转矩校准装置共建（示例）", "lab", "泵与电机", D(2025, 3, 3), True),
    _Project(
        "HY-MI",
        "moulds",
        D(2024, 6, 17),
        "注塑模具型腔三坐标测量规范研制（示例）",
        "standard",
        "模具",
        D(2024, 9, 2),
        True,
    ),
    _Project(
        "JJ-MI",
        "college",
        D(2024, 9, 20),
        "制药企业温湿度分布测量服务（示例）",
        "service",
        "医药化工",
        D(2025, 4, 1),
        True,
    ),
    _Project(
        "TT-MI",
        "auto",
        D(2025, 2, 11),
        "汽车零部件扭矩测量能力提升（示例）",
        "service",
        "汽车零部件",
        D(2025, 3, 17),
        True,
    ),
    _Project(
        "YH-MI", "auto", None, "阀门密封性检测方法交流（示例）", "research", "阀门水暖", D(2025, 6, 9), False
    ),
)
#: Exchanges: institution, partner, direction ("in": the partner's expert comes; "out": our staff go),
#: topic, first day, length in days.
EXCHANGES = (
    ("XJ-MI", "province", "out", "量值溯源与不确定度评定进修（示例）", D(2024, 10, 8), 30),
    ("SM-MI", "province", "out", "橡胶硬度计检定实操跟班学习（示例）", D(2025, 4, 7), 21),
    ("TT-MI", "auto", "in", "扭矩校准专家驻点指导（示例）", D(2025, 5, 12), 10),
    ("WL-MI", "pumps", "out", "水泵能效实验室挂职（示例）", D(2025, 7, 1), 90),
)


def _rng(*keys: object) -> int:
    return zlib.crc32("|".join(map(str, keys)).encode())


def load_steering_demo() -> str:
    """Load once (nothing happens when a plan exists or the registry demo is missing); returns a summary."""
    insts = {i.code: i for i in Institution.objects.all()}
    if CITY not in insts or m.CapabilityPlan.objects.exists():
        return "能力布局演示数据已存在或无机构 / steering demo data already loaded or no institutions"
    with transaction.atomic():
        counts = {
            "duties": _duties(insts),
            "plan": _plan(insts),
            "plan_2026": _plan_2026(),
            "partners": _cooperation(insts),
            "applications": _applications(insts),
            "actions": _assistance(insts),
        }
    return (
        "已加载能力布局、合作与帮扶演示数据 / steering demo data loaded ("
        + ", ".join(f"{k}: {v}" for k, v in counts.items())
        + ")"
    )


def _duties(insts: dict[str, Institution]) -> int:
    """Each division's list: the items its institutions hold, and two they do not (the map's gaps)."""
    held = InstitutionMVItem.objects.authorised_on(D(YEAR, 12, 31)).select_related("item")
    catalogue = list(MVCatalogueItem.objects.current().mandatory().order_by("level1_no", "level2_no"))
    rows = []
    for division in Division.objects.order_by("code"):
        local = {a.item_id: a for a in held.filter(institution__divisions=division)}
        for a in local.values():
            base = a.annual_volume or 500
            population = base + _rng(division.code, a.item_id) % max(base // 4, 50)
            rows.append(m.DutyListItem(division=division, year=YEAR, item=a.item, population=population))
        missing = [it for it in catalogue if it.pk not in local]
        for it in sorted(missing, key=lambda it: _rng(division.code, it.pk))[:2]:
            rows.append(
                m.DutyListItem(
                    division=division, year=YEAR, item=it, population=120 + _rng(division.code, it.pk) % 400
                )
            )
    m.DutyListItem.objects.bulk_create(rows)
    return len(rows)


def _plan(insts: dict[str, Institution]) -> int:
    plan = m.CapabilityPlan.objects.create(
        name="台州市计量技术机构差异化、专业化协同发展总体规划（示例）",
        version="2024.1",
        adopted_on=D(2024, 3, 1),
        target_on=D(2025, 12, 31),
        source_document="台市计量〔2024〕3号（示例）",
    )
    counties = [i for i in insts.values() if i.level == "county" and i.is_ranked and i.dissolved_on is None]
    held = {
        i.pk: set(
            InstitutionMVItem.objects.authorised_on(D(2024, 3, 1))
            .filter(institution=i)
            .values_list("item_id", flat=True)
        )
        for i in counties
    }
    common = Counter(item for items in held.values() for item in items)
    for inst in sorted(counties, key=lambda i: i.code):
        division = inst.divisions.first()
        clusters = list(division.block_industries[:1]) if division else []
        a = m.PlanAssignment.objects.create(
            plan=plan,
            institution=inst,
            speciality_clusters=clusters,
            positioning=("特色专业型：" + "、".join(clusters)) if clusters else "民生计量保障型",
        )
        a.base_items.set([i for i in held[inst.pk] if common[i] >= len(counties) - 2])
        a.speciality_items.set([i for i in held[inst.pk] if common[i] <= 2])
        for code, value in (("D1.2", 100.0), ("D3.1", 80.0), ("D4.4", 2.0 if clusters else 1.0)):
            m.PlanTarget.objects.create(assignment=a, indicator=code, value=value)
    return len(counties)


#: The 2026 revision's index targets (issue 19 point 3), the amounts each county is expected to reach in
#: place of framework 2026.1's common goalposts (D1.1 30 items, D1.3 50,000 a year, D2.1 50 standards,
#: D4.1 500 enterprises a year, D4.2 20,000 reports a year): the three mountain counties, with small
#: populations of instruments and few industrial parks, are held to less; 温岭, the largest and an A级
#: candidate, to more items and standards.
TARGETS_2026: dict[str, dict[str, float]] = {
    "SM-MI": {"D1.1": 20, "D1.3": 30000, "D2.1": 25, "D4.1": 250, "D4.2": 8000},
    "TT-MI": {"D1.1": 20, "D1.3": 32000, "D2.1": 25, "D4.1": 300, "D4.2": 10000},
    "XJ-MI": {"D1.1": 18, "D1.3": 20000, "D2.1": 22, "D4.1": 250, "D4.2": 8000},
    "WL-MI": {"D1.1": 34, "D2.1": 60},
}


def _plan_2026() -> int:
    """The plan's 2026 revision (adopted 5 January 2026): the same roles, plus the index targets above,
    which framework 2026.1 scores from 2026Q1 on."""
    old = m.CapabilityPlan.objects.get(version="2024.1")
    plan = m.CapabilityPlan.objects.create(
        name=old.name.replace("（示例）", "（2026年修订，示例）"),
        version="2026.1",
        adopted_on=D(2026, 1, 5),
        target_on=D(2026, 12, 31),
        source_document="台市计量〔2026〕1号（示例）",
    )
    for a in old.assignments.select_related("institution").order_by("institution__code"):
        new = m.PlanAssignment.objects.create(
            plan=plan,
            institution=a.institution,
            positioning=a.positioning,
            speciality_clusters=a.speciality_clusters,
        )
        new.base_items.set(a.base_items.all())
        new.speciality_items.set(a.speciality_items.all())
        own = {t.indicator: t.value for t in a.targets.all()} | TARGETS_2026.get(a.institution.code, {})
        for code, value in sorted(own.items()):
            m.PlanTarget.objects.create(assignment=new, indicator=code, value=value, note="2026年度目标")
    return plan.assignments.count()


def _cooperation(insts: dict[str, Institution]) -> int:
    partners = {
        key: m.Partner.objects.create(name=n, kind=k, region=r, speciality=sp)
        for key, (n, k, r, sp) in PARTNERS.items()
    }
    _joint_projects(insts, partners)
    _exchanges(insts, partners)
    return len(partners)


def _joint_projects(insts: dict[str, Institution], partners: dict[str, m.Partner]) -> None:
    agreements: dict[tuple[str, str], m.Agreement] = {}
    for row in JOINT_PROJECTS:
        inst, partner = insts[row.institution], partners[row.partner]
        key = (row.institution, row.partner)
        if row.signed is not None:
            agreements[key] = _agreement(inst, partner, row.signed, len(agreements) + 1)
        m.JointProject.objects.create(
            institution=inst,
            partner=partner,
            agreement=agreements.get(key) if row.under_agreement else None,
            title=row.title,
            kind=row.kind,
            cluster_tag=row.cluster,
            started_on=row.started,
        )


def _agreement(inst: Institution, partner: m.Partner, signed: dt.date, number: int) -> m.Agreement:
    """The ``number``-th agreement of the demo, for three years."""
    return m.Agreement.objects.create(
        institution=inst,
        partner=partner,
        title=f"{partner.name}与{inst.name}合作协议",
        document_no=f"HZ-{signed.year}-{number:02d}（示例）",
        signed_on=signed,
        expires_on=D(signed.year + 3, signed.month, signed.day),
    )


def _exchanges(insts: dict[str, Institution], partners: dict[str, m.Partner]) -> None:
    for code, key, direction, topic, start, days in EXCHANGES:
        inst = insts[code]
        staff = Staff.objects.filter(institution=inst, is_verification=True).order_by("pk").first()
        m.Exchange.objects.create(
            institution=inst,
            partner=partners[key],
            kind="expert" if direction == "in" else "study",
            direction=direction,
            staff=staff if direction == "out" else None,
            person="王某（示例）" if direction == "in" else "",
            topic=topic,
            started_on=start,
            ended_on=start + dt.timedelta(days=days - 1),
        )


#: Applications not (yet) approved: institution, title, funding level, funder, status, submitted on.
APPLICATIONS = (
    (
        "TT-MI",
        "汽车零部件扭矩扳手检定装置研制（示例）",
        "municipal",
        "台州市科学技术局（示例）",
        "submitted",
        D(2025, 9, 15),
    ),
    (
        "SM-MI",
        "橡胶硬度计自动检定系统研究（示例）",
        "municipal",
        "台州市科学技术局（示例）",
        "submitted",
        D(2025, 10, 8),
    ),
    (
        "XJ-MI",
        "工艺礼品企业计量管理帮扶模式研究（示例）",
        "municipal",
        "台州市科学技术局（示例）",
        "preparing",
        None,
    ),
    (
        "LQ-MI",
        "出租车计价器远程检定方法研究（示例）",
        "provincial",
        "浙江省市场监督管理局（示例）",
        "rejected",
        D(2024, 11, 4),
    ),
)
#: The city institute's planned actions: institution, kind, title, start, end, indicator they aim at.
PLANNED_ACTIONS = (
    (
        "XJ-MI",
        "pairing",
        "市院与仙居所结对帮扶：注册计量师培养（示例）",
        D(2024, 1, 8),
        D(2024, 12, 20),
        "D3.1",
    ),
    ("SM-MI", "standard", "协助建立橡胶硬度计检定装置（示例）", D(2024, 4, 1), D(2024, 8, 30), "D2.1"),
    ("TT-MI", "lending", "借用扭矩标准装置开展检定（示例）", D(2024, 10, 8), D(2025, 1, 10), "D1.1"),
)


def _applications(insts: dict[str, Institution]) -> int:
    return _open_applications(insts) + _approved_applications()


def _open_applications(insts: dict[str, Institution]) -> int:
    for code, title, level, funder, status, submitted in APPLICATIONS:
        m.ResearchApplication.objects.create(
            institution=insts[code],
            title=title,
            funding_level=level,
            funder=funder,
            status=status,
            submitted_on=submitted,
            decided_on=D(2025, 3, 20) if status == "rejected" else None,
        )
    return len(APPLICATIONS)


def _approved_applications() -> int:
    """The applications of the first three funded projects in the registry, decided on their approval."""
    approved = 0
    for project in ResearchProject.objects.exclude(funding_level="other").order_by("approved_on")[:3]:
        m.ResearchApplication.objects.create(
            institution=project.institution,
            title=project.title,
            funding_level=project.funding_level,
            funder=project.funder or "—",
            status="approved",
            project=project,
            submitted_on=project.approved_on - dt.timedelta(days=90),
            decided_on=project.approved_on,
        )
        approved += 1
    return approved


def _assistance(insts: dict[str, Institution]) -> int:
    city = insts[CITY]
    return _planned_actions(insts, city) + _onsite_actions(city) + _exam_pairing(insts)


def _planned_actions(insts: dict[str, Institution], city: Institution) -> int:
    for code, kind, title, start, end, indicator in PLANNED_ACTIONS:
        m.AssistanceAction.objects.create(
            institution=insts[code],
            provider=city,
            kind=kind,
            title=title,
            started_on=start,
            ended_on=end,
            indicator=indicator,
        )
    return len(PLANNED_ACTIONS)


def _onsite_actions(city: Institution) -> int:
    """On-site guidance a week after each of three 2024 supervision findings."""
    made = 0
    for f in SupervisionFinding.objects.filter(
        institution__code__in=("XJ-MI", "SM-MI", "YH-MI"), found_on__year=2024
    ).order_by("institution", "found_on")[:3]:
        m.AssistanceAction.objects.create(
            institution=f.institution,
            provider=city,
            kind="onsite",
            title="针对督导问题的现场指导（示例）",
            started_on=f.found_on + dt.timedelta(days=7),
            ended_on=f.found_on + dt.timedelta(days=9),
            finding=f,
        )
        made += 1
    return made


def _exam_pairing(insts: dict[str, Institution]) -> int:
    """温岭's coaching of 三门 for the first exam topic (none without one)."""
    rm = TrainingTopic.objects.filter(kind="exam").first()
    if rm is None:
        return 0
    m.AssistanceAction.objects.create(
        institution=insts["SM-MI"],
        provider=insts["WL-MI"],
        kind="pairing",
        exam_topic=rm,
        title="温岭所与三门所结对：考前辅导答疑（示例）",
        started_on=D(2024, 2, 1),
        ended_on=D(2024, 6, 30),
    )
    return 1
