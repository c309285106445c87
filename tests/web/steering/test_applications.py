"""A county enters its own research applications (申报) on the cooperation page: scoped to its own
institution through ``accounts.policy.may(user, "enter_research_application")``; the outcome stays the
city's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qiangji.web.registry.models import ResearchProject
from qiangji.web.steering.models import ResearchApplication
from tests.web.accounts.conftest import make_user

from .conftest import D

pytestmark = pytest.mark.django_db
URL = "/steering/cooperation/applications/"
NEW = {
    "title": "泵类能效在线测试方法研究（示例）",
    "funding_level": "municipal",
    "funder": "市科技局（示例）",
}


def _client(world: dict[str, Any], role: str, inst: str | None = None) -> Client:
    client = Client()
    client.force_login(make_user(f"u-{role}-{inst}", role, world[inst] if inst else None))
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_reporter_enters_its_own_application_and_sees_it_in_the_pipeline(world: dict[str, Any]) -> None:
    client = _client(world, "reporter", "c1")
    page = client.get("/steering/cooperation/").content.decode()
    assert 'id="application"' in page and "登记甲区计量所（示例）的科研项目申报" in page
    # an ``institution`` field sent by hand is not a field of the form: the account's own institution counts
    sent = {**NEW, "status": "submitted", "submitted_on": "2025-03-01", "institution": world["c2"].pk}
    done = client.post(URL, sent, follow=True)
    assert "申报已登记。" in _messages(done)
    app = ResearchApplication.objects.get()
    assert (app.institution, app.status, app.submitted_on) == (world["c1"], "submitted", D(2025, 3, 1))
    rows = {r["inst"].code: r for r in done.context["pipeline"]}
    assert rows["C1"]["submitted"] == 1 and rows["C1"]["prospect"]


def test_bad_input_names_the_field_and_stores_nothing(world: dict[str, Any]) -> None:
    client = _client(world, "reporter", "c1")
    done = client.post(URL, {**NEW, "status": "submitted"}, follow=True)  # submitted without its date
    assert any(m.startswith("申报日期：已申报的项目须填写申报日期") for m in _messages(done))
    future = client.post(URL, {**NEW, "status": "submitted", "submitted_on": "2999-01-01"}, follow=True)
    assert any(m.startswith("申报日期：申报日期不能晚于今天") for m in _messages(future))
    bad = client.post(URL, {**NEW, "status": "approved", "submitted_on": "2025-03-01"}, follow=True)
    assert any(m.startswith("状态：") for m in _messages(bad))  # the outcome is not the county's to enter
    assert not ResearchApplication.objects.exists()


def test_it_changes_and_withdraws_only_its_own_open_applications(world: dict[str, Any]) -> None:
    own = ResearchApplication.objects.create(institution=world["c1"], **NEW)
    other = ResearchApplication.objects.create(institution=world["c2"], **NEW)
    project = ResearchProject.objects.create(
        institution=world["c1"], title="已立项（示例）", funding_level="municipal", approved_on=D(2025, 6, 1)
    )
    decided = ResearchApplication.objects.create(
        institution=world["c1"], **{**NEW, "title": "已立项（示例）"}, status="approved",
        submitted_on=D(2025, 1, 10), decided_on=D(2025, 6, 1), project=project,
    )  # fmt: skip
    client = _client(world, "reporter", "c1")
    edit = client.get(f"/steering/cooperation/?edit={own.pk}")
    assert edit.context["editing"] == own
    assert client.get(f"/steering/cooperation/?edit={other.pk}").context["editing"] is None
    changed = {**NEW, "title": "改名后的申报（示例）", "status": "preparing", "application": own.pk}
    assert "申报已修改。" in _messages(client.post(URL, changed, follow=True))
    assert ResearchApplication.objects.get(pk=own.pk).title == "改名后的申报（示例）"
    assert client.post(URL, {**changed, "application": other.pk}).status_code == 404
    assert client.post(URL, {**changed, "application": decided.pk}).status_code == 403
    assert client.post(URL, {"delete": other.pk}).status_code == 404
    assert "已撤回申报：改名后的申报（示例）。" in _messages(
        client.post(URL, {"delete": own.pk}, follow=True)
    )
    assert set(ResearchApplication.objects.values_list("pk", flat=True)) == {other.pk, decided.pk}
    assert ResearchApplication.objects.get(pk=decided.pk).status == "approved"


def test_only_the_step_roles_with_an_institution_enter_applications(world: dict[str, Any]) -> None:
    leader = _client(world, "leadership")
    assert leader.post(URL, {**NEW, "status": "preparing"}).status_code == 403
    assert 'id="application"' not in leader.get("/steering/cooperation/").content.decode()
    office = _client(world, "admin", "tz")  # the city office enters its own institute's applications here
    assert "申报已登记。" in _messages(office.post(URL, {**NEW, "status": "preparing"}, follow=True))
    assert ResearchApplication.objects.get().institution == world["tz"]
    assert Client().post(URL, {**NEW, "status": "preparing"}).status_code in (302, 403)
    assert ResearchApplication.objects.count() == 1
