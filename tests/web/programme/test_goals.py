"""Goals: default goals, metrics from the registry as of a date, gaps, trajectory and projection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from qiangji.web.programme.metrics import registrations_needed
from qiangji.web.programme.models import Goal, RMExamPass
from qiangji.web.programme.progress import goal_status, project, quarter_ends
from qiangji.web.registry.models import InstitutionGrade, ResearchProject

from .conftest import register

D = dt.date


@pytest.mark.parametrize(
    ("registered", "verification", "needed"),
    [(3, 10, 5), (7, 9, 1), (8, 10, 0), (0, 1, 1), (4, 5, 0), (3, 4, 1), (0, 0, 0)],
)
def test_it_counts_registrations_needed_exactly(registered: int, verification: int, needed: int) -> None:
    # by hand: ⌈0.8 · v⌉ − r; 0.8 · 9 = 7.2 → 8 − 7 = 1; 0.8 · 4 = 3.2 → 4 − 3 = 1; 0.8 · 5 = 4 → 0
    assert registrations_needed(registered, verification, Decimal(80)) == needed


def test_it_ships_the_three_default_goals(db: Any) -> None:
    assert sorted(Goal.objects.values_list("metric", flat=True)) == [
        "a_grade_count",
        "institutions_with_research",
        "rm_coverage_min",
    ]


def test_it_computes_rm_coverage_and_the_gap_per_institution(world: dict[str, Any]) -> None:
    s = goal_status(Goal.objects.get(code="rm-coverage"), D(2025, 6, 30))
    assert s.now.value == 30.0 and not s.met
    rows = {r.code: r for r in s.now.institutions}
    assert set(rows) == {"JJ", "XJ"}  # county institutions only
    assert rows["JJ"].met and rows["XJ"].gap == 5
    assert "还需 5 名注册计量师" in rows["XJ"].gap_text
    assert [r.code for r in s.laggards] == ["XJ"]


def test_a_passed_exam_moves_coverage_only_once_registered(world: dict[str, Any]) -> None:
    goal, day = Goal.objects.get(code="rm-coverage"), D(2025, 6, 30)
    person = world["xj_staff"][5]
    RMExamPass.objects.create(staff=person, level=2, exam_year=2024, passed_on=D(2024, 12, 1))
    assert goal_status(goal, day).now.value == 30.0
    register(person, D(2025, 6, 1), D(2030, 5, 31), "XJ-NEW")
    assert goal_status(goal, day).now.value == 40.0
    assert goal_status(goal, D(2025, 5, 31)).now.value == 30.0  # as of a date before the registration


def test_it_counts_new_a_grades_against_the_baseline(world: dict[str, Any]) -> None:
    goal = Goal.objects.get(code="a-grade")
    InstitutionGrade.objects.create(institution=world["jj"], grade="A", effective_from=D(2024, 7, 1),
                                    source_document="x")  # fmt: skip
    before, after = goal_status(goal, D(2024, 6, 30)), goal_status(goal, D(2025, 6, 30))
    assert (before.baseline, before.target, before.now.value) == (1.0, 3.0, 1.0)
    assert after.now.value == 2.0 and after.percent == 50.0 and not after.met


def test_research_counts_only_institutions_without_earlier_projects(world: dict[str, Any]) -> None:
    goal = Goal.objects.get(code="research-breakthrough")
    ResearchProject.objects.create(institution=world["city"], title="老项目", funding_level="provincial",
                                   approved_on=D(2021, 3, 1))  # fmt: skip
    ResearchProject.objects.create(institution=world["xj"], title="新项目", funding_level="municipal",
                                   approved_on=D(2024, 5, 1))  # fmt: skip
    s = goal_status(goal, D(2025, 6, 30))
    assert s.now.value == 1.0 and {r.code for r in s.now.institutions} == {"JJ", "XJ"}


def test_it_builds_the_quarterly_trajectory() -> None:
    days = quarter_ends(D(2023, 1, 1), D(2023, 8, 15))
    assert days == [D(2023, 1, 1), D(2023, 3, 31), D(2023, 6, 30), D(2023, 8, 15)]


def test_it_projects_a_clipped_linear_trend() -> None:
    # points one year apart rising 10/yr from 50: at 2 years → 70; clipped to 65 when high = 65
    pts = [(D(2023, 1, 1), 50.0), (D(2024, 1, 1), 60.0), (D(2025, 1, 1), 70.0)]
    p = project(pts, D(2026, 1, 1), 0.0, 100.0)
    assert p is not None and p.value == pytest.approx(80.0, abs=0.05)
    clipped = project(pts, D(2026, 1, 1), 0.0, 65.0)
    assert clipped is not None and clipped.value == 65.0
    assert project(pts[:2], D(2026, 1, 1), 0.0, 100.0) is None
