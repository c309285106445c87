"""The steering pages as each role sees them, and the three-year results report (page and PDF)."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from django.test import Client

from qiangji.web.registry.models import InstitutionGrade, ResearchProject
from qiangji.web.steering.results import results_report
from tests.web.accounts.conftest import make_user

from .conftest import D


def _client(world: dict[str, Any], role: str) -> Client:
    inst = {"admin": world["tz"], "reporter": world["c1"]}.get(role)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=f"u-{role}").first() or make_user(f"u-{role}", role, inst)
    client = Client()
    client.force_login(user)
    return client


def test_the_results_figures(world: dict[str, Any]) -> None:
    InstitutionGrade.objects.create(
        institution=world["c1"], grade="A", effective_from=D(2024, 6, 1), source_document="评定文件（示例）"
    )
    ResearchProject.objects.create(
        institution=world["c2"],
        title="水表检定研究（示例）",
        funding_level="municipal",
        approved_on=D(2025, 5, 1),
    )
    r = results_report(D(2025, 12, 31))
    figures = {f.label: (f.baseline, f.now) for f in r.figures}
    assert r.baseline == D(2023, 1, 1)  # no goal stored: the programme's start
    assert figures["A级计量检定机构"] == (0.0, 1.0)
    assert figures["在岗注册计量师"] == (3.0, 3.0)  # C1 2 + C2 1, registered 2022–2026
    # authorisations from 2022-01-01: 6 at the baseline; C2's 出租车计价器 ended 2025-06-30 → 5
    assert figures["授权强检项目"] == (6.0, 5.0)
    assert figures["累计立项科研项目（市级及以上）"] == (0.0, 1.0)
    assert figures["行动期内立项科研项目"] == (None, 1.0)
    coverage = {c.code: (c.now, c.registered, c.verification, c.met) for c in r.coverage}
    assert coverage == {"C1": (100.0, 2, 2, True), "C2": (25.0, 1, 4, False)}
    assert any("水表" in o for o in r.open_items) and any("眼镜配件" in o for o in r.open_items)


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("reviewer", 200), ("leadership", 200), ("reporter", 403)]
)
def test_the_results_page_is_the_citys(world: dict[str, Any], role: str, status: int) -> None:
    assert _client(world, role).get("/steering/results/?as_of=2025-12-31").status_code == status


def test_the_results_pdf_reads_as_text(world: dict[str, Any], tmp_path: Any) -> None:
    response = _client(world, "leadership").get("/steering/results.pdf?as_of=2025-12-31")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "results.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "三年强基行动成效报告" in text and "2025年12月31日" in text
    assert "乙县计量所（示例）" in text and "25.0%" in text  # C2's coverage, formatted by web/formatting.py


def test_a_county_sees_its_own_column_and_actions(world: dict[str, Any]) -> None:
    page = _client(world, "reporter").get("/steering/capability/?as_of=2025-12-31").content.decode()
    assert "<th>C1</th>" in page and "<th>C2</th>" not in page and "<th>TZ</th>" not in page
    assert "导入强检职责清单" not in page
    # gaps and duplications judged over every institution, as on the city's page: 衡器 on 乙县's list is
    # covered by C2 (C1's columns alone made it a gap: 2 item gaps, no duplications)
    counts = re.search(r'<p id="summary">(.*?)</p>', page, re.S)
    assert counts is not None
    assert re.findall(r"<strong>(\d+)</strong>", counts.group(1)) == ["1", "1", "1", "1"]
    city = _client(world, "admin").get("/steering/capability/?as_of=2025-12-31").content.decode()
    assert "<th>C2</th>" in city and "导入强检职责清单" in city
    assert _client(world, "reporter").get("/steering/assistance/").status_code == 200
    assert _client(world, "reporter").get("/steering/cooperation/").status_code == 200


def test_the_public_is_sent_to_sign_in(world: dict[str, Any]) -> None:
    for url in (
        "/steering/capability/",
        "/steering/cooperation/",
        "/steering/assistance/",
        "/steering/results/",
    ):
        assert Client().get(url).status_code == 302
