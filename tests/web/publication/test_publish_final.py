"""Publishing final from the page: only after the objection period, with every objection answered; then
the page links the bulletin PDF. Refused out of order and to every role but the programme admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qiangji.web.publication import service
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from tests.web.publication.publishing import CODE, RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db
URL = f"/publish/{CODE}/"


@pytest.fixture
def office(db: Any) -> Any:
    return person("office", "admin")


@pytest.fixture
def notice(institutions: Any, fv: Any) -> Publication:
    period = locked_period(fv, institutions, person("reviewer1", "reviewer"))
    service.compute(period, runs=RUNS, seed=3)
    return service.start_notice(period, start=timezone.localdate())


def elapse(pub: Publication) -> None:
    """The objection period is over (as if its last day were yesterday)."""
    Publication.objects.filter(pk=pub.pk).update(notice_ends_on=timezone.localdate() - dt.timedelta(days=1))


def test_it_refuses_final_during_the_notice_with_the_reason(office: Any, notice: Publication) -> None:
    client = client_for(office)
    page = client.get(URL).content.decode()
    assert (
        f"公示期至 {notice.notice_ends_on} 结束，之后方可正式发布。" in page
        and 'id="final-button" disabled' in page
    )
    done = client.post(URL + "final/", follow=True).content.decode()
    assert f"公示期至 {notice.notice_ends_on} 结束，之后方可正式发布。" in done
    assert Publication.objects.get().status == Publication.Status.NOTICE


def test_it_refuses_final_while_an_objection_is_unanswered(office: Any, notice: Publication) -> None:
    service.lodge_objection(notice.period, text="有误（示例）", submitted_by="张某（示例）")
    elapse(notice)
    done = client_for(office).post(URL + "final/", follow=True).content.decode()
    assert "尚有 1 条异议未处理，不能正式发布。" in done
    assert Publication.objects.get().status == Publication.Status.NOTICE


def test_it_publishes_final_after_the_period_and_links_the_bulletin(office: Any, notice: Publication) -> None:
    obj = service.lodge_objection(notice.period, text="有误（示例）", submitted_by="张某（示例）")
    service.answer_objection(obj, outcome=Objection.Outcome.REJECTED, reply="无误（示例）", user=office)
    elapse(notice)
    client = client_for(office)
    page = client.post(URL + "final/", follow=True).content.decode()
    pub = Publication.objects.get()
    assert (
        pub.status == Publication.Status.FINAL
        and pub.finalised_by == office
        and len(pub.content_sha256) == 64
    )
    assert pub.events.filter(action=PublicationEvent.Action.FINAL, actor=office).exists()
    assert "排行榜已正式发布，通报已可下载。" in page and f'href="/rankings/{CODE}/bulletin.pdf"' in page
    assert 'data-stage="published"' in page and pub.content_sha256 in page
    pdf = Client().get(f"/rankings/{CODE}/bulletin.pdf")  # public from now on
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = client.post(URL + "final/", follow=True).content.decode()
    assert "当前为“已发布”，此操作只能在“公示中”时进行。" in again


@pytest.mark.parametrize("role", ["reviewer", "leadership"])
def test_only_the_programme_admin_publishes_final(role: str, notice: Publication) -> None:
    elapse(notice)
    assert client_for(person(role, role)).post(URL + "final/").status_code == 403
    assert Publication.objects.get().status == Publication.Status.NOTICE
