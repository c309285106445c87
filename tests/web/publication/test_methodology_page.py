"""指数编制说明: a public page per published period, from the framework version its run used, linked from
the leaderboard, the scorecards and the bulletin."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_it_explains_how_the_index_is_made(published: Any) -> None:
    page = Client().get("/rankings/2025Q2/methodology/")
    assert page.status_code == 200
    html = page.content.decode()
    content = published[1].content
    for d in content["dimensions"]:
        assert f"{d['code']} {d['name']}" in html
    for i in content["indicators"]:
        assert f"{i['code']} {i['name']}" in html
    assert "2025.1" in html and "目标值法" in html and "加权算术平均" in html
    assert "排名区间" in html and "±25%" in html and "方阵" in html and "异议" in html
    # the nominal points of the indicators add up to the 100-point total
    points = [float(x) for x in re.findall(r'<td class="num points">([0-9.]+)</td>', html)]
    assert len(points) == len(content["indicators"])
    assert sum(points) == pytest.approx(100.0, abs=0.005 * len(points))  # each shown to two decimals


def test_it_is_linked_from_the_leaderboard_scorecard_and_bulletin(published: Any) -> None:
    c = Client()
    unit = published[1].content["rows"][0]["unit"]
    for url in ("/rankings/2025Q2/", f"/rankings/2025Q2/{unit}/"):
        assert 'href="/rankings/2025Q2/methodology/"' in c.get(url).content.decode(), url
    pdf = c.get("/rankings/2025Q2/bulletin.pdf").content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "/rankings/2025Q2/methodology/" in text


def test_it_answers_404_for_an_unpublished_period(published: Any) -> None:
    assert Client().get("/rankings/2030Q1/methodology/").status_code == 404
