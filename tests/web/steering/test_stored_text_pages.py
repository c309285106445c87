"""Derived values' method and detail texts that carry numbers or names (C2.2's minimum staff, D1.2's items
not covered, D1.3's annual volumes) on the assessment cell page: stored in Chinese with the snapshot,
shown in English on an English page with their numbers, and exactly as stored on a Chinese page
(issue 18 point 5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.assessment.models import Period
from qiangji.web.registry.indicators import d1_3_all
from qiangji.web.steering.indicators import d1_2_all

HAN = re.compile(r"[\u3400-\u9fff]")


def _client(lang: str) -> Client:
    office = get_user_model().objects.create_superuser(f"office-{lang}", "office@example.invalid")
    client = Client()
    client.force_login(office)
    client.cookies["django_language"] = lang
    return client


def _row(html: str, label: str) -> str:
    """The text of the provenance table's row headed ``label``."""
    found = re.search(rf"<tr><th>{re.escape(label)}</th><td>(.*?)</td></tr>", html, re.S)
    assert found is not None, label
    return re.sub(r"\s+", " ", found.group(1)).strip()


@pytest.fixture
def period(world: dict[str, Any]) -> Period:
    return Period.for_code("2025Q4")


def test_the_stored_texts_are_the_chinese_they_always_were(world: dict[str, Any], period: Period) -> None:
    """The snapshot's words (hashed with each run) are unchanged by the patterns that build them."""
    c1 = world["c1"]
    assert d1_3_all([c1], period)[c1.pk].detail == "年检定量合计 1500 台件 × 0.25"  # type: ignore[union-attr]
    assert d1_2_all([c1], period)[c1.pk].detail == "未覆盖：水表"  # type: ignore[union-attr]


def test_an_english_cell_page_shows_the_derived_texts_in_english(
    world: dict[str, Any], period: Period
) -> None:
    client = _client("en")
    base = f"/assessment/{period.code}/cell/C1"
    staffed = client.get(f"{base}/C2.2/").content.decode()
    assert _row(staffed, "Method") == (
        "Authorised items with at least 2 registered metrologists qualified for the item / authorised items"
    )
    assert "配备" not in staffed
    volumes = client.get(f"{base}/D1.3/").content.decode()
    assert _row(volumes, "Note") == "Annual verification volumes totalling 1,500 instruments × 0.25"
    covered = _row(client.get(f"{base}/D1.2/").content.decode(), "Note")
    assert covered == "Not covered: 水表"  # the item's name is data, as stored
    assert not HAN.search(covered.replace("水表", ""))


def test_a_chinese_cell_page_shows_them_as_stored(world: dict[str, Any], period: Period) -> None:
    client = _client("zh-hans")
    base = f"/assessment/{period.code}/cell/C1"
    staffed = client.get(f"{base}/C2.2/").content.decode()
    assert _row(staffed, "计算方法") == "配备≥2名持该专业项目注册人员的授权项目 / 授权项目"
    assert "（配备≥2名持该专业项目注册人员的授权项目 / 授权项目）" in staffed  # the "which counts" sentence
    assert _row(client.get(f"{base}/D1.3/").content.decode(), "说明") == "年检定量合计 1500 台件 × 0.25"
    assert _row(client.get(f"{base}/D1.2/").content.decode(), "说明") == "未覆盖：水表"
