"""Per-institution targets of the adopted 差异化 plan feed the index goalposts (issue 19 point 3): only for a
framework that accepts them (2026.1), stored in the run's snapshot so the run recomputes bit for bit, and
named on the scorecard and the methodology page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from numpy.testing import assert_allclose

from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import create_run, recompute, verify
from qiangji.web.publication.service import period_inputs
from qiangji.web.registry.models import Institution
from qiangji.web.steering.models import CapabilityPlan, PlanAssignment, PlanTarget
from tests.web.publication.conftest import COUNTIES, RUNS
from tests.web.publication.frames import random_inputs

pytestmark = pytest.mark.django_db
D = dt.date
HELD = "WL-MI"
ADOPTED = D(2026, 1, 5)


@pytest.fixture
def fv26(db: Any) -> FrameworkVersion:
    return ensure_default_framework(FrameworkVersion, "tz-cap-2026.1.yaml")[0]


def plan(institutions: dict[str, Institution], *, adopted_on: dt.date | None = ADOPTED) -> None:
    """WL-MI held to 20 authorised items, 40,000 verifications a year and (not accepted) D1.2 = 90 %."""
    p = CapabilityPlan.objects.create(
        name="规划", version="2026.1", adopted_on=adopted_on, target_on=D(2026, 12, 31)
    )
    a = PlanAssignment.objects.create(plan=p, institution=institutions[HELD], positioning="特色专业型")
    for code, value in (("D1.1", 20.0), ("D1.3", 40000.0), ("D1.2", 90.0)):
        PlanTarget.objects.create(assignment=a, indicator=code, value=value)


def period_2026(fv26: FrameworkVersion) -> Period:
    period = Period.for_code("2026Q1")
    period.framework_version = fv26
    period.save()
    return period


def held_inputs(period: Period) -> Inputs:
    """The period's own inputs (with the plan's targets), values replaced by known ones."""
    own = period_inputs(period)
    frame = random_inputs(COUNTIES, seed=3).frame.reindex(columns=own.frame.columns)
    frame.loc[:, "D1.1"] = 24.0
    frame.loc[:, "D1.3"] = 6000.0
    return dataclasses.replace(own, frame=frame)


def test_the_inputs_carry_the_plans_targets_the_framework_accepts(
    institutions: dict[str, Institution], fv26: FrameworkVersion
) -> None:
    plan(institutions)
    inputs = period_inputs(period_2026(fv26))
    assert inputs.targets == {HELD: {"D1.1": 20.0, "D1.3": 40000.0}}  # D1.2 is not a plan amount in 2026.1
    assert json.loads(inputs.to_json())["targets"] == {HELD: {"D1.1": 20.0, "D1.3": 40000.0}}
    assert Inputs.from_json(inputs.to_json()).targets == inputs.targets


def test_no_targets_without_an_adopted_plan_or_for_2025_1(
    institutions: dict[str, Institution], fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    plan(institutions, adopted_on=None)  # a draft
    assert period_inputs(period_2026(fv26)).targets == {}
    CapabilityPlan.objects.update(adopted_on=D(2024, 3, 1))
    old = Period.for_code("2026Q2")  # on 2025.1, which accepts none
    old.framework_version = fv
    old.save()
    inputs = period_inputs(old)
    assert inputs.targets == {} and "targets" not in json.loads(inputs.to_json())


def test_the_institutions_score_uses_its_target_and_the_run_recomputes(
    client: Any, institutions: dict[str, Institution], fv26: FrameworkVersion
) -> None:
    plan(institutions)
    period = period_2026(fv26)
    run = create_run(period, fv26, held_inputs(period), seed=7, runs=RUNS)
    results = json.loads(run.results_json)
    d11, d13 = results["indicators"].index("D1.1"), results["indicators"].index("D1.3")
    norm = dict(zip(results["units"], results["normalised"], strict=True))
    # D1.1 = 24 items: WL-MI against its target 20 → 100 (capped); the others against 30 → 80
    # D1.3 = 6,000 in the quarter: WL-MI against 40,000 × 0.25 = 10,000 → 60; others 50,000 × 0.25 → 48
    assert_allclose([norm[HELD][d11], norm["SM-MI"][d11]], [100.0, 80.0])
    assert_allclose([norm[HELD][d13], norm["SM-MI"][d13]], [60.0, 48.0])
    assert results["targets"] == {HELD: {"D1.1": 20.0, "D1.3": 40000.0}}
    assert json.loads(run.inputs_json)["targets"] == {HELD: {"D1.1": 20.0, "D1.3": 40000.0}}
    # the plan changes after the run: the run still recomputes from its snapshot, bit for bit
    PlanTarget.objects.filter(indicator="D1.1").update(value=10.0)
    assert verify(run) and recompute(run) == run.results_json

    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, period.end + dt.timedelta(days=10))
    card = client.get(f"/rankings/2026Q1/{HELD}/").content.decode()
    assert "差异化规划目标值" in card and "D1.1 已授权强制检定项目数" in card
    assert "10,000" in card and "40,000" in card and "50,000" in card  # applied, plan (a year), framework
    assert "差异化规划目标值" not in client.get("/rankings/2026Q1/SM-MI/").content.decode()
    method = client.get("/rankings/2026Q1/methodology/").content.decode()
    assert 'id="plan-targets-section"' in method and f"（{HELD}）" in method
    assert Publication.objects.get(pk=pub.pk).status == Publication.Status.NOTICE
