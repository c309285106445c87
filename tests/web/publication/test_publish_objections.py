"""Objections lodged on the site during the notice: a county reporter for its own institution only (text
and an optional evidence file), the office recording one received in writing; the admin answers each."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qiangji.web.publication import service
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from tests.web.publication.publishing import CODE, RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db
LODGE = f"/publish/{CODE}/objection/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(institutions: Any, fv: Any) -> Publication:
    period = locked_period(fv, institutions, person("reviewer1", "reviewer"))
    return service.compute(period, runs=RUNS, seed=3)


@pytest.fixture
def notice(draft: Publication) -> Publication:
    return service.start_notice(draft.period, start=timezone.localdate())


@pytest.fixture
def county(institutions: Any) -> Any:
    return person("hy_reporter", "reporter", institutions["HY-MI"])


def lodge(client: Client, **extra: Any) -> Any:
    data = {"submitted_by": "张某（示例） 0576-0000000", "text": "D3.1 持证人数漏计 2 人（示例）", **extra}
    return client.post(LODGE, data, follow=True)


def test_a_county_lodges_an_objection_for_its_own_institution_with_evidence(
    notice: Publication, county: Any, institutions: Any
) -> None:
    client = client_for(county)
    form = client.get(LODGE).content.decode()
    assert "黄岩区计量检定所（示例）" in form and 'name="institution"' not in form
    evidence = SimpleUploadedFile("证书清单.pdf", PDF, content_type="application/pdf")
    page = lodge(client, evidence=evidence, institution="JJ-MI")  # another institution: ignored
    obj = Objection.objects.get()
    assert obj.institution == institutions["HY-MI"] and obj.lodged_by == county
    assert obj.received_on == timezone.localdate() and obj.outcome == Objection.Outcome.PENDING
    assert obj.evidence_name == "证书清单.pdf" and obj.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert notice.events.filter(action=PublicationEvent.Action.OBJECTION, actor=county).exists()
    assert f"异议已提交（编号 #{obj.pk}）" in page.content.decode()
    download = client.get(f"/objections/{obj.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_another_county_neither_sees_nor_downloads_it(
    notice: Publication, county: Any, institutions: Any
) -> None:
    lodge(client_for(county), evidence=SimpleUploadedFile("a.pdf", PDF))
    obj = Objection.objects.get()
    other = client_for(person("jj_reporter", "reporter", institutions["JJ-MI"]))
    assert f"objection-{obj.pk}" not in other.get(LODGE).content.decode()
    assert other.get(f"/objections/{obj.pk}/evidence/").status_code == 403
    assert client_for(person("lead", "leadership")).get(f"/objections/{obj.pk}/evidence/").status_code == 200


def test_evidence_that_is_not_what_it_says_is_refused_and_nothing_stored(
    notice: Publication, county: Any
) -> None:
    response = client_for(county).post(
        LODGE,
        {"submitted_by": "张某", "text": "有误", "evidence": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 400 and "文件内容与扩展名“.pdf”不符" in response.content.decode()
    assert 'value="张某"' in response.content.decode() and not Objection.objects.exists()


def test_it_refuses_an_objection_outside_the_notice(draft: Publication, county: Any) -> None:
    assert "现在不能提出异议" in client_for(county).get(LODGE).content.decode()
    response = lodge(client_for(county))
    assert "当前为“已计算”，此操作只能在“公示中”时进行。" in response.content.decode()
    assert not Objection.objects.exists()


def test_the_office_records_a_written_objection_for_any_institution(
    notice: Publication, institutions: Any
) -> None:
    office = client_for(person("office", "admin"))
    lodge(office, institution="LH-MI")
    assert Objection.objects.get().institution == institutions["LH-MI"]


@pytest.mark.parametrize("role", ["reviewer", "leadership"])
def test_city_readers_do_not_lodge(role: str, notice: Publication) -> None:
    assert client_for(person(role, role)).post(LODGE, {"submitted_by": "x", "text": "y"}).status_code == 403
    assert not Objection.objects.exists()


def test_an_anonymous_visitor_is_asked_to_sign_in(notice: Publication) -> None:
    response = Client().get(LODGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_admin_rejects_an_objection_with_a_reply_once(notice: Publication, county: Any) -> None:
    lodge(client_for(county))
    obj = Objection.objects.get()
    office = client_for(person("office", "admin"))
    page = office.get(f"/publish/{CODE}/").content.decode()
    assert (
        f'id="objection-{obj.pk}"' in page and "D3.1 持证人数漏计" in page and f'id="answer-{obj.pk}"' in page
    )
    prefix = f"o{obj.pk}"
    missing = office.post(
        f"/objections/{obj.pk}/answer/", {f"{prefix}-outcome": "rejected", f"{prefix}-reply": " "}
    )
    assert missing.status_code == 400 and "请填写答复内容。" in missing.content.decode()
    answer = {f"{prefix}-outcome": "rejected", f"{prefix}-reply": "经核对，D3.1 数据无误（示例）"}
    done = office.post(f"/objections/{obj.pk}/answer/", answer, follow=True).content.decode()
    obj.refresh_from_db()
    assert obj.outcome == Objection.Outcome.REJECTED and obj.reply.startswith("经核对")
    assert "已答复：不成立" in done and f'id="answer-{obj.pk}"' not in done
    again = office.post(f"/objections/{obj.pk}/answer/", answer, follow=True).content.decode()
    assert f"异议 #{obj.pk} 已处理（不成立）" in again
    assert (
        "经核对，D3.1 数据无误" in client_for(county).get(LODGE).content.decode()
    )  # the county reads the reply


@pytest.mark.parametrize("role", ["reviewer", "reporter"])
def test_only_the_programme_admin_answers(
    role: str, notice: Publication, county: Any, institutions: Any
) -> None:
    lodge(client_for(county))
    obj = Objection.objects.get()
    user = county if role == "reporter" else person(role, role)
    answer = {f"o{obj.pk}-outcome": "rejected", f"o{obj.pk}-reply": "x"}
    assert client_for(user).post(f"/objections/{obj.pk}/answer/", answer).status_code == 403
    assert Objection.objects.get().outcome == Objection.Outcome.PENDING
