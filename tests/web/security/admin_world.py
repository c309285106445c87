"""A small world with at least one row of every model the admin shows, and a user of every role.

The registry, reporting, programme and comparison rows come from the access-matrix world
(``tests/web/accounts``); the rest is added here: one row each, county 1's where a row belongs to an
institution, so a county reporter would find its "own" row in every admin page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.web.accounts.conftest import make_user
from tests.web.accounts.test_matrix import _batches, _programme, _rounds

D = dt.date


def build_world() -> dict[str, Any]:
    from qiangji.web.registry.models import Institution, Staff

    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="示例县计量所1（示例）", level=Institution.Level.COUNTY)
    c2 = Institution.objects.create(code="C2", name="示例县计量所2（示例）", level=Institution.Level.COUNTY)
    users = {
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "reporter": make_user("county1", "reporter", c1),
        "leadership": make_user("director", "leadership"),
        "anonymous": None,
    }
    world: dict[str, Any] = {"city": city, "c1": c1, "c2": c2, "users": users}
    world["s1"] = Staff.objects.create(institution=c1, name="张三（示例）", hired_on=D(2020, 1, 1))
    world["s2"] = Staff.objects.create(institution=c2, name="李四（示例）", hired_on=D(2020, 1, 1))
    _reporting(world)
    _programme(world)
    _batches(world)
    _rounds(world)
    _registry(world)
    _supervision(world)
    _comparisons(world)
    _programme_more(world)
    _publication(world)
    _accounts(world)
    _steering(world)
    return world


def _steering(world: dict[str, Any]) -> None:
    """One row of every steering model (issue 19), county 1's where a row belongs to an institution."""
    from qiangji.web.registry.models import Division, MVCatalogueItem, SupervisionFinding
    from qiangji.web.steering import models as m

    c1, city = world["c1"], world["city"]
    partner = m.Partner.objects.create(name="示例产业计量测试中心（示例）", kind="provincial_centre")
    agreement = m.Agreement.objects.create(
        institution=c1, partner=partner, title="合作协议（示例）", document_no="XY-1", signed_on=D(2024, 3, 1)
    )
    m.JointProject.objects.create(
        institution=c1, partner=partner, agreement=agreement, title="联合项目（示例）", kind="research",
        started_on=D(2024, 4, 1),
    )  # fmt: skip
    m.Exchange.objects.create(
        institution=c1, partner=partner, kind="study", direction="out", staff=world["s1"], topic="进修",
        started_on=D(2024, 5, 1), ended_on=D(2024, 5, 31),
    )  # fmt: skip
    m.ResearchApplication.objects.create(
        institution=c1, title="申报（示例）", funding_level="municipal", funder="市科技局（示例）"
    )
    finding = SupervisionFinding.objects.filter(institution=c1).first()
    m.AssistanceAction.objects.create(
        institution=c1, provider=city, kind="onsite", title="现场指导（示例）", started_on=D(2024, 6, 1),
        ended_on=D(2024, 6, 2), finding=finding, indicator="" if finding else "D2.3",
    )  # fmt: skip
    plan = m.CapabilityPlan.objects.create(name="规划（示例）", version="1", target_on=D(2025, 12, 31))
    assignment = m.PlanAssignment.objects.create(plan=plan, institution=c1, positioning="综合（示例）")
    m.PlanTarget.objects.create(assignment=assignment, indicator="D1.2", value=95)
    division = Division.objects.create(code="D-X", name="示例区（示例）", kind="district")
    item = MVCatalogueItem.objects.create(
        catalogue_version="X", level1_no=99, level1_name="示例（示例）", level2_no=1, level2_name="示例",
        supervision_mode="V", mv_form="periodic", evidence="expected",
    )  # fmt: skip
    m.DutyListItem.objects.create(division=division, year=2025, item=item, population=10)


def _reporting(world: dict[str, Any]) -> None:
    from qiangji.web.assessment import workflow
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue

    ensure_default_framework(FrameworkVersion)
    report = ReportedValue.objects.create(
        period=Period.for_code("2024Q1"), institution=world["c1"], indicator="D1.3", value=5,
        updated_by=world["users"]["reporter"],
    )  # fmt: skip
    workflow.transition(report, workflow.SUBMITTED, world["users"]["reporter"]).save()


def _registry(world: dict[str, Any]) -> None:
    from qiangji.web.registry import models as r
    from qiangji.web.registry.catalogue import load_catalogue
    from tests.web.registry import factories as f

    c1, s1 = world["c1"], world["s1"]
    load_catalogue()
    r.Division.objects.create(code="331003", name="黄岩区（示例）", kind="district")
    r.InstitutionMVItem.objects.create(
        institution=c1, item=r.MVCatalogueItem.objects.first(), authorised_from=D(2020, 1, 1)
    )
    r.InstitutionName.objects.create(institution=c1, name="示例县计量所一（旧名）", valid_from=D(2010, 1, 1))
    r.ExamSubjectPass.objects.create(staff=s1, level=2, subject="law", exam_year=2024)
    r.RMCredential.objects.create(
        staff=s1, kind="verifier", cert_no="JDY-1", issued_on=D(2015, 1, 1), items=["衡器"]
    )
    r.ContinuingEducation.objects.create(
        staff=s1, completed_on=D(2024, 5, 1), hours=8, provider="学会（示例）"
    )
    r.ProfessionalItemMapping.objects.create(
        registration_item="电子秤", catalogue_item=r.MVCatalogueItem.objects.first()
    )
    r.InstitutionGrade.objects.create(
        institution=c1, grade="B", effective_from=D(2021, 1, 1), source_document="示例文件"
    )
    old = r.Institution.objects.create(code="C0", name="已撤销所（示例）", level=r.Institution.Level.COUNTY)
    r.InstitutionSuccession.objects.create(predecessor=old, successor=c1, effective_on=D(2015, 1, 1))
    std = f.standard(c1)
    r.PreviousAssessment.objects.create(
        standard=std, cert_no="[2016]示例标字第1号", issued_on=D(2016, 1, 1), expires_on=D(2019, 12, 31)
    )
    f.instrument_certificate(std, D(2024, 1, 1), D(2024, 12, 31))
    f.registration(s1, D(2020, 1, 1), D(2029, 12, 31))
    f.certificate(c1).save()
    r.ResearchProject.objects.create(
        institution=c1, title="示例课题", funding_level="municipal", approved_on=D(2023, 5, 1)
    )
    r.LabPlatform.objects.create(institution=c1, name="示例实验室", level=1, approved_on=D(2022, 1, 1))
    r.ResearchOutput.objects.create(
        institution=c1, kind="paper", title="示例论文", published_on=D(2023, 6, 1)
    )
    r.IndustryService.objects.create(
        institution=c1, year=2024, quarter=1, enterprise="示例企业", service_type="calibration"
    )


def _supervision(world: dict[str, Any]) -> None:
    from qiangji.web.assessment.models import Period, Rectification, SupervisionVisit
    from qiangji.web.registry.models import SupervisionFinding

    period = Period.for_code("2024Q1")
    visit = SupervisionVisit.create_with_checklist(
        period=period, institution=world["c1"], visited_on=period.end, inspectors="检查员（示例）"
    )
    finding = SupervisionFinding.objects.create(
        institution=world["c1"], found_on=period.end, sub_dimension="C1", severity="minor",
        description="内审报告缺失（示例）", due_on=period.end + dt.timedelta(days=30),
    )  # fmt: skip
    visit.findings.add(finding)
    world["rectification"] = Rectification.objects.create(
        finding=finding, measures="补做内审（示例）", submitted_on=period.end,
        submitted_by=world["users"]["reporter"],
    )  # fmt: skip


def _comparisons(world: dict[str, Any]) -> None:
    from qiangji.web.comparisons import models as m
    from qiangji.web.registry.models import SupervisionFinding

    rnd = m.ComparisonRound.objects.get(code="CMP-EVAL")
    m.PilotCheck.objects.create(point=rnd.points.first(), measured_on=D(2024, 3, 1), x=0.0, U=0.2)
    finding = SupervisionFinding.objects.create(
        institution=world["c1"], found_on=D(2024, 4, 1), sub_dimension="C3", severity="minor",
        source="other", description="比对结果不满意（示例）", due_on=D(2024, 5, 1),
    )  # fmt: skip
    m.CorrectiveAction.objects.create(round=rnd, institution=world["c1"], finding=finding)
    competition = m.Competition.objects.create(name="计量大比武（示例）", year=2024, held_from=D(2024, 9, 1))
    item = m.CompetitionItem.objects.create(competition=competition, name="衡器检定")
    m.Contestant.objects.create(item=item, staff=world["s1"], institution=world["c1"])


def _programme_more(world: dict[str, Any]) -> None:
    from qiangji.web.programme import models as p
    from qiangji.web.programme.defaults import ensure_default_goals
    from qiangji.web.programme.plans import propose_plan

    ensure_default_goals(p.Goal)
    p.RMExamPass.objects.create(staff=world["s1"], level=2, exam_year=2024, passed_on=D(2024, 11, 1))
    propose_plan(p.TrainingYear.objects.get(year=2025))


def _publication(world: dict[str, Any]) -> None:
    """A ranking in its public notice with one objection of county 1 pending and one answered."""
    from qiangji.web.assessment.models import FrameworkVersion, Period
    from qiangji.web.publication import workflow
    from qiangji.web.publication.runs import create_run
    from tests.web.publication.frames import random_inputs

    fv = FrameworkVersion.objects.get()
    period = Period.for_code("2025Q1")
    units = {"C1": "示例县计量所1（示例）", "C2": "示例县计量所2（示例）"}
    run = create_run(period, fv, random_inputs(units, seed=3), seed=7, runs=20)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, timezone.localdate())
    for key in ("objection_pending", "objection_answered"):
        world[key] = workflow.lodge_objection(
            pub, text=f"{key}（示例）", submitted_by="张某（示例）", received_on=timezone.localdate(),
            institution=world["c1"],
        )  # fmt: skip
    workflow.reply_objection(
        world["objection_answered"], outcome="rejected", reply="数据无误（示例）", today=timezone.localdate(),
        user=world["users"]["admin"],
    )  # fmt: skip


def _accounts(world: dict[str, Any]) -> None:
    from qiangji.web.accounts.models import LoginFailure
    from qiangji.web.api.models import ApiToken

    for role in ("admin", "reviewer"):
        world[f"token_{role}"] = ApiToken.issue(world["users"][role], f"{role}-token")[0]
    LoginFailure.objects.create(username="county1", ip="127.0.0.1")
    from django.contrib.auth.models import Group

    Group.objects.create(name="示例组")
