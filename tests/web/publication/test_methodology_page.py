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


def _row(html: str, code: str, cls: str) -> str:
    tr = re.search(rf'<tr data-indicator="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert tr is not None, code
    cell = re.search(rf'<td class="{cls}">(.*?)</td>', tr.group(1), re.S)
    assert cell is not None, (code, cls)
    return cell.group(1).strip()


def test_every_indicator_has_its_definition_source_goalposts_and_weights(published: Any) -> None:
    from qiangji.core.index import IndexSpec
    from qiangji.web.assessment.inputs import sources_of
    from qiangji.web.formatting import percent, quantity, ratio_percent

    pub = published[1]
    fw = IndexSpec.from_json(pub.run.spec_json).framework
    html = Client().get("/rankings/2025Q2/methodology/").content.decode()
    eff = fw.effective_weights()
    raw = pub.run.results
    for code in fw.indicators:
        i = fw.index[code]
        node = fw.nodes[i]
        definition = re.search(
            rf'<tr class="definition" data-indicator="{re.escape(code)}">(.*?)</tr>', html, re.S
        )
        assert definition is not None and node.label("zh") in definition.group(1)
        first = {
            "derived": "登记数据自动统计",
            "supervision": "督导检查评分",
            "reported": "机构填报（经审核）",
        }
        assert f'<span class="source">{first[sources_of(code)[0]]}' in definition.group(1)
        assert _row(html, code, "num effective") == percent(100 * eff[i], 2)
        parent = int(fw.parent[i])
        w = fw.weights[parent]
        assert _row(html, code, "num relative") == ratio_percent(
            w[list(fw.children[parent]).index(i)] / w.sum()
        )
        posts = _row(html, code, "goalposts")
        spec = node.methods["normalise"]
        if spec.method == "target":
            assert quantity(spec.params["target"]) in posts and "（固定）" in posts
        elif spec.method == "minmax":
            col = raw["indicators"].index(code)
            values = [row[col] for row in raw["raw"] if row[col] is not None]
            assert quantity(min(values)) in posts and quantity(max(values)) in posts and "随期变化" in posts
    # framework 2025.1 declares no gate and renormalises missing values: the page says so
    assert 'id="no-gate"' in html and "2025.1" in html and 'id="missing-default"' in html
    assert 'id="progress"' not in html
    assert (
        "草稿" in html and "重新公示" in html and "正式发布" in html
    )  # the objection workflow, step by step


def _pdf_text(data: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return text, fonts


def test_the_pdf_has_the_pages_text_in_a_real_cjk_font(published: Any, settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "SITE_URL": "https://qiangji.example.cn"}
    response = Client().get("/rankings/2025Q2/methodology.pdf")  # public, like the page
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="methodology-2025Q2.pdf"'
    text, fonts = _pdf_text(response.content)
    assert any("Noto-Serif-CJK" in f or "Noto-Sans-CJK" in f for f in fonts), fonts
    assert "指数编制说明" in text and "https://qiangji.example.cn/rankings/2025Q2/methodology/" in text
    for i in published[1].content["indicators"]:
        assert re.sub(r"\s+", "", f"{i['code']}{i['name']}") in text, i["code"]
    for heading in ("合规门槛", "缺失值", "排名区间", "方阵划分", "公示与异议", "计分上下限", "有效权重"):
        assert heading in text
    assert Client().get("/rankings/2030Q1/methodology.pdf").status_code == 404


def test_the_bulletin_cites_the_full_address_of_the_methodology(published: Any, settings: Any) -> None:
    from docx import Document

    settings.QIANGJI = {**settings.QIANGJI, "SITE_URL": "https://qiangji.example.cn"}
    page = "https://qiangji.example.cn/rankings/2025Q2/methodology/"
    pdf, _fonts = _pdf_text(Client().get("/rankings/2025Q2/bulletin.pdf").content)
    assert page in pdf and page.replace("/methodology/", "/methodology.pdf") in pdf
    doc = Document(io.BytesIO(Client().get("/rankings/2025Q2/bulletin.docx").content))
    text = "".join(p.text for p in doc.paragraphs)
    assert page in text and "methodology.pdf" in text
    html = Client().get("/rankings/2025Q2/").content.decode()
    assert 'href="/rankings/2025Q2/methodology.pdf"' in html
