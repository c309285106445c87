"""Goal metrics on many dates from rows loaded once (series.Preloaded) equal the registry's own queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiangji.web.programme.metrics import METRICS, REGISTRY
from qiangji.web.programme.models import Goal
from qiangji.web.programme.progress import all_statuses, goal_status, quarter_ends
from qiangji.web.programme.series import Preloaded
from qiangji.web.registry.models import Institution, InstitutionGrade, InstitutionName, ResearchProject, Staff

from .conftest import register

D = dt.date


@pytest.fixture
def history(world: dict[str, Any]) -> dict[str, Any]:
    """Changes over 2023–2025 on top of the small registry: every as-of rule gets a date either side."""
    jj, xj = world["jj"], world["xj"]
    InstitutionName.objects.create(institution=xj, name="仙居旧名（示例）", valid_from=D(2019, 1, 1),
                                   valid_until=D(2024, 4, 1))  # fmt: skip
    InstitutionGrade.objects.create(
        institution=jj, grade="A", effective_from=D(2024, 7, 1), source_document="x"
    )
    InstitutionGrade.objects.create(
        institution=xj, grade="A", effective_from=D(2025, 1, 1), source_document="x"
    )
    gone = Institution.objects.create(code="GONE", name="撤并所（示例）", level=Institution.Level.COUNTY,
                                      dissolved_on=D(2024, 1, 1))  # fmt: skip
    Institution.objects.create(code="NEW", name="新设所（示例）", level=Institution.Level.COUNTY,
                               established_on=D(2024, 10, 1))  # fmt: skip
    Staff.objects.create(institution=gone, name="撤并所人员", is_verification=True, hired_on=D(2020, 1, 1))
    world["xj_staff"][3].left_on = D(2024, 6, 30)  # last day worked: still counted on 06-30
    world["xj_staff"][3].save()
    register(world["xj_staff"][4], D(2023, 1, 1), D(2024, 9, 30), "XJ-EXP")  # lapses after 09-30
    Staff.objects.create(institution=xj, name="办公室", is_verification=False, is_technical=True,
                         hired_on=D(2024, 2, 1))  # fmt: skip
    for inst, day, level in ((xj, D(2023, 5, 1), "municipal"), (jj, D(2022, 5, 1), "provincial"),
                             (xj, D(2024, 8, 1), "other"), (gone, D(2023, 2, 1), "municipal")):  # fmt: skip
        ResearchProject.objects.create(institution=inst, title=f"{inst.code}项目", funding_level=level,
                                       approved_on=day)  # fmt: skip
    return world


PARAMS: list[tuple[str, dict[str, Any]]] = [
    ("a_grade_count", {}),
    ("a_grade_count", {"level": "county"}),
    ("rm_coverage_min", {"level": "county", "threshold": 80}),
    ("rm_coverage_min", {"level": None, "denominator": "technical"}),
    ("rm_coverage_min", {"level": "county", "denominator": "all", "threshold": 30}),
    ("institutions_with_research", {"new_only": True}),
    ("institutions_with_research", {"new_only": False, "level": "county"}),
]


@pytest.mark.parametrize(("metric", "params"), PARAMS)
def test_it_gives_the_registry_queries_answer_on_every_date(
    history: dict[str, Any], metric: str, params: dict[str, Any]
) -> None:
    preloaded = Preloaded()
    edges = [D(2024, 1, 1), D(2024, 4, 1), D(2024, 7, 1), D(2024, 10, 1), D(2025, 1, 1)]  # day after a change
    days = [*quarter_ends(D(2023, 1, 1), D(2025, 12, 31)), *edges]
    for day in days:
        expected = METRICS[metric](day, since=D(2023, 1, 1), registry=REGISTRY, **params)
        assert METRICS[metric](day, since=D(2023, 1, 1), registry=preloaded, **params) == expected, day


def test_it_refuses_an_unknown_denominator_like_the_registry(history: dict[str, Any]) -> None:
    for registry in (REGISTRY, Preloaded()):
        with pytest.raises(ValueError, match="denominator must be"):
            METRICS["rm_coverage_min"](D(2024, 1, 1), since=D(2023, 1, 1), registry=registry, denominator="x")


def test_it_reads_the_registry_a_fixed_number_of_times(history: dict[str, Any]) -> None:
    goals = list(Goal.objects.filter(is_active=True))
    with CaptureQueriesContext(connection) as queries:
        statuses = all_statuses(D(2025, 12, 31))
    assert len(queries) <= 8  # goals, institutions + names + grades, staff + registrations, projects
    assert statuses == [goal_status(g, D(2025, 12, 31)) for g in goals]


def test_the_cached_goals_follow_the_registry(history: dict[str, Any]) -> None:
    from qiangji.web.programme.views import _statuses

    day = D(2025, 6, 30)
    coverage = next(s for s in _statuses(day) if s.goal.metric == "rm_coverage_min")
    assert coverage.now.value == 33.3  # XJ: 3 of 9 (one left; one registration lapsed)
    register(history["xj_staff"][6], D(2025, 1, 1), D(2027, 1, 1), "XJ-NEW")
    coverage = next(s for s in _statuses(day) if s.goal.metric == "rm_coverage_min")
    assert coverage.now.value == 44.4 and coverage == goal_status(coverage.goal, day)


def test_a_goal_without_a_denominator_follows_the_setting(history: dict[str, Any], settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "RM_COVERAGE_DENOMINATOR": "all"}
    since, day = D(2023, 1, 1), D(2025, 6, 30)
    for registry in (REGISTRY, Preloaded()):
        got = METRICS["rm_coverage_min"](day, since=since, registry=registry)
        assert got == METRICS["rm_coverage_min"](day, since=since, registry=registry, denominator="all")
        assert got != METRICS["rm_coverage_min"](
            day, since=since, registry=registry, denominator="verification"
        )
