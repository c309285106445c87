"""2026Q1 the way the office reaches it: the demo's open period (values approved, WL-MI's open 重大
finding), locked, computed and put on notice through the services, after a final 2025Q4 on 2025.1. The
notice page and WL-MI's scorecard show the gate and the progress index (进步指数), and the ranks of 2025Q4
only as a reference: its totals are on another framework version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.demo import GATED_INSTITUTION, demo_open_periods
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import service
from qiangji.web.publication.content import current_content
from tests.web.publication.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(institutions: Any, fv: FrameworkVersion) -> dict[str, Any]:
    publish("2025Q4", 3, fv)  # the programme's baseline, final, on 2025.1
    today = timezone.localdate()
    demo_open_periods(max(today, dt.date(2026, 4, 16)))
    admin = get_user_model().objects.create_superuser("office", "office@example.invalid", "x")
    period = Period.objects.get(code="2026Q1")
    lifecycle.lock(period, admin, today=max(today, period.deadline + dt.timedelta(days=1)))
    service.compute(period, runs=200, user=admin)
    pub = service.start_notice(period, user=admin)
    return current_content(pub)


def test_the_notice_page_shows_the_gate_the_progress_index_and_no_cross_version_change(
    noticed: dict[str, Any],
) -> None:
    assert noticed["framework"]["version"] == "2026.1" and noticed["status"] == "notice"
    gated = [r["unit"] for r in noticed["rows"] if r["gate"]]
    assert gated == [GATED_INSTITUTION]  # the demo's one gate case: an open 重大 finding, G1
    board = Client().get("/rankings/2026Q1/").content.decode()
    row = re.search(rf'<tr [^>]*data-unit="{GATED_INSTITUTION}".*?</tr>', board, re.S)
    assert row is not None
    assert re.search(
        r'<td class="tier">第.方阵 <span class="badge gate" title="基准日存在未关闭的重大问题', row.group()
    )
    assert "G1 总分封顶 59 分" in row.group()
    assert 'id="progress"' in board and "进步指数（较 2025年第4季度）" in board
    progress = re.search(r'<table class="table" id="progress">(.*?)</table>', board, re.S)
    assert progress is not None and progress.group(1).count("<tr data-unit=") == 9
    # ranks of 2025Q4 (2025.1) only as a reference: no arrows, and the note says why
    assert 'id="previous-version"' in board and "上期名次" in board
    assert 'class="up"' not in board and 'class="down"' not in board
    assert "上期第" in board


def test_the_gated_institutions_scorecard_shows_its_gate_and_progress(noticed: dict[str, Any]) -> None:
    card = Client().get(f"/rankings/2026Q1/{GATED_INSTITUTION}/").content.decode()
    assert 'id="gate"' in card and "G1 基准日存在未关闭的重大问题" in card
    progress = re.search(r'<p id="progress">(.*?)</p>', card, re.S)
    assert progress is not None and "进步指数（较 2025年第4季度）" in progress.group(1)
    mine = next(p for p in noticed["progress"]["rows"] if p["unit"] == GATED_INSTITUTION)
    assert f"{mine['change']:+.2f}" in progress.group(1) and f"进步排名 {mine['rank']}/9" in progress.group(1)
    assert 'id="previous-version"' in card and "按指标框架 2025.1 计算" in card


def _english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_in_english_the_gate_gives_the_frameworks_english_reason_and_cap(noticed: dict[str, Any]) -> None:
    """The content keeps the framework's Chinese reason (as published); an English page shows the framework
    version's own English reason and the cap through the catalogue (tz-cap-2026.1.yaml, rule G1)."""
    reason = "A critical finding open on the as-of date caps the total at 59"
    board = _english().get("/rankings/2026Q1/").content.decode()
    row = re.search(rf'<tr [^>]*data-unit="{GATED_INSTITUTION}".*?</tr>', board, re.S)
    assert row is not None and f'title="{reason}"' in row.group()
    assert "G1 total capped at 59" in row.group(), row.group()
    note = re.search(r'<li class="gate-note">(.*?)</li>', board, re.S)
    assert note is not None and reason in note.group(1)
    card = _english().get(f"/rankings/2026Q1/{GATED_INSTITUTION}/").content.decode()
    banner = re.search(r'<div class="banner gate" id="gate">(.*?)</div>', card, re.S)
    assert banner is not None and f"G1 {reason}" in banner.group(1)
    for page in (row.group(), note.group(1), banner.group(1)):
        assert "重大问题" not in page and "封顶" not in page
    assert any("基准日存在未关闭的重大问题" in g["reason"] for g in _gated(noticed))  # stored words unchanged


def _gated(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for r in content["rows"] if r["gate"] for g in r["gate"]["rules"]]
