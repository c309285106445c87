"""Objections and publications in the Django admin: read-only, with a link to the site's publishing page,
where the programme admin (:func:`policy.can_publish`) answers them — one surface, one rule. Nobody else
answers an objection anywhere: not on the page, not through the API, not in the admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qiangji.web.publication import workflow
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from tests.web.accounts.conftest import make_user

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {role: make_user(f"{role}-1", role) for role in ("admin", "reviewer", "leadership")}


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def notice(institutions: Any, fv: Any) -> Publication:
    return publish("2025Q3", 3, fv, final=False)


@pytest.fixture
def pending(notice: Publication, institutions: Any) -> Objection:
    assert notice.notice_started_on is not None
    return workflow.lodge_objection(
        notice, text="D3.1 计算有误（示例）", submitted_by="黄岩 张某（示例）",
        received_on=notice.notice_started_on, institution=institutions["HY-MI"],
    )  # fmt: skip


def _unanswered(obj: Objection) -> None:
    obj.refresh_from_db()
    assert obj.outcome == Objection.Outcome.PENDING and obj.reply == "" and obj.corrected_run is None
    assert not obj.publication.events.filter(action=PublicationEvent.Action.REPLY).exists()


def test_it_shows_a_pending_objection_read_only_with_a_link_to_the_publishing_page(
    users: dict[str, Any], pending: Objection
) -> None:
    c = client(users["admin"])
    url = reverse("admin:publication_objection_change", args=[pending.pk])
    page = c.get(url).content.decode()
    assert "D3.1 计算有误（示例）" in page and 'href="/publish/2025Q3/"' in page
    assert 'name="outcome"' not in page and 'name="reply"' not in page
    assert c.post(url, {"outcome": "rejected", "reply": "经复核，数据无误（示例）"}).status_code == 403
    _unanswered(pending)


def test_it_lodges_no_objection_in_the_admin(users: dict[str, Any], notice: Publication) -> None:
    c = client(users["admin"])
    add = reverse("admin:publication_objection_add")
    assert c.get(add).status_code == 403
    data = {"publication": notice.pk, "submitted_by": "某县", "received_on": "2025-10-10", "text": "x"}
    assert c.post(add, data).status_code == 403
    assert not Objection.objects.exists()


def test_it_offers_no_publishing_step_in_the_admin(users: dict[str, Any], notice: Publication) -> None:
    """Finalising (or starting a notice) from the admin's list is gone: the page does it."""
    c = client(users["admin"])
    changelist = reverse("admin:publication_publication_changelist")
    assert c.get(changelist).context["action_form"] is None
    for action in ("finalise", "start_notice"):
        c.post(changelist, {"action": action, "_selected_action": [notice.pk], "index": 0})
    notice.refresh_from_db()
    assert notice.status == Publication.Status.NOTICE
    page = c.get(reverse("admin:publication_publication_change", args=[notice.pk])).content.decode()
    assert 'href="/publish/2025Q3/"' in page


def test_the_programme_admin_answers_on_the_publishing_page(
    users: dict[str, Any], pending: Objection
) -> None:
    c = client(users["admin"])
    page = c.get("/publish/2025Q3/").content.decode()
    assert f'action="/objections/{pending.pk}/answer/"' in page
    answer = {f"o{pending.pk}-outcome": "rejected", f"o{pending.pk}-reply": "经复核，数据无误（示例）"}
    assert c.post(f"/objections/{pending.pk}/answer/", answer).status_code == 302
    pending.refresh_from_db()
    assert pending.outcome == Objection.Outcome.REJECTED and pending.replied_by == users["admin"]


@pytest.mark.parametrize("role", ["reviewer", "leadership"])
def test_no_one_but_the_programme_admin_answers_anywhere(
    users: dict[str, Any], pending: Objection, role: str
) -> None:
    from qiangji.web.api.models import ApiToken

    user = users[role]
    c = client(user)
    answer = {"outcome": "rejected", "reply": "经复核，数据无误（示例）"}
    on_page = {f"o{pending.pk}-{k}": v for k, v in answer.items()}
    page = c.get("/publish/2025Q3/").content.decode()  # reads the objection, is offered no answer form
    assert "D3.1 计算有误（示例）" in page and "/answer/" not in page
    assert c.post(f"/objections/{pending.pk}/answer/", on_page).status_code == 403
    url = reverse("admin:publication_objection_change", args=[pending.pk])
    assert c.post(url, answer).status_code == 403
    token = ApiToken.issue(user, "test")[1]
    api = Client().post(
        f"/api/v1/objections/{pending.pk}/answer", json.dumps(answer), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert api.status_code == 403 and set(api.json()) == {"error"}
    _unanswered(pending)
