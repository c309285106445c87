"""Two ranked counties with reporters (one without an email address), the city's admin and reviewer,
leadership, and builders for periods in each stage. Dates are relative to today: the receivers judge an
event by today's date, as they do in production."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import current_framework_version
from qiangji.web.inbox.progress import expected_codes
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import create_run
from qiangji.web.registry.models import Institution
from tests.web.publication.frames import framework, random_inputs

PASSWORD = "Inbox-test-password-2026"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_user(name: str, role: str, inst: Institution | None = None, email: bool = True) -> Any:
    """A user with ``role``; no password (hashing one costs a second): tests sign in by `force_login`."""
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid" if email else "")
    assign_role(user, role, inst)
    return user


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="甲县计量所（示例）", level=Institution.Level.COUNTY)
    c2 = Institution.objects.create(code="C2", name="乙县计量所（示例）", level=Institution.Level.COUNTY)
    return {
        "city": city,
        "c1": c1,
        "c2": c2,
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "rep1": make_user("county1", "reporter", c1),
        "rep1b": make_user("county1b", "reporter", c1, email=False),
        "rep2": make_user("county2", "reporter", c2),
        "leader": make_user("director", "leadership"),
    }


def client_as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def open_period(code: str, *, days: int = 14, opens: dt.date | None = None, user: Any = None) -> Period:
    """``code`` open for reporting from ``opens`` (today) until ``days`` days from today."""
    return lifecycle.open_period(
        code, deadline=TODAY + dt.timedelta(days=days), opens=opens or TODAY, user=user
    )


def report(period: Period, inst: Institution, indicator: str, status: str, value: str = "5") -> ReportedValue:
    return ReportedValue.objects.create(
        period=period, institution=inst, indicator=indicator, value=value, status=status
    )


def submit_everything(period: Period, inst: Institution) -> None:
    for code in expected_codes(period):
        report(period, inst, code, ReportedValue.Status.SUBMITTED)


def leading(inputs: Inputs, leader: str) -> Inputs:
    """``inputs`` with ``leader`` given the better of the two values of every indicator (it ranks first)."""
    fw = framework().for_period(0.25)
    frame = inputs.frame.copy()
    for code in frame.columns:
        best = frame[code].max() if (fw.node(code).direction or 1) > 0 else frame[code].min()
        worst = frame[code].min() if (fw.node(code).direction or 1) > 0 else frame[code].max()
        frame[code] = [best if unit == leader else worst for unit in frame.index]
    return Inputs(frame=frame, names=inputs.names, provenance=inputs.provenance)


def publication(
    code: str, world: dict[str, Any], *, seed: int, final: bool, start: dt.date, leader: str | None = None
) -> Publication:
    """A ranking of ``code`` for C1 and C2 from made-up inputs (``leader`` first if given), in notice
    from ``start`` (and final after it if ``final``)."""
    period = Period.for_code(code)
    names = {"C1": world["c1"].name, "C2": world["c2"].name}
    fv = current_framework_version()
    inputs = random_inputs(names, seed=seed)
    run = create_run(period, fv, leading(inputs, leader) if leader else inputs, seed=7, runs=50)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, start)
    if final:
        assert pub.notice_ends_on is not None
        workflow.finalise(pub, pub.notice_ends_on + dt.timedelta(days=1))
    return pub
