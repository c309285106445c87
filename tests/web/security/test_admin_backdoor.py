"""The admin back door (security issue 13): the probes H1, H2, H3, L1 and L5 as tests.

Each probe is what a user of that role tried in the Django admin; each must now be refused (or, for the
city's staff, go through the workflow's own rules), and nothing stored may change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiangji.web.api.models import ApiToken
from qiangji.web.assessment.models import Rectification
from qiangji.web.comparisons.models import ComparisonRound, MeasurementPoint, Participant, Submission
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Objection, Publication
from qiangji.web.registry.models import Institution, SupervisionFinding
from tests.web.accounts.conftest import client_as, make_user
from tests.web.publication.conftest import COUNTIES, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """The city institute, the nine counties (HY-MI is the reporter's) and a user for every role."""
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    counties = {
        code: Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
        for code, name in COUNTIES.items()
    }
    own = counties["HY-MI"]
    users = {
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "reporter": make_user("county1", "reporter", own),
        "leadership": make_user("director", "leadership"),
    }
    return {"city": city, "own": own, "users": users}


def _version(client: Client, url: str) -> str:
    match = re.search(r'name="_version" value="([^"]+)"', client.get(url).content.decode())
    assert match is not None, "the change form carries no version field"
    return match.group(1)


# H1 -------------------------------------------------------------------------------------------------


@pytest.fixture
def objection(world: dict[str, Any]) -> Objection:
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion

    pub = publish("2025Q3", 3, ensure_default_framework(FrameworkVersion)[0], final=False)
    assert pub.notice_started_on is not None
    return workflow.lodge_objection(
        pub, text="D3.1 计算有误（示例）", submitted_by="黄岩 张某（示例）",
        received_on=pub.notice_started_on, institution=world["own"],
    )  # fmt: skip


@pytest.mark.parametrize("outcome", ["upheld", "rejected"])
def test_h1_a_reporter_cannot_decide_its_own_objection(
    world: dict[str, Any], objection: Objection, outcome: str
) -> None:
    c = client_as(world["users"]["reporter"])
    url = reverse("admin:publication_objection_change", args=[objection.pk])
    assert c.get(url).status_code == 403
    response = c.post(url, {"outcome": outcome, "reply": "本机构认为异议成立（示例）", "_version": "x"})
    assert response.status_code == 403
    objection.refresh_from_db()
    pub = Publication.objects.get()
    assert objection.outcome == Objection.Outcome.PENDING and objection.corrected_run is None
    assert pub.runs_history.count() == 1


def test_h1_leadership_cannot_decide_an_objection(world: dict[str, Any], objection: Objection) -> None:
    c = client_as(world["users"]["leadership"])
    url = reverse("admin:publication_objection_change", args=[objection.pk])
    assert c.post(url, {"outcome": "rejected", "reply": "（示例）"}).status_code == 403
    assert Objection.objects.get().outcome == Objection.Outcome.PENDING


def test_h1_a_city_reviewer_cannot_answer_in_the_admin(world: dict[str, Any], objection: Objection) -> None:
    """Answering is the programme admin's step on the publishing page (policy.can_publish); the admin shows
    the objection read-only to the city's staff."""
    c = client_as(world["users"]["reviewer"])
    url = reverse("admin:publication_objection_change", args=[objection.pk])
    page = c.get(url)
    assert page.status_code == 200 and 'name="outcome"' not in page.content.decode()
    assert c.post(url, {"outcome": "rejected", "reply": "经复核，数据无误（示例）"}).status_code == 403
    objection.refresh_from_db()
    assert objection.outcome == Objection.Outcome.PENDING
    assert objection.publication.events.filter(action="reply").count() == 0


# L1 -------------------------------------------------------------------------------------------------


def test_l1_an_answered_objection_shows_read_only(world: dict[str, Any], objection: Objection) -> None:
    workflow.reply_objection(
        objection, outcome="rejected", reply="经复核，数据无误（示例）", today=timezone.localdate(),
        user=world["users"]["admin"],
    )  # fmt: skip
    c = client_as(world["users"]["admin"])
    url = reverse("admin:publication_objection_change", args=[objection.pk])
    response = c.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "经复核，数据无误（示例）" in page and "不成立" in page
    assert 'name="outcome"' not in page and 'name="reply"' not in page
    assert c.post(url, {"outcome": "upheld", "reply": "改判（示例）"}).status_code == 403
    assert Objection.objects.get().outcome == Objection.Outcome.REJECTED


# H2 -------------------------------------------------------------------------------------------------


@pytest.fixture
def rectification(world: dict[str, Any]) -> Rectification:
    finding = SupervisionFinding.objects.create(
        institution=world["own"], found_on=dt.date(2025, 3, 1), sub_dimension="C1", severity="minor",
        description="内审报告缺失（示例）", due_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    return Rectification.objects.create(
        finding=finding, measures="补做内审（示例）", submitted_on=dt.date(2025, 3, 20),
        submitted_by=world["users"]["reporter"],
    )  # fmt: skip


def _forged_review(world: dict[str, Any], rect: Rectification) -> dict[str, Any]:
    return {
        "finding": rect.finding_id, "measures": rect.measures, "submitted_on": "2025-03-20",
        "submitted_by": world["users"]["reporter"].pk, "status": "accepted", "reviewed_on": "2025-03-21",
        "reviewed_by": world["users"]["reviewer"].pk, "review_note": "通过（伪造）",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["reporter", "leadership"])
def test_h2_a_reporter_cannot_accept_its_own_rectification(
    world: dict[str, Any], rectification: Rectification, role: str
) -> None:
    c = client_as(world["users"][role])
    url = reverse("admin:assessment_rectification_change", args=[rectification.pk])
    assert c.get(url).status_code == 403
    assert c.post(url, {**_forged_review(world, rectification), "_version": "x"}).status_code == 403
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.SUBMITTED and rectification.reviewed_by is None
    assert SupervisionFinding.objects.get().closed_on is None


def test_h2_the_admin_has_no_raw_review_fields_even_for_the_city(
    world: dict[str, Any], rectification: Rectification
) -> None:
    c = client_as(world["users"]["admin"])
    url = reverse("admin:assessment_rectification_change", args=[rectification.pk])
    page = c.get(url)
    assert page.status_code == 200
    for name in ("status", "reviewed_by", "reviewed_on", "submitted_by"):
        assert f'name="{name}"' not in page.content.decode(), name
    assert c.post(url, _forged_review(world, rectification)).status_code == 403
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.SUBMITTED and rectification.reviewed_by is None
    assert c.get(reverse("admin:assessment_rectification_add")).status_code == 403


# H3 -------------------------------------------------------------------------------------------------


@pytest.fixture
def submission(world: dict[str, Any]) -> Submission:
    """The reporter's result in a round that is closed and reported (everyone's results are known)."""
    rnd = ComparisonRound.objects.create(
        code="CMP-H3", name="质量比对（示例）", year=2025, quantity="质量", unit="mg", pilot=world["city"],
        transfer_standard="砝码（示例）", deadline=timezone.now() - dt.timedelta(days=30),
        status=ComparisonRound.Status.REPORTED, reported_on=timezone.localdate(),
    )  # fmt: skip
    point = MeasurementPoint.objects.create(round=rnd, order=1, label="100 g", nominal=100.0)
    part = Participant.objects.create(round=rnd, institution=world["own"], lab_code="L1")
    return Submission.objects.create(
        participant=part, point=point, x=0.4, U=0.5, k=2, measured_on=dt.date(2025, 3, 1),
        submitted_by=world["users"]["reporter"],
    )  # fmt: skip


def _changed_result(world: dict[str, Any], sub: Submission) -> dict[str, Any]:
    return {
        "participant": sub.participant_id, "point": sub.point_id, "x": "0.01", "U": "0.5", "k": "2",
        "measured_on": "2025-03-01", "submitted_by": world["users"]["admin"].pk,
    }  # fmt: skip


@pytest.mark.parametrize("role", ["reporter", "leadership", "reviewer", "admin"])
def test_h3_nobody_changes_a_result_after_the_round_closed(
    world: dict[str, Any], submission: Submission, role: str
) -> None:
    c = client_as(world["users"][role])
    url = reverse("admin:comparisons_submission_change", args=[submission.pk])
    response = c.post(url, {**_changed_result(world, submission), "_version": "x"})
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.x == 0.4 and submission.submitted_by == world["users"]["reporter"]


def test_h3_the_site_refuses_the_same_change(world: dict[str, Any], submission: Submission) -> None:
    c = client_as(world["users"]["reporter"])
    data = {"p1-x": "0.01", "p1-U": "0.5", "p1-k": "2"}
    response = c.post("/comparisons/CMP-H3/submit/", data, follow=True)
    assert "本轮比对已截止" in response.content.decode()
    assert Submission.objects.get().x == 0.4


def test_h3_the_city_sees_no_owner_drop_down(world: dict[str, Any], submission: Submission) -> None:
    c = client_as(world["users"]["reviewer"])
    page = c.get(reverse("admin:comparisons_submission_change", args=[submission.pk])).content.decode()
    assert 'name="submitted_by"' not in page and 'name="x"' not in page
    assert c.get(reverse("admin:comparisons_submission_add")).status_code == 403


# L5 -------------------------------------------------------------------------------------------------


@pytest.fixture
def tokens(world: dict[str, Any]) -> dict[str, ApiToken]:
    return {role: ApiToken.issue(world["users"][role], f"{role}-token")[0] for role in ("admin", "reviewer")}


def test_l5_a_reviewer_lists_only_its_own_tokens(world: dict[str, Any], tokens: dict[str, ApiToken]) -> None:
    c = client_as(world["users"]["reviewer"])
    page = c.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "reviewer-token" in page and "admin-token" not in page
    other = c.get(reverse("admin:api_apitoken_change", args=[tokens["admin"].pk]))
    assert other.status_code in (302, 403, 404)


def test_l5_a_reviewer_cannot_revoke_the_programme_admins_token(
    world: dict[str, Any], tokens: dict[str, ApiToken]
) -> None:
    c = client_as(world["users"]["reviewer"])
    c.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [tokens["admin"].pk, tokens["reviewer"].pk], "index": 0},
    )
    tokens["admin"].refresh_from_db()
    tokens["reviewer"].refresh_from_db()
    assert tokens["admin"].revoked_at is None
    assert tokens["reviewer"].revoked_at is not None  # its own: allowed


def test_l5_the_programme_admin_revokes_anyones_token(
    world: dict[str, Any], tokens: dict[str, ApiToken]
) -> None:
    c = client_as(world["users"]["admin"])
    page = c.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "reviewer-token" in page and "admin-token" in page
    c.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [tokens["reviewer"].pk], "index": 0},
    )
    tokens["reviewer"].refresh_from_db()
    assert tokens["reviewer"].revoked_at is not None


@pytest.mark.parametrize("role", ["reporter", "leadership"])
def test_reporters_and_leadership_do_not_reach_the_admin(world: dict[str, Any], role: str) -> None:
    c = client_as(world["users"][role])
    assert c.get(reverse("admin:registry_staff_changelist")).status_code == 403
    assert c.get(reverse("admin:registry_staff_add")).status_code == 403
    index = c.get(reverse("admin:index"))
    assert index.status_code == 302 and "/admin" not in index["Location"]
