"""The steering demo over the registry and programme demos: a capability map with gaps, the plan, partners
and exchanges, applications in the pipeline, assistance actions whose effect the records show; idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from qiangji.demo.load import load_demo
from qiangji.web.programme.demo import load_programme_demo
from qiangji.web.registry.models import InstitutionMVItem
from qiangji.web.steering.capability import GAP, capability_map
from qiangji.web.steering.demo import load_steering_demo
from qiangji.web.steering.effects import HELPED, PENDING, effects_of
from qiangji.web.steering.models import (
    AssistanceAction,
    CapabilityPlan,
    DutyListItem,
    Exchange,
    JointProject,
    Partner,
    ResearchApplication,
)

pytestmark = pytest.mark.django_db
END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            load_programme_demo()
            yield load_steering_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_map_has_the_designed_gaps(loaded: str) -> None:
    m = capability_map(END)
    # every division's list names up to two items its institutions do not hold: counted here row by row
    expected = sum(
        1
        for d in DutyListItem.objects.filter(year=2025)
        if not InstitutionMVItem.objects.authorised_on(END)
        .filter(item=d.item, institution__divisions=d.division)
        .exists()
    )
    assert expected >= 6 and sum(len(r.uncovered_divisions) for r in m.items_with(GAP)) == expected
    assert m.plan is not None and m.plan.assignments.count() == 9


def test_cooperation_and_pipeline(loaded: str) -> None:
    assert Partner.objects.count() == 5 and Exchange.objects.count() == 4
    assert JointProject.objects.filter(agreement__isnull=True).count() == 1
    assert ResearchApplication.objects.filter(status="submitted").count() == 2


def test_actions_show_their_effect(loaded: str) -> None:
    verdicts = [e.verdict for a in AssistanceAction.objects.all() for e in effects_of(a, END)]
    assert len(verdicts) == AssistanceAction.objects.count() >= 4
    assert HELPED in verdicts and set(verdicts) <= {HELPED, PENDING, "not_helped"}


def test_it_loads_once(loaded: str) -> None:
    assert "已加载" in loaded
    before = CapabilityPlan.objects.count()
    assert "已存在" in load_steering_demo() and CapabilityPlan.objects.count() == before
