"""Starting the public notice from the page: the objection deadline in working days (holidays from the
settings), the way to object as the public will read it, refusals out of order and by role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qiangji.web.publication import service, workflow
from qiangji.web.publication.models import Publication, PublicationEvent
from tests.web.publication.publishing import CODE, RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db
URL = f"/publish/{CODE}/"


@pytest.fixture
def office(db: Any) -> Any:
    return person("office", "admin")


@pytest.fixture
def period(institutions: Any, fv: Any) -> Any:
    return locked_period(fv, institutions, person("reviewer1", "reviewer"))


@pytest.fixture
def draft(period: Any) -> Publication:
    return service.compute(period, runs=RUNS, seed=3)


def start(client: Client, day: dt.date) -> Any:
    return client.post(URL + "notice/", {"start": day.isoformat()}, follow=True)


def test_it_starts_the_notice_with_the_deadline_in_working_days(office: Any, draft: Publication) -> None:
    monday = dt.date(2026, 12, 7)  # → five working days later: Monday 14 December
    page = start(client_for(office), monday)
    pub = Publication.objects.get()
    assert (pub.status, pub.notice_started_on, pub.notice_ends_on) == (
        "notice",
        monday,
        dt.date(2026, 12, 14),
    )
    assert pub.events.filter(action=PublicationEvent.Action.NOTICE, actor=office).exists()
    html = page.content.decode()
    assert "已开始公示：2026-12-07 起，异议受理截止 2026-12-14。" in html and 'data-stage="notice"' in html
    public = Client().get(f"/rankings/{CODE}/").content.decode()
    assert "公示稿，非最终结果。" in public and "异议受理截止 2026-12-14" in public
    assert f'href="/publish/{CODE}/objection/"' in public  # the way to object, on the public page


def test_a_holiday_moves_the_deadline(office: Any, draft: Publication, settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "HOLIDAYS": [dt.date(2026, 12, 9)]}
    start(client_for(office), dt.date(2026, 12, 7))
    assert Publication.objects.get().notice_ends_on == dt.date(2026, 12, 15)


def test_the_page_shows_the_deadline_and_the_public_wording_before_the_notice(
    office: Any, draft: Publication
) -> None:
    html = client_for(office).get(URL).content.decode()
    today = timezone.localdate()
    end = workflow.notice_ends_on(today)
    assert f"{today} 起公示，异议受理截止 <strong>{end}</strong>" in html
    assert 'id="notice-banner"' in html and "在线提出异议" in html
    assert f'hx-get="/publish/{CODE}/deadline/"' in html
    fragment = client_for(office).get(URL + "deadline/", {"start": "2026-12-07"}).content.decode()
    assert "2026-12-07 起公示，异议受理截止 <strong>2026-12-14</strong>" in fragment
    assert "公示中：2026-12-07 起，异议受理截止 2026-12-14。" in fragment  # the public wording follows


def test_it_refuses_a_notice_before_the_draft_is_computed(office: Any, period: Any) -> None:
    page = start(client_for(office), timezone.localdate())
    assert "当前为“已锁定”，此操作只能在“已计算”时进行。" in page.content.decode()
    assert not Publication.objects.exists()


def test_it_refuses_a_second_notice_with_the_reason(office: Any, draft: Publication) -> None:
    client = client_for(office)
    start(client, timezone.localdate())
    page = start(client, timezone.localdate())
    assert "当前为“公示中”，此操作只能在“已计算”时进行。" in page.content.decode()
    assert Publication.objects.get().events.filter(action=PublicationEvent.Action.NOTICE).count() == 1


def test_it_refuses_a_start_before_the_draft_was_computed(office: Any, draft: Publication) -> None:
    response = client_for(office).post(URL + "notice/", {"start": "2026-01-05"})
    assert response.status_code == 400 and "公示不能早于排行榜草稿的计算日期" in response.content.decode()
    assert Publication.objects.get().status == Publication.Status.DRAFT


@pytest.mark.parametrize("role", ["reviewer", "leadership"])
def test_only_the_programme_admin_starts_the_notice(role: str, draft: Publication) -> None:
    response = client_for(person(role, role)).post(
        URL + "notice/", {"start": timezone.localdate().isoformat()}
    )
    assert response.status_code == 403 and Publication.objects.get().status == Publication.Status.DRAFT
