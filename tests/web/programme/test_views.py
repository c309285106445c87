"""Programme pages: access, dashboard content, needs form and Excel, plan actions."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.accounts.roles import assign_role
from qiangji.web.programme.models import TrainingNeed, TrainingPlan, TrainingYear


def client_for(username: str, *, staff: bool = False, inst: Any = None) -> Client:
    user = get_user_model().objects.create_user(username, is_staff=staff)
    if staff or inst is not None:
        assign_role(user, "reviewer" if staff else "reporter", inst)
    c = Client()
    c.force_login(user)
    return c


def test_it_shows_goals_gaps_and_alerts_to_the_office(world: dict[str, Any]) -> None:
    html = client_for("office", staff=True).get("/programme/?as_of=2025-12-15").content.decode()
    assert "每个县级法定计量检定机构注册计量师覆盖率达80%以上" in html
    assert "还需 5 名注册计量师" in html and "整改事项逾期" in html
    assert "最小二乘线性趋势" in html and "plotly.min.js" in html
    # Plotly draws into the element with its div id: a duplicate id (the goal's section) made every chart
    # cover its whole section, text and table included.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_it_refuses_the_dashboard_to_others(world: dict[str, Any]) -> None:
    assert Client().get("/programme/").status_code == 302
    assert client_for("jj", inst=world["jj"]).get("/programme/").status_code == 403
    county = client_for("xj", inst=world["xj"])
    assert county.get("/programme/institutions/XJ/").status_code == 200
    assert county.get("/programme/institutions/JJ/").status_code == 403


def test_a_county_enters_needs_by_form_and_excel(world: dict[str, Any], training_year: TrainingYear,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: dt.date(2025, 1, 20))
    c = client_for("xj", inst=world["xj"])
    topic = training_year.trainers.first().topic  # type: ignore[union-attr]
    form = {"topic": topic.pk, "discipline": "12", "headcount": 6, "preferred_mode": "offline", "priority": 1}
    c.post("/programme/training/2025/needs/", form)
    assert TrainingNeed.objects.get(institution=world["xj"]).headcount == 6
    frame = pd.DataFrame({"主题代码": ["T-A", "T-B"], "计量专业": ["12", ""], "人数": [3, 0],
                          "期望方式": ["线上", "面授"], "优先级": ["高", "中"]})  # fmt: skip
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    buf.seek(0)
    buf.name = "needs.xlsx"
    html = c.post("/programme/training/2025/needs/", {"file": buf}, follow=True).content.decode()
    assert "第3行“人数”" in html and "第3行“期望方式”" in html
    assert TrainingNeed.objects.filter(institution=world["xj"]).count() == 1  # nothing stored
    good = pd.DataFrame({"主题代码": ["T-A", "T-B"], "计量专业": ["12", "15"], "人数": [3, 2],
                         "期望方式": ["线上", "线下"], "优先级": ["高", "中"]})  # fmt: skip
    buf = io.BytesIO()
    good.to_excel(buf, index=False)
    buf.seek(0)
    buf.name = "needs.xlsx"
    c.post("/programme/training/2025/needs/", {"file": buf}, follow=True)
    imported = TrainingNeed.objects.filter(institution=world["xj"])
    assert sorted(imported.values_list("headcount", flat=True)) == [2, 3]  # the file replaces the form's need
    created = AuditEvent.objects.filter(model="trainingneed", action=AuditEvent.Action.CREATE)
    assert {str(pk) for pk in imported.values_list("pk", flat=True)} <= set(
        created.values_list("object_id", flat=True)
    )


def test_the_office_proposes_and_adopts(world: dict[str, Any], training_year: TrainingYear) -> None:
    topic = training_year.trainers.first().topic  # type: ignore[union-attr]
    TrainingNeed.objects.create(institution=world["xj"], year=2025, topic=topic, headcount=5,
                                submitted_on=dt.date(2025, 1, 5))  # fmt: skip
    c = client_for("office", staff=True)
    c.post("/programme/training/2025/plan/", {"action": "propose"})
    plan = TrainingPlan.objects.get(year=training_year)
    assert plan.sessions.count() == 1
    html = c.get("/programme/training/2025/plan/").content.decode()
    assert "覆盖加权需求" in html
    c.post("/programme/training/2025/plan/", {"action": "adopt"})
    plan.refresh_from_db()
    assert plan.status == "adopted"
    assert "衡器检定实操" in c.get("/programme/training/2025/sessions/").content.decode()


def _interface_han(html: str, stored: list[str]) -> list[str]:
    """Chinese text outside what the database stores (names, descriptions) and ``translate="no"``."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", html)
    for value in sorted(stored, key=len, reverse=True):
        text = text.replace(value, " ")
    return [line.strip() for line in text.splitlines() if re.search(r"[\u3400-\u9fff]", line)]


def test_the_office_reads_the_programme_pages_in_english(world: dict[str, Any]) -> None:
    """Issue 18 point 5: headings, goal states, gaps, alerts, the projection method and the A级 checklist in
    English; a later Chinese request is not served the English texts kept for the same day."""
    from django.apps import apps
    from django.db import models

    c = client_for("office", staff=True)
    c.cookies["django_language"] = "en"
    stored = [  # every text the database stores: names and data stay as they are
        v
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        for v in model.objects.values_list(f.name, flat=True)
        if isinstance(v, str) and len(v) > 1
    ]
    for path in ("/programme/?as_of=2025-12-15", "/programme/readiness/?as_of=2025-12-15",
                 "/programme/institutions/XJ/?as_of=2025-12-15"):  # fmt: skip
        html = c.get(path).content.decode()
        assert _interface_han(html, stored) == [], path
    html = c.get("/programme/?as_of=2025-12-15").content.decode()
    assert "5 more registered metrologists needed" in html and "Rectification overdue" in html
    c.cookies["django_language"] = "zh-hans"
    assert "还需 5 名注册计量师" in c.get("/programme/?as_of=2025-12-15").content.decode()
