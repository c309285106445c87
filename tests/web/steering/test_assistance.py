"""Assistance actions with their computed effect, the proposed training needs and their acceptance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client

from qiangji.web.assessment.models import Period
from qiangji.web.programme.models import Attendance, TrainingNeed, TrainingSession, TrainingTopic
from qiangji.web.registry.models import ResearchOutput, Staff, SupervisionFinding
from qiangji.web.steering.effects import HELPED, PENDING, effects_of
from qiangji.web.steering.models import AssistanceAction
from qiangji.web.steering.proposals import accept, proposals
from tests.web.accounts.conftest import make_user

from .conftest import D

END = D(2025, 12, 31)


def _finding(inst: Any, found: Any, due: Any, closed: Any = None, sub: str = "C1") -> SupervisionFinding:
    return SupervisionFinding.objects.create(
        institution=inst,
        found_on=found,
        sub_dimension=sub,
        severity="minor",
        description="内审记录不完整（示例）",
        due_on=due,
        closed_on=closed,
    )


def _action(world: dict[str, Any], inst: Any, **addresses: Any) -> AssistanceAction:
    a = AssistanceAction(
        institution=inst,
        provider=world["tz"],
        kind="onsite",
        title="现场指导（示例）",
        started_on=D(2025, 3, 10),
        ended_on=D(2025, 4, 10),
        **addresses,
    )
    a.full_clean()
    a.save()
    return a


def test_a_closed_finding_shows_the_days_it_was_open(world: dict[str, Any]) -> None:
    f = _finding(world["c1"], D(2025, 3, 1), D(2025, 5, 1), D(2025, 4, 20))
    (e,) = effects_of(_action(world, world["c1"], finding=f), END)
    # open 9 days when the action started (03-01 → 03-10), closed after 50 (03-01 → 04-20), in time
    assert (e.before, e.after, e.after_when, e.verdict) == (9.0, 50.0, "2025-04-20 关闭", HELPED)
    (e,) = effects_of(AssistanceAction.objects.get(), D(2025, 4, 15))  # not yet closed on that day
    assert (e.after, e.verdict) == (45.0, PENDING)


def test_an_indicator_before_and_after(world: dict[str, Any]) -> None:
    for code in ("2024Q4", "2025Q1", "2025Q2", "2025Q3"):
        Period.for_code(code)
    c2 = world["c2"]
    ResearchOutput.objects.create(institution=c2, kind="paper", title="论文甲", published_on=D(2024, 11, 20))
    ResearchOutput.objects.create(institution=c2, kind="paper", title="论文乙", published_on=D(2025, 7, 5))
    ResearchOutput.objects.create(institution=c2, kind="patent", title="专利丙", published_on=D(2025, 8, 9))
    (e,) = effects_of(_action(world, c2, indicator="D5.3"), END)
    # last quarter ending before 03-10: 2024Q4 (1 output); first starting after 04-10: 2025Q3 (2 outputs)
    assert (e.before_when, e.before, e.after_when, e.after, e.verdict) == (
        "2024Q4",
        1.0,
        "2025Q3",
        2.0,
        HELPED,
    )
    (e,) = effects_of(AssistanceAction.objects.get(), D(2025, 8, 31))  # 2025Q3 not over on that day
    assert (e.after, e.verdict) == (None, PENDING)


def test_exam_scores_before_and_after(world: dict[str, Any]) -> None:
    c2 = world["c2"]
    topic = TrainingTopic.objects.create(code="MASS", name="衡器检定实操", kind="practice")
    staff = list(Staff.objects.filter(institution=c2).order_by("pk"))
    for held, scores in [(D(2025, 2, 10), (50, 60)), (D(2025, 10, 10), (70, 80))]:
        s = TrainingSession.objects.create(
            year=held.year,
            quarter=(held.month - 1) // 3 + 1,
            topic=topic,
            title="衡器",
            mode="offline",
            held_on=held,
            hours=Decimal(8),
            capacity=40,
        )
        for person, score in zip(staff, scores, strict=False):
            Attendance.objects.create(
                session=s, staff=person, signed_up_on=held, attended=True, exam_score=score
            )
    (e,) = effects_of(_action(world, c2, exam_topic=topic), END)
    assert (e.before, e.after, e.verdict) == (55.0, 75.0, HELPED)  # (50+60)/2 → (70+80)/2


def test_an_action_must_address_something_of_its_institution(world: dict[str, Any]) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        _action(world, world["c1"])
    assert "indicator" in exc.value.message_dict
    other = _finding(world["c2"], D(2025, 3, 1), D(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        _action(world, world["c1"], finding=other)
    assert exc.value.message_dict["finding"] == ["督导问题须属于受援机构。"]


def test_proposals_from_coverage_and_findings_and_their_acceptance(world: dict[str, Any]) -> None:
    c1, c2 = world["c1"], world["c2"]
    TrainingTopic.objects.create(code="LAW", name="计量法律法规与内审", kind="knowledge")
    TrainingTopic.objects.create(code="MASS", name="衡器检定实操", kind="practice")
    rm = TrainingTopic.objects.create(code="RM", name="注册计量师考前辅导", kind="exam")
    _finding(c1, D(2025, 6, 1), D(2025, 8, 1))  # open on 12-31, sub-dimension C1 → a knowledge topic
    _finding(c1, D(2025, 2, 1), D(2025, 3, 1), D(2025, 2, 20))  # closed: not proposed
    got = [(p.institution.code, p.topic.code, p.headcount) for p in proposals(2026, END)]
    # C2: 1 of 4 verification staff registered (25 %), ⌈0.8 × 4⌉ − 1 = 3 more needed; C1 100 %.
    assert got == [("C1", "LAW", 1), ("C2", "RM", 3)]
    assert accept(c2, rm, 2026, 3, "覆盖率 25%", END).startswith("已加入 2026 年培训需求")
    need = TrainingNeed.objects.get(institution=c2, year=2026)
    assert (need.topic, need.headcount, need.priority) == (rm, 3, 1)
    assert [p.accepted for p in proposals(2026, END)] == [False, True]
    assert "未改动" in accept(c2, rm, 2026, 2, "x", END)


def test_accepting_is_the_office_step(world: dict[str, Any]) -> None:
    rm = TrainingTopic.objects.create(code="RM", name="注册计量师考前辅导", kind="exam")
    data = {"institution": world["c2"].pk, "topic": rm.pk, "headcount": 3, "reasons": "覆盖率"}
    for name, role, status in [("r1", "reviewer", 403), ("l1", "leadership", 403), ("p1", "reporter", 403)]:
        client = Client()
        client.force_login(make_user(name, role, world["c2"] if role == "reporter" else None))
        assert client.post("/steering/assistance/2026/accept/", data).status_code == status
    assert not TrainingNeed.objects.exists()
    office = Client()
    office.force_login(make_user("office", "admin", world["tz"]))
    assert office.post("/steering/assistance/2026/accept/", data).status_code == 302
    assert TrainingNeed.objects.get().headcount == 3
