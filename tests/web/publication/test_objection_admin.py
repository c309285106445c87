"""The office logs and answers objections in the admin, through the workflow (notice period, reply rules)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.publication.models import Objection, Publication, PublicationEvent

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("office", "office@example.invalid", "not-used-pw-123456")
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def notice(institutions: Any, fv: Any) -> Publication:
    return publish("2025Q3", 3, fv, final=False)


def lodge(office: Client, pub: Publication, received_on: dt.date) -> Any:
    return office.post(
        "/admin/publication/objection/add/",
        {"publication": pub.pk, "submitted_by": "某县计量所 张某1（示例）",
         "received_on": received_on.isoformat(), "text": "D3.1 计算有误（示例）"},
    )  # fmt: skip


def test_it_logs_an_objection_received_during_the_notice(office: Client, notice: Publication) -> None:
    assert notice.notice_started_on is not None
    response = lodge(office, notice, notice.notice_started_on)
    assert response.status_code == 302
    obj = Objection.objects.get()
    assert obj.outcome == Objection.Outcome.PENDING and obj.publication == notice
    assert notice.events.filter(action=PublicationEvent.Action.OBJECTION).count() == 1


def test_it_refuses_an_objection_after_the_notice_with_the_rule(office: Client, notice: Publication) -> None:
    assert notice.notice_ends_on is not None
    response = lodge(office, notice, notice.notice_ends_on + dt.timedelta(days=1))
    assert response.status_code == 200 and "公示期内" in response.content.decode()
    assert not Objection.objects.exists()


def test_it_answers_a_rejected_objection_once(office: Client, notice: Publication) -> None:
    assert notice.notice_started_on is not None
    lodge(office, notice, notice.notice_started_on)
    obj = Objection.objects.get()
    url = f"/admin/publication/objection/{obj.pk}/change/"
    token = re.search(r'name="_version" value="([^"]+)"', office.get(url).content.decode())
    assert token is not None
    version = {"_version": token.group(1)}
    missing = office.post(url, {"outcome": "rejected", "reply": "", **version})
    assert missing.status_code == 200 and Objection.objects.get().outcome == Objection.Outcome.PENDING
    stale = office.post(url, {"outcome": "rejected", "reply": "答复（示例）", "_version": "stale"})
    assert stale.status_code == 200 and "保存被拒绝" in stale.content.decode()
    answer = {"outcome": "rejected", "reply": "经复核，数据无误（示例）", **version}
    assert office.post(url, answer).status_code == 302
    obj.refresh_from_db()
    assert obj.outcome == Objection.Outcome.REJECTED and obj.replied_at is not None
    assert office.post(url, {"outcome": "upheld", "reply": "再改"}).status_code == 403  # answered: read-only
    assert Objection.objects.get().outcome == Objection.Outcome.REJECTED
