"""Improvement advice (issue 7) on the scorecard and in the one-page PDF profile."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from qiangji.web.publication import advice

from .test_exports import pdftotext


@pytest.fixture(autouse=True)
def _fresh_advice_cache() -> Iterator[None]:
    advice._cached.cache_clear()  # keyed by run id, which a rolled-back test database may hand out again
    yield
    advice._cached.cache_clear()


def test_it_advises_a_middle_ranked_institution_on_its_scorecard(client, published) -> None:
    row = next(r for r in published[1].content["rows"] if r["rank"] >= 5)
    html = client.get(f"/rankings/2025Q2/{row['unit']}/").content.decode()
    section = html[html.index("提升建议") :]
    assert "排名提升 1 位" in section and "排名提升 3 位" in section
    new_ranks = [int(r) for r in re.findall(r"<td>(\d+)</td><td>[\d.]+</td></tr>", section)]
    assert new_ranks and all(r <= row["rank"] - 1 for r in new_ranks)  # each step really lifts the rank


def test_it_tells_the_leader_it_cannot_rise(client, published) -> None:
    top = published[1].content["rows"][0]
    html = client.get(f"/rankings/2025Q2/{top['unit']}/").content.decode()
    section = html[html.index("提升建议") :]
    assert "现排第 1 名，已居榜首" in section
    assert "<h3>排名提升" not in section and "<th>新排名</th>" not in section  # no step to show, said once


def test_it_advises_in_english(client, published) -> None:
    row = next(r for r in published[1].content["rows"] if r["rank"] >= 5)
    page = client.get(f"/rankings/2025Q2/{row['unit']}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "How to improve the rank" in html and "Rise by 1 place" in html and "排名提升" not in html


def test_it_prints_the_advice_in_the_profile(client, published) -> None:
    row = next(r for r in published[1].content["rows"] if r["rank"] >= 5)
    text = pdftotext(client.get(f"/rankings/2025Q2/{row['unit']}/profile.pdf").content)
    assert "提升1位" in text and "提升3位" in text and "投入产出最高" in text
