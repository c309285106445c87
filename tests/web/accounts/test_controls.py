"""No page shows a control its reader may not use.

Leadership reads everything and changes nothing (the middleware refuses its writes, except marking its
own notifications read): every page it opens must offer no form that posts anywhere else, and no link to
a step it may not take. The other roles see a workflow step's buttons only where :data:`policy.STEP_ROLES`
lets them take it (publishing for the programme admin, inspecting for the city, rectifying for the finding's
county).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from .conftest import client_as

pytestmark = pytest.mark.django_db

#: Where a leader may post: sign out, language, its own notifications.
LEADER_POSTS = re.compile(r"^(/accounts/logout/|/i18n/setlang/|/notifications/(\d+/)?read/)$")
FORM = re.compile(r"<form\b[^>]*>", re.I)


def posting_forms(page: str) -> list[str]:
    """The action of every form on ``page`` that posts (a form without an action posts to the page)."""
    out = []
    for tag in FORM.findall(page):
        if re.search(r'method=["\']?post', tag, re.I):
            found = re.search(r'action=["\']([^"\']*)["\']', tag)
            out.append(found.group(1) if found else "")
    return out


@pytest.fixture
def pages(world: dict[str, Any]) -> dict[str, Any]:
    """A period in review with a submitted value, a visit with a finding and a rectification to verify, a
    ranking in notice with a pending objection, a draft ranking, a publication job, a notification."""
    from qiangji.web.assessment import workflow as reporting
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import (
        FrameworkVersion,
        Period,
        Rectification,
        ReportedValue,
        SupervisionVisit,
    )
    from qiangji.web.inbox.models import Notification
    from qiangji.web.jobs.models import Job
    from qiangji.web.publication import workflow
    from qiangji.web.publication.runs import create_run
    from qiangji.web.registry.models import SupervisionFinding
    from tests.web.assessment.helpers import open_now
    from tests.web.publication.frames import random_inputs

    fv = ensure_default_framework(FrameworkVersion)[0]
    c1, users = world["c1"], world["users"]
    period = open_now("2024Q1", days_left=-1)  # in review
    report = ReportedValue.objects.create(
        period=period, institution=c1, indicator="D1.3", value=5, updated_by=users["reporter"]
    )
    reporting.transition(report, reporting.SUBMITTED, users["reporter"]).save()
    visit = SupervisionVisit.create_with_checklist(
        period=period, institution=c1, visited_on=period.end, inspectors="检查员（示例）"
    )
    finding = SupervisionFinding.objects.create(
        institution=c1, found_on=period.end, sub_dimension="C1", severity="minor",
        description="内审报告缺失（示例）", due_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    visit.findings.add(finding)
    Rectification.objects.create(
        finding=finding, measures="补做内审（示例）", submitted_on=period.end, submitted_by=users["reporter"]
    )
    units = {"C1": "示例县计量所1（示例）", "C2": "示例县计量所2（示例）"}
    for code, notice in (("2025Q3", True), ("2025Q2", False)):
        pub = workflow.create_draft(
            Period.for_code(code),
            create_run(Period.for_code(code), fv, random_inputs(units), seed=7, runs=20),
        )
        if notice:
            workflow.start_notice(pub, timezone.localdate())
            workflow.lodge_objection(
                pub, text="异议（示例）", submitted_by="张某（示例）", received_on=timezone.localdate(),
                institution=c1,
            )  # fmt: skip
    job = Job.objects.create(kind="publication.compute", key="2025Q2", title="计算指数（示例）")
    for role in ("leadership", "reviewer", "admin"):
        Notification.objects.create(
            recipient=users[role], kind=Notification.Kind.values[0], subject="消息（示例）", body="（示例）",
            link="/publish/2025Q3/", event_key=f"test:{role}",
        )  # fmt: skip
    return {"visit": visit, "job": job}


def _leader_pages(pages: dict[str, Any]) -> list[str]:
    return [
        "/home/", "/notifications/", "/audit/", "/publish/", "/publish/2025Q3/", "/publish/2025Q2/",
        f"/jobs/{pages['job'].pk}/", "/assessment/", "/assessment/2024Q1/", "/assessment/2024Q1/visits/",
        f"/assessment/visits/{pages['visit'].pk}/", "/programme/",
    ]  # fmt: skip


def test_leadership_is_offered_no_control_it_may_not_use(
    world: dict[str, Any], pages: dict[str, Any]
) -> None:
    c = client_as(world["users"]["leadership"])
    for url in _leader_pages(pages):
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        refused = [a for a in posting_forms(page) if not LEADER_POSTS.match(a)]
        assert refused == [], (url, refused)
        for step in ("/review/", "/lock/", "/answer/", "/compute/", "/objection/"):
            assert f'{step}"' not in page, (url, step)


def test_leadership_may_still_mark_its_notifications_read(
    world: dict[str, Any], pages: dict[str, Any]
) -> None:
    from qiangji.web.inbox.models import Notification

    c = client_as(world["users"]["leadership"])
    note = Notification.objects.get(event_key="test:leadership")
    assert f'action="/notifications/{note.pk}/read/"' in c.get("/notifications/").content.decode()
    assert c.post(f"/notifications/{note.pk}/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize(
    "url", ["/assessment/2024Q1/review/", "/assessment/2024Q1/review/bulk/", "/assessment/2024Q1/lock/"]
)
def test_leadership_gets_no_review_page(world: dict[str, Any], pages: dict[str, Any], url: str) -> None:
    c = client_as(world["users"]["leadership"])
    assert c.get(url).status_code in (403, 405)
    assert c.post(url, {"action": "approve", "scope": "all", "confirm": "1"}).status_code == 403


def test_a_city_reviewer_sees_no_publishing_step(world: dict[str, Any], pages: dict[str, Any]) -> None:
    c = client_as(world["users"]["reviewer"])
    for url in ("/publish/2025Q3/", "/publish/2025Q2/"):
        actions = posting_forms(c.get(url).content.decode())
        assert [a for a in actions if a.startswith(("/publish/", "/objections/"))] == [], (url, actions)
    office = client_as(world["users"]["admin"])
    assert "/publish/2025Q2/notice/" in posting_forms(office.get("/publish/2025Q2/").content.decode())
    notice = posting_forms(office.get("/publish/2025Q3/").content.decode())
    assert "/publish/2025Q3/final/" in notice and any(a.endswith("/answer/") for a in notice)


def test_the_visit_page_offers_each_role_its_own_steps(world: dict[str, Any], pages: dict[str, Any]) -> None:
    visit = pages["visit"]
    url = f"/assessment/visits/{visit.pk}/"

    def actions(role: str) -> set[str]:
        page = client_as(world["users"][role]).get(url).content.decode()
        own = set(posting_forms(page)) - {"/accounts/logout/", "/i18n/setlang/"}
        return {re.sub(r"\d+", "N", a) for a in own}

    inspector = {"", "/assessment/visits/N/findings/", "/assessment/rectifications/N/review/",
                 "/assessment/findings/N/rectify/"}  # fmt: skip
    assert actions("reviewer") == inspector
    assert actions("reporter") == {"/assessment/findings/N/rectify/"}  # its own county's finding
    assert actions("leadership") == set()
    visits = client_as(world["users"]["leadership"]).get("/assessment/2024Q1/visits/").content.decode()
    assert "安排督导" not in visits


def test_only_the_programme_admin_is_offered_a_new_period(world: dict[str, Any]) -> None:
    for role, offered in (("admin", True), ("reviewer", False), ("leadership", False), ("reporter", False)):
        page = client_as(world["users"][role]).get("/assessment/").content.decode()
        assert ("" in posting_forms(page)) is offered, role
