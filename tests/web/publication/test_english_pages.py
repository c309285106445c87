"""The methodology page and PDF, the run audit page and the leaderboard's stored tier rule in English
(issue 18 point 5): every sentence built in code is translated with its numbers; the Chinese pages are
as they were."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.models import Publication
from tests.web.publication.conftest import publish
from tests.web.publication.publishing import client_for, person
from tests.web.publication.test_framework_2026 import fv26, publish_2026

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u3400-\u9fff]+")
__all__ = ["fv26"]  # the fixture, imported for the test of a 2026.1 publication


def _get(client: Client, url: str, lang: str) -> str:
    client.cookies["django_language"] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _chinese_left(html: str) -> list[str]:
    """Chinese words in the page's main content outside what a page never translates: the issuing unit
    (a setting) and what is marked ``translate="no"``."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', " ", main, flags=re.S)
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", main).replace(settings.QIANGJI["ISSUING_UNIT"], " ")
    return HAN.findall(text)


def test_the_methodology_page_is_english_in_english(published: list[Publication]) -> None:
    html = _get(Client(), "/rankings/2025Q2/methodology/", "en")
    assert _chinese_left(html) == []
    assert "Min-max normalisation: s = (x − min) / (max − min) × 100" in html
    assert "Target: reaching the target 100 scores 100; below it, x / 100 × 100" in html
    assert "Thirds of the ranking: of n institutions, with k = ⌈n/3⌉" in html
    assert "counted automatically from the registry" in html  # a source, from the indicator registry
    assert "weighted arithmetic mean" in html


def test_the_methodology_page_in_chinese_is_unchanged(published: list[Publication]) -> None:
    html = _get(Client(), "/rankings/2025Q2/methodology/", "zh-hans")
    for sentence in (
        "目标值法：达到目标值 100 得 100 分，未达到按 x / 100 × 100 计分",
        "极差标准化：s = (x − 最小值) / (最大值 − 最小值) × 100，各机构中最好者 100 分、最差者 0 分",
        "按排名三等分：共 n 家机构，k = ⌈n/3⌉，第 1–k 名为第一方阵，第 k+1–2k 名为第二方阵，其余为第三方阵。",
        "加权算术平均",
        '<span class="source">登记数据自动统计</span>',
    ):
        assert sentence in html, sentence
    assert "Min-max" not in html and "Thirds" not in html


def test_the_methodology_pdf_follows_the_language(published: list[Publication]) -> None:
    client = Client()
    for lang, (title, footer), absent in (
        ("en", ("Methodology of the capability-construction index", "Page 1 of"), ("极差标准化", "第 1 页")),
        ("zh-hans", ("计量技术机构能力建设指数编制说明", "第 1 页 / 共"), ("Min-max", "Page 1")),
    ):
        client.cookies["django_language"] = lang
        pdf = client.get("/rankings/2025Q2/methodology.pdf").content
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        flat = re.sub(r"\s+", " ", text)
        assert title in flat and footer in flat, lang
        assert not any(a in flat for a in absent), lang  # the page footer too (pdf/_page.html)


def test_the_leaderboard_shows_the_stored_tier_rule_in_the_pages_language(
    published: list[Publication],
) -> None:
    stored = published[1].content["tier_rule"]
    assert stored.startswith("按排名三等分：")  # the content keeps the Chinese it was published with
    english = _get(Client(), "/rankings/2025Q2/", "en")
    assert "Thirds of the ranking: of n institutions" in english
    assert stored not in english
    assert stored in _get(Client(), "/rankings/2025Q2/", "zh-hans")


def _figure(html: str, div: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{div}-figure" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None, div
    return dict(json.loads(found.group(1)))


def test_the_run_audit_page_is_english_in_english(published: list[Publication]) -> None:
    client = client_for(person("office", "admin"))
    url = f"/publish/2025Q2/runs/{published[1].run_id}/audit/"
    html = _get(client, url, "en")
    assert _chinese_left(html) == []
    assert "<td>D3 Registered-metrologist ratio</td>" in html
    importance = _figure(html, "chart-audit-importance")
    assert importance["layout"]["title"]["text"] == "Nominal weight and actual importance (%)"
    assert [t["name"] for t in importance["data"]] == [
        "Nominal weight",
        "Variance share",
        "Main effect (normalised)",
    ]
    assert all(not HAN.search(x) for x in importance["data"][0]["x"])  # dimension names in English
    heat = _figure(html, "chart-audit-heatmap")
    assert heat["layout"]["title"]["text"].startswith("Correlation of each indicator")


def test_the_run_audit_page_in_chinese_is_unchanged(published: list[Publication]) -> None:
    client = client_for(person("office", "admin"))
    html = _get(client, f"/publish/2025Q2/runs/{published[1].run_id}/audit/", "zh-hans")
    importance = _figure(html, "chart-audit-importance")
    assert importance["layout"]["title"]["text"] == "名义权重与实际重要性（%）"
    assert [t["name"] for t in importance["data"]] == ["名义权重", "方差贡献", "主效应（归一化）"]
    assert importance["data"][0]["x"][0] == "D1 强制检定项目数量"
    assert (
        _figure(html, "chart-audit-heatmap")["layout"]["title"]["text"]
        == "指标与各维度、总指数的相关系数（Pearson r）"
    )


def test_a_2026_1_methodology_words_its_rules_in_english(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    """Gate, floor, the indicators' own missing-value reasons, the rank-interval tiers and the progress
    index: every rule 2026.1 declares, in English on an English page."""
    publish("2025Q4", 3, fv)
    publish_2026("2026Q1", fv26, 4)
    html = _get(Client(), "/rankings/2026Q1/methodology/", "en")
    assert _chinese_left(html) == []
    for sentence in (
        "0 instruments scores 0, 12,500 instruments or more scores 100 (fixed)",  # D1.3's goalposts
        "open critical findings",
        "Not applicable when no measurement standard expires within 12 months; full score",
        "The tiers start as thirds of the ranking. Where the rank intervals (5%–95%)",
        "quarterly periods use 2025Q4 as the baseline",
    ):
        assert sentence in html, sentence
    chinese = _get(Client(), "/rankings/2026Q1/methodology/", "zh-hans")
    assert "无 12 个月内到期的计量标准时本指标不适用，按满分计" in chinese
    assert "季度期次以 2025Q4 为基期" in chinese
