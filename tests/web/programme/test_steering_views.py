"""The steering pages as each role: A级 readiness (city names candidates), the RM pipeline (a county sees and
names its own candidates only), 考前辅导 sessions linked to candidates, and a county's own needs (change and
withdraw before the deadline, never another county's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.roles import assign_role
from qiangji.web.programme.candidacy import AGradeCandidate, RMCandidate
from qiangji.web.programme.models import TrainingNeed, TrainingSession, TrainingTopic, TrainingYear

D = dt.date


def login(name: str, role: str, inst: Any = None) -> Client:
    user = get_user_model().objects.create_user(name)
    assign_role(user, role, inst)
    c = Client()
    c.force_login(user)
    return c


def test_readiness_is_the_city_s_and_leadership_s(world: dict[str, Any]) -> None:
    office = login("office", "admin")
    form = {
        "institution": world["jj"].pk,
        "named_on": "2024-01-15",
        "target_date": "2026-12-31",
        "is_active": "on",
    }
    assert office.post("/programme/readiness/", form).status_code == 302
    assert AGradeCandidate.objects.get().institution == world["jj"]
    html = office.get("/programme/readiness/?as_of=2025-12-15").content.decode()
    assert "椒江所（示例）" in html and "建议稿，待与市场监管局确认" in html and "A3 注册计量师覆盖率" in html
    boss = login("boss", "leadership")
    assert boss.get("/programme/readiness/").status_code == 200
    assert boss.post("/programme/readiness/", form).status_code == 403
    assert login("jj", "reporter", world["jj"]).get("/programme/readiness/").status_code == 403
    dash = office.get("/programme/?as_of=2025-12-15").content.decode()
    assert "A级培育机构" in dash and "椒江所（示例）：满足" in dash


def test_a_county_names_its_own_candidates_only(world: dict[str, Any]) -> None:
    xj = login("xj", "reporter", world["xj"])
    assert xj.get("/programme/rm/").url.endswith("/programme/rm/XJ/")
    assert xj.get("/programme/rm/JJ/").status_code == 403
    someone = world["xj"].staff.order_by("pk").last()
    other = world["jj"].staff.order_by("pk").last()
    form = {"staff": someone.pk, "level": 2, "target_date": "2099-06-30"}
    assert xj.post("/programme/rm/XJ/", form).status_code == 302
    assert RMCandidate.objects.get().staff == someone
    xj.post("/programme/rm/XJ/", {**form, "staff": other.pk})  # another county's staff is no choice
    assert RMCandidate.objects.count() == 1
    assert xj.post("/programme/rm/JJ/", {**form, "staff": other.pk}).status_code == 403
    html = xj.get("/programme/rm/XJ/").content.decode()
    assert someone.name in html and "未开始" in html
    assert login("boss", "leadership").post("/programme/rm/XJ/", form).status_code == 403
    overview = login("office", "reviewer").get("/programme/rm/?as_of=2025-06-30").content.decode()
    assert "仙居所（示例）" in overview and "30.0%（3/10）" in overview


def test_the_city_links_prep_sessions_to_candidates(world: dict[str, Any]) -> None:
    topic = TrainingTopic.objects.create(code="RM", name="注册计量师考前辅导", kind="exam")
    session = TrainingSession.objects.create(
        year=2025, quarter=3, topic=topic, title="考前辅导（示例）", mode="offline", held_on=D(2025, 8, 15),
        hours=24, capacity=40,
    )  # fmt: skip
    cand = RMCandidate.objects.create(
        staff=world["xj"].staff.order_by("pk").last(),
        level=2,
        target_date=D(2026, 6, 30),
        named_on=D(2025, 1, 1),
    )
    url = f"/programme/training/sessions/{session.pk}/candidates/"
    assert login("xj", "reporter", world["xj"]).post(url, {"candidates": [cand.pk]}).status_code == 403
    assert login("office", "reviewer").post(url, {"candidates": [cand.pk]}).status_code == 302
    assert list(session.candidates.all()) == [cand]


def test_a_county_changes_and_withdraws_its_own_needs_before_the_deadline(
    world: dict[str, Any], training_year: TrainingYear, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2025, 1, 20))
    topic = training_year.trainers.first().topic  # type: ignore[union-attr]
    mine = TrainingNeed.objects.create(institution=world["xj"], year=2025, topic=topic, headcount=3,
                                       submitted_on=D(2025, 1, 5))  # fmt: skip
    theirs = TrainingNeed.objects.create(institution=world["jj"], year=2025, topic=topic, headcount=4,
                                         submitted_on=D(2025, 1, 5))  # fmt: skip
    xj = login("xj", "reporter", world["xj"])
    page = xj.get("/programme/training/2025/needs/").content.decode()
    assert "仙居所（示例）" in page and "椒江所（示例）" not in page  # its own needs only
    change = {
        "need": mine.pk, "topic": topic.pk, "discipline": "12", "headcount": 9, "preferred_mode": "online",
        "priority": 1,
    }  # fmt: skip
    xj.post("/programme/training/2025/needs/", change)
    mine.refresh_from_db()
    assert mine.headcount == 9 and mine.preferred_mode == "online"
    assert xj.post("/programme/training/2025/needs/", {**change, "need": theirs.pk}).status_code == 404
    assert xj.post("/programme/training/2025/needs/", {"delete": theirs.pk}).status_code == 404
    xj.post("/programme/training/2025/needs/", {"delete": mine.pk})
    assert list(TrainingNeed.objects.values_list("institution__code", flat=True)) == ["JJ"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2025, 2, 1))
    xj.post("/programme/training/2025/needs/", {**change, "need": ""})
    assert TrainingNeed.objects.count() == 1  # after the deadline nothing is entered
    city = login("office", "reviewer").get("/programme/training/2025/needs/").content.decode()
    assert "椒江所（示例）" in city  # the city's consolidated view
