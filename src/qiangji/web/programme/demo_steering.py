"""Demo data of the steering pages (deterministic, idempotent), written after the programme demo.

The item mapping (real-world names of registration items → catalogue items, JJF 1022 codes); two A级
candidates (the two county institutions with the most valid public standards on 31 December 2025) with a
planned date of 31 December 2026; and in every county institution two or three named registered-metrologist
candidates among its unregistered verification staff, in different stages: exam subjects passed by year
(one with a subject that has since expired), one qualified with an older 计量检定员证, one ready to
register; some continuing-education hours; and the 2025 考前辅导 sessions linked to the candidates.

The candidates' 2026 (`_a_grade_story`): both rectify, late, the findings still overdue in 2026 (after the
2026Q1 as-of date, so that quarter's compliance gate still shows them); the second is close to ready: three
new authorisations bring it to the 30 items of A5 and its qualified candidate registers in April, leaving
coverage (A3) a little short with a projected date before the plan's; the first keeps one named gap,
coverage falling since its retirements of 2026, which the trend says will not close by itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from qiangji.web.programme.candidacy import AGradeCandidate, RMCandidate
from qiangji.web.programme.models import TrainingSession
from qiangji.web.registry.models import (
    ContinuingEducation,
    ExamSubjectPass,
    Institution,
    InstitutionMVItem,
    MeasurementStandard,
    MVCatalogueItem,
    ProfessionalItemMapping,
    RMCredential,
    RMRegistration,
    Staff,
    SupervisionFinding,
)

DAY = dt.date(2025, 12, 31)
MAPPING = (  # registration item as written on real certificates, catalogue second-level name, JJF 1022 code
    ("弹簧管式一般压力表", "一般压力表", "15113100"),
    ("压力表", "一般压力表", "15113100"),
    ("数字压力表", "数字压力计", "15113300"),
    ("电子秤", "电子计价秤", "12113100"),
    ("电子计价秤（台案秤）", "电子计价秤", "12113100"),
    ("加油机", "燃油加油机", "28113900"),
    ("燃油加油机（税控）", "燃油加油机", "28113900"),
    ("冷水水表", "水表", "28113100"),
    ("电子血压计", "血压计（表）", "46113300"),
)


def load_steering_demo() -> str:
    if AGradeCandidate.objects.exists() or RMCandidate.objects.exists():
        return "强基行动调度演示数据已存在 / steering demo data already loaded"
    counties = list(
        Institution.objects.filter(level=Institution.Level.COUNTY, is_ranked=True).order_by("code")
    )
    if not counties:
        return "无县级机构，跳过调度演示数据 / no county institutions: steering demo skipped"
    with transaction.atomic():
        mapped = _mapping()
        chosen = _a_grade(counties)
        named = sum(_rm_candidates(inst, i) for i, inst in enumerate(counties))
        linked = _link_sessions()
        _a_grade_story(chosen)
    names = "、".join(c.institution.code for c in chosen)
    return (
        f"已加载强基行动调度演示数据 / steering demo loaded (mapping: {mapped}, A级 candidates: {names}, "
        f"RM candidates: {named}, prep sessions linked: {linked})"
    )


def _mapping() -> int:
    catalogue = {i.level2_name: i for i in MVCatalogueItem.objects.current()}
    rows = [
        ProfessionalItemMapping(
            registration_item=name,
            catalogue_item=catalogue[target],
            jjf1022_code=code,
            note="演示对照（示例）",
        )
        for name, target, code in MAPPING
        if target in catalogue
    ]
    for row in rows:
        row.save()  # one at a time: audited
    return len(rows)


def _a_grade(counties: list[Institution]) -> list[AGradeCandidate]:
    def strength(inst: Institution) -> tuple[int, str]:
        return (-MeasurementStandard.objects.public_valid_on(DAY).filter(institution=inst).count(), inst.code)

    made = []
    for inst in sorted(counties, key=strength)[:2]:
        made.append(AGradeCandidate.objects.create(
            institution=inst, named_on=dt.date(2024, 1, 15), target_date=dt.date(2026, 12, 31),
            note="市计量院项目办确定的A级培育机构（示例）",
        ))  # fmt: skip
    return made


def _rm_candidates(inst: Institution, index: int) -> int:
    """Up to three unregistered verification staff as candidates, in three different stages."""
    pool = list(
        inst.verification_staff_on(DAY)
        .exclude(pk__in=inst.registered_metrologists_on(DAY))
        .order_by("pk")[:3]
    )
    stages = (_in_exams, _qualified_with_old_credential, _expired_subject)
    for person, stage in zip(pool, stages, strict=False):
        stage(person, index)
    return len(pool)


def _candidate(person: Staff, level: int, target: dt.date) -> RMCandidate:
    return RMCandidate.objects.create(
        staff=person, level=level, target_date=target, named_on=dt.date(2024, 3, 1), note="演示候选人（示例）"
    )


def _in_exams(person: Staff, index: int) -> None:
    """Level 2: the law subject passed in 2025; the practice subject due in 2026."""
    ExamSubjectPass.objects.create(staff=person, level=2, subject="law", exam_year=2025)
    _candidate(person, 2, dt.date(2026, 6, 30))
    ContinuingEducation.objects.create(
        staff=person, completed_on=dt.date(2025, 5, 20), hours=Decimal("16"),
        provider="省计量测试学会（示例）",
        topic="计量法律法规专题",
    )  # fmt: skip


def _qualified_with_old_credential(person: Staff, index: int) -> None:
    """Level 2 passed within the window (2024 + 2025), with an older 计量检定员证 whose items still count."""
    ExamSubjectPass.objects.create(staff=person, level=2, subject="law", exam_year=2024)
    ExamSubjectPass.objects.create(staff=person, level=2, subject="practice", exam_year=2025)
    RMCredential.objects.create(
        staff=person, kind=RMCredential.Kind.VERIFIER, cert_no=f"JDY-{person.pk:05d}（示例）",
        issued_on=dt.date(2016, 4, 1), items=["压力表", "电子秤"], issuer="台州市质量技术监督局（示例）",
    )  # fmt: skip
    _candidate(person, 2, dt.date(2026, 3, 31))


def _expired_subject(person: Staff, index: int) -> None:
    """Level 1: one subject of 2022 that lapsed with the 2024 exams, two subjects of 2025 kept."""
    ExamSubjectPass.objects.create(staff=person, level=1, subject="law", exam_year=2022)
    ExamSubjectPass.objects.create(staff=person, level=1, subject="data", exam_year=2025)
    ExamSubjectPass.objects.create(staff=person, level=1, subject="law", exam_year=2025)
    _candidate(person, 1, dt.date(2026, 12, 31))


def _a_grade_story(chosen: list[AGradeCandidate]) -> None:
    """The 2026 of the two candidates (module docstring)."""
    for cand in chosen:
        overdue = SupervisionFinding.objects.overdue_on(dt.date(2026, 6, 30)).filter(
            institution=cand.institution
        )
        for k, finding in enumerate(overdue.order_by("due_on", "pk")):
            late = min(dt.date(2026, 5, 15) + dt.timedelta(days=12 * k), dt.date(2026, 6, 29))
            finding.closed_on = max(finding.due_on, late, dt.date(2026, 4, 1))  # after the 2026Q1 as-of date
            finding.save()
    if len(chosen) < 2:
        return
    near = chosen[1].institution
    held = near.mv_items.values_list("item_id", flat=True)
    missing = (
        MVCatalogueItem.objects.current().mandatory().exclude(pk__in=held).order_by("level1_no", "level2_no")
    )
    for item, day in zip(
        missing, (dt.date(2026, 1, 18), dt.date(2026, 3, 2), dt.date(2026, 5, 8)), strict=False
    ):
        InstitutionMVItem.objects.create(
            institution=near, item=item, authorised_from=day, annual_volume=300,
            authorisation_doc=f"计量授权证书附表（扩项，示例）（{near.code}）",
        )  # fmt: skip
    qualified = RMCandidate.objects.filter(staff__institution=near, target_date=dt.date(2026, 3, 31)).first()
    if qualified is not None:
        RMRegistration.objects.create(
            staff=qualified.staff, level=2, registration_no=f"示例注册2-{near.code}-{qualified.staff_id:04d}",
            qualification_cert_no=f"示例资格2025-{near.code}-{qualified.staff_id:04d}",
            authority="浙江省市场监督管理局（示例）", professional_items=["压力表", "电子秤"],
            valid_from=dt.date(2026, 4, 20), valid_to=dt.date(2031, 4, 19),
        )  # fmt: skip


def _link_sessions() -> int:
    sessions = TrainingSession.objects.filter(year=2025, topic__kind="exam")
    candidates = list(RMCandidate.objects.all())
    for s in sessions:
        s.candidates.set(candidates)
    return sessions.count()
