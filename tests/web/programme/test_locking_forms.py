"""No lost update in the plan editor: of two edits of the draft plan loaded at the same version, the second
is refused with the conflict message and the first one's value is kept; leadership reads but never writes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client

from qiangji.web.programme.models import PlannedSession, TrainingNeed, TrainingYear

from .test_views import client_for

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
URL = "/programme/training/2025/plan/"


def _form(page: str, capacity: str) -> dict[str, str]:
    topic = str(PlannedSession.objects.get().topic_id)
    fields = {"topic": topic, "quarter": "2", "mode": "offline", "capacity": capacity, "hours": "8"}
    return {**dict(HIDDEN.findall(page)), **{f"form-0-{k}": v for k, v in fields.items()}, "action": "save"}


def _draft(world: dict[str, Any], ty: TrainingYear, c: Client) -> None:
    topic = ty.trainers.first().topic  # type: ignore[union-attr]
    TrainingNeed.objects.create(institution=world["xj"], year=2025, topic=topic, headcount=5,
                                submitted_on=dt.date(2025, 1, 5))  # fmt: skip
    c.post(URL, {"action": "propose"})


def test_a_stale_plan_edit_is_refused_and_the_first_kept(world: dict[str, Any], training_year: Any) -> None:
    first, second = client_for("office", staff=True), client_for("office2", staff=True)
    _draft(world, training_year, first)
    page_1, page_2 = first.get(URL).content.decode(), second.get(URL).content.decode()
    assert "form-0-_version" in page_1
    first.post(URL, _form(page_1, "21"))
    answer = second.post(URL, _form(page_2, "33"), follow=True).content.decode()
    assert "保存被拒绝" in answer
    assert PlannedSession.objects.get().capacity == 21


def test_an_edit_of_a_re_proposed_plan_is_refused(world: dict[str, Any], training_year: Any) -> None:
    office = client_for("office", staff=True)
    _draft(world, training_year, office)
    page = office.get(URL).content.decode()
    office.post(URL, {"action": "propose"})  # another tab regenerates the draft: new session rows
    answer = office.post(URL, _form(page, "44"), follow=True).content.decode()
    assert "保存被拒绝" in answer and PlannedSession.objects.get().capacity != 44


def test_leadership_reads_the_plan_but_cannot_change_it(world: dict[str, Any], training_year: Any) -> None:
    from django.contrib.auth import get_user_model

    from qiangji.web.accounts.roles import assign_role

    _draft(world, training_year, client_for("office", staff=True))
    leader = get_user_model().objects.create_user("director")
    assign_role(leader, "leadership")
    c = Client()
    c.force_login(leader)
    page = c.get(URL)
    assert page.status_code == 200 and c.get("/programme/").status_code == 200
    assert c.post(URL, _form(page.content.decode(), "99")).status_code == 403
    assert PlannedSession.objects.get().capacity != 99
