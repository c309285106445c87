"""Against a previous final publication on another framework version the tables show its rank for
reference, never a rise or fall or its total (totals of 2025.1 and 2026.1 are on different scales); on the
same version the change is shown as before. The exports name tiers and the tier rule from the framework."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication import workflow
from qiangji.web.publication.content import current_content
from qiangji.web.publication.exports.pdf import bulletin_context
from tests.web.publication.conftest import publish
from tests.web.publication.test_framework_2026 import fv26, publish_2026

pytestmark = pytest.mark.django_db
__all__ = ["fv26"]


@pytest.fixture
def across(institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion) -> dict[str, Any]:
    """2025Q4 final on 2025.1, then 2026Q1 final on 2026.1."""
    publish("2025Q4", 3, fv)
    pub = publish_2026("2026Q1", fv26, 4)
    assert pub.notice_ends_on is not None
    workflow.finalise(pub, pub.notice_ends_on + dt.timedelta(days=1))
    return current_content(pub)


def test_the_content_keeps_the_previous_rank_but_no_change_across_versions(across: dict[str, Any]) -> None:
    prev = across["previous"]
    assert (
        prev["period"] == "2025Q4" and prev["framework_version"] == "2025.1" and prev["comparable"] is False
    )
    assert all(r["change"] is None for r in across["rows"])
    assert sorted(r["previous_rank"] for r in across["rows"]) == list(range(1, 10))


def test_the_same_version_keeps_its_rank_change(published: Any) -> None:
    content = published[1].content
    assert content["previous"]["comparable"] is True
    assert any(r["change"] for r in content["rows"])
    board = Client().get("/rankings/2025Q2/").content.decode()
    assert "较上期" in board and 'id="previous-version"' not in board and "上期第" not in board


def test_pages_and_documents_show_the_previous_rank_only(across: dict[str, Any]) -> None:
    c = Client()
    board = c.get("/rankings/2026Q1/").content.decode()
    assert 'id="previous-version"' in board and 'class="up"' not in board and 'class="down"' not in board
    admin = get_user_model().objects.create_superuser("office", "office@example.invalid", "x")
    c.force_login(admin)
    page = c.get("/publish/2026Q1/").content.decode()
    assert 'id="previous-version"' in page and '<th class="num">上期总分</th>' not in page
    assert 'class="num prev-score"' not in page
    assert "<th>上期名次</th>" in page
    pdf = c.get("/rankings/2026Q1/bulletin.pdf").content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert (
        "上期名次" in text
        and "上期第" in text
        and "总分不可比" in text
        and "↑" not in text
        and "↓" not in text
    )
    doc = Document(io.BytesIO(c.get("/rankings/2026Q1/bulletin.docx").content))
    cells = [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    assert "上期名次" in cells and not any(x.startswith(("↑", "↓")) for x in cells)
    assert any("总分不可比" in p.text for p in doc.paragraphs)
    book = load_workbook(io.BytesIO(c.get("/rankings/2026Q1/ranking.xlsx").content))
    heads = [cell.value for cell in book["排行榜"][2]]
    assert "上期名次（2025.1 版，不作升降比较）" in heads
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert "总分不可比" in about["与上期比较"]
    assert about["方阵划分规则"] == across["tier_rule"] and about["方阵划分规则"].startswith(
        "方阵按排名三等分划定后"
    )


def test_the_exports_name_tiers_of_any_count_and_carry_the_gate(across: dict[str, Any]) -> None:
    rows = [{**r, "tier": 4} if r["rank"] == 9 else r for r in across["rows"]]
    ctx = bulletin_context({**across, "rows": rows})
    names = [name for name, _units in ctx["tiers"]]
    assert names[-1] == "第四方阵" and ctx["rows"][-1]["tier_name"] == "第四方阵"
    caps = {r["unit"]: [g["cap"] for g in r["gate"]["rules"]] for r in across["rows"] if r["gate"]}
    assert caps == {"WL-MI": ["总分封顶 59 分"], "SM-MI": ["不高于第二方阵"]}  # G1 and G2 of the inputs
    text = re.sub(
        r"\s+",
        "",
        "".join(
            p.extract_text()
            for p in PdfReader(io.BytesIO(Client().get("/rankings/2026Q1/bulletin.pdf").content)).pages
        ),
    )
    assert "（G1总分封顶59分）" in text and "（G2不高于第二方阵）" in text
