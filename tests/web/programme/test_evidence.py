"""The batched A级 evidence (one read per criterion for many institutions and days) against the registry's
own querysets asked one institution and one day at a time, on the demo data (standards sealed and renewed,
staff who left, registrations that expired, findings closed late, comparisons with missed mandatory rounds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from qiangji.demo.load import load_demo
from qiangji.web.comparisons.demo import load_comparisons_demo
from qiangji.web.comparisons.indicators import satisfaction_rate
from qiangji.web.programme.demo import load_programme_demo
from qiangji.web.programme.evidence import BATCHES
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.indicators import MAIN_DISCIPLINES, staffed_items
from qiangji.web.registry.items import ItemMatcher
from qiangji.web.registry.models import (
    Institution,
    InstitutionMVItem,
    MeasurementStandard,
    ResearchProject,
    RMRegistration,
    SupervisionFinding,
)

pytestmark = pytest.mark.django_db
DAYS = [
    dt.date(2023, 1, 1),
    dt.date(2023, 9, 30),
    dt.date(2024, 6, 30),
    dt.date(2025, 3, 31),
    dt.date(2025, 12, 31),
    dt.date(2026, 5, 17),
]


@pytest.fixture(scope="module")
def insts(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[Institution]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            load_programme_demo()
            load_comparisons_demo()
            yield list(Institution.objects.filter(level="county").order_by("code"))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _regs(inst: Institution, day: dt.date) -> Any:
    return RMRegistration.objects.valid_on(day).filter(staff__in=inst.staff.employed_on(day))


def _comparison(inst: Institution, day: dt.date) -> float | None:
    value, *_ = satisfaction_rate(inst, add_months(day, -36), day)
    return None if value is None else float(value)


REFERENCE = {
    "public_standards": lambda i, d: float(
        MeasurementStandard.objects.public_valid_on(d).filter(institution=i).count()
    ),
    "disciplines": lambda i, d: float(
        len(
            {
                c[:2]
                for c in MeasurementStandard.objects.valid_on(d)
                .filter(institution=i)
                .values_list("jjf1022_code", flat=True)
            }
            & set(MAIN_DISCIPLINES)
        )
    ),
    "rm_coverage": lambda i, d: (
        None if i.rm_coverage_on(d).percent is None else float(i.rm_coverage_on(d).percent)
    ),
    "level1_registered": lambda i, d: float(
        len({r.staff.name for r in _regs(i, d).filter(level=1).select_related("staff")})
    ),
    "authorised_items": lambda i, d: float(
        InstitutionMVItem.objects.authorised_on(d).filter(institution=i).count()
    ),
    "staffed_items": lambda i, d: (
        None
        if (
            s := staffed_items(
                list(_regs(i, d)),
                list(InstitutionMVItem.objects.authorised_on(d).filter(institution=i).select_related("item")),
                ItemMatcher(),
            )
        )
        is None
        else float(s.value)
    ),
    "overdue_findings": lambda i, d: float(
        SupervisionFinding.objects.overdue_on(d).filter(institution=i).count()
    ),
    "comparison_satisfaction": _comparison,
    "research_projects": lambda i, d: float(
        ResearchProject.objects.filter(institution=i, approved_on__lte=d)
        .exclude(funding_level="other")
        .count()
    ),
}


@pytest.mark.parametrize("metric", sorted(BATCHES))
def test_each_batch_equals_the_querysets_day_by_day(insts: list[Institution], metric: str) -> None:
    batch = BATCHES[metric](insts, DAYS)
    got = {(i.code, d): batch[(i.pk, d)].value for i in insts for d in DAYS}
    want = {(i.code, d): REFERENCE[metric](i, d) for i in insts for d in DAYS}
    assert got == want
    assert len({v for v in want.values()}) > 1  # the demo data moves: the check is not on a constant


def test_the_demo_exercises_the_edge_cases_the_batches_replicate(insts: list[Institution]) -> None:
    assert MeasurementStandard.objects.exclude(status="in_use").exclude(status_since=None).exists()
    assert MeasurementStandard.objects.filter(previous_assessments__isnull=False).exists()
    assert SupervisionFinding.objects.exclude(closed_on=None).exists()
