"""A small round: pilot P (city institute) and three county labs, two points, users for each role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.comparisons.models import (
    ComparisonRound,
    MeasurementPoint,
    Participant,
    Submission,
)
from qiangji.web.registry.models import Institution

D = dt.date


def make_user(username: str, inst: Institution | None, *, staff: bool = False) -> Any:
    user = get_user_model().objects.create_user(username)  # no password: force_login
    if inst is not None:
        assign_role(user, "reviewer" if staff else "reporter", inst)
    return user


def submit(
    part: Participant, point: MeasurementPoint, x: float, U: float, k: float = 2.0, day: int = 1
) -> Submission:
    return Submission.objects.create(
        participant=part, point=point, x=x, U=U, k=k, measured_on=D(2025, 3, day)
    )


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    labs = [
        Institution.objects.create(
            code=f"C{i}", name=f"示例县计量所{i}（示例）", level=Institution.Level.COUNTY
        )
        for i in (1, 2, 3)
    ]
    rnd = ComparisonRound.objects.create(
        code="CMP-2025-01",
        name="200 g 砝码质量比对（示例）",
        year=2025,
        quantity="质量",
        unit="mg",
        pilot=city,
        transfer_standard="F1 级 200 g 砝码 编号 S-001（示例）",
        deadline=timezone.now() + dt.timedelta(days=10),
        status=ComparisonRound.Status.OPEN,
    )
    p1 = MeasurementPoint.objects.create(round=rnd, order=1, label="200 g", nominal=200.0)
    p2 = MeasurementPoint.objects.create(round=rnd, order=2, label="100 g", nominal=100.0)
    parts = [Participant.objects.create(round=rnd, institution=city, lab_code="P")]
    parts += [
        Participant.objects.create(round=rnd, institution=inst, lab_code=f"L{i}")
        for i, inst in enumerate(labs, 1)
    ]
    return {
        "city": city,
        "labs": labs,
        "round": rnd,
        "points": [p1, p2],
        "parts": parts,
        "pilot_user": make_user("pilot", city, staff=True),
        "users": [make_user(f"lab{i}", inst) for i, inst in enumerate(labs, 1)],
        # a county reporter whose institution takes no part in the round (a user without a role is
        # turned away before any comparisons page: see the accounts app's default deny)
        "outsider": make_user(
            "outsider",
            Institution.objects.create(
                code="C4", name="示例县计量所4（示例）", level=Institution.Level.COUNTY
            ),
        ),
    }


@pytest.fixture
def filled(world: dict[str, Any]) -> dict[str, Any]:
    """Results at both points; L3 at 200 g is off by 3 mg with U = 1 mg (En ≈ 2.68 against the pilot)."""
    p1, p2 = world["points"]
    P, L1, L2, L3 = world["parts"]
    submit(P, p1, 0.0, 0.5)
    submit(L1, p1, 0.4, 1.0)
    submit(L2, p1, -0.6, 1.0)
    submit(L3, p1, 3.0, 1.0)
    submit(P, p2, 0.10, 0.30)
    submit(L1, p2, 0.20, 0.60)
    submit(L2, p2, 0.00, 0.60)
    submit(L3, p2, 0.30, 0.45, k=3.0)  # U at k = 3 → 0.30 at k = 2
    return world
