"""The bulletin as an official document: 文号, 、-separated lists, the issuing unit and the date in 年月日,
as PDF and as an editable Word document; the ranking workbook's number formats."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from qiangji.web.formatting import cn_date
from tests.web.publication.conftest import COUNTIES

pytestmark = pytest.mark.django_db


def _flat(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_it_prints_the_document_number_lists_and_signature(published: Any) -> None:
    content = published[1].content
    text = _flat(Client().get("/rankings/2025Q2/bulletin.pdf").content)
    assert content["document_number"] == "台计量〔2025〕2号" and "台计量〔2025〕2号" in text
    first = [r["name"] for r in content["rows"] if r["tier"] == 1]
    assert f"第一方阵（3家）：{'、'.join(first)}。" in text
    assert text.rstrip().count(f"台州市计量技术研究院（示例）{cn_date(content['final_on'])}") == 1
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO date in an official document


def test_it_numbers_the_documents_of_a_year_in_turn(published: Any) -> None:
    assert [p.content["document_number"] for p in published] == ["台计量〔2025〕1号", "台计量〔2025〕2号"]


def test_it_offers_an_editable_word_edition(published: Any) -> None:
    content = published[1].content
    response = Client().get("/rankings/2025Q2/bulletin.docx")
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-2025Q2.docx"'
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "台州市计量技术研究院（示例）" and paragraphs[1] == "台计量〔2025〕2号"
    assert any("、" in p and p.startswith("第一方阵") for p in paragraphs)
    assert paragraphs[-2:] == ["台州市计量技术研究院（示例）", cn_date(content["final_on"])]
    table = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert {row[1] for row in table[1:]} == set(COUNTIES.values())
    assert all(re.fullmatch(r"\d+\.\d{2}", row[2]) for row in table[1:])
    assert 'href="/rankings/2025Q2/bulletin.docx"' in Client().get("/rankings/2025Q2/").content.decode()


def test_it_makes_no_word_edition_of_a_notice(institutions: Any, fv: Any) -> None:
    from tests.web.publication.conftest import publish

    publish("2025Q1", 1, fv, final=False)
    assert Client().get("/rankings/2025Q1/bulletin.docx").status_code == 404


def test_it_formats_every_number_of_the_ranking_workbook(published: Any) -> None:
    wb = load_workbook(io.BytesIO(Client().get("/rankings/2025Q2/ranking.xlsx").content))
    numbers = [
        cell for ws in wb for row in ws.iter_rows(min_row=4) for cell in row if isinstance(cell.value, float)
    ]
    assert numbers
    assert all(cell.number_format != "General" for cell in numbers)
    decimals = {re.sub(r'"[^"]*"', "", c.number_format).partition(".")[2].count("0") for c in numbers}
    assert decimals <= {0, 1, 2}  # at most two decimals shown, never 0.9999999999999999
    ws = wb["排行榜"]
    assert ws.cell(4, 5).number_format == "0.00" and ws.cell(4, 1).number_format == "#,##0"
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", about["统计基准日"])
