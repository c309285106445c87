"""In Chromium: the office follows the publishing page's link to the audit of its draft (warnings, the heat
map and the importance chart drawn, no script error), a county reporter is refused it, and a visitor reads
the 指数编制说明 from the leaderboard. Screenshots in test-output/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Publication
from qiangji.web.publication.run_audit import stored_figures
from qiangji.web.publication.runs import create_run
from qiangji.web.registry.models import Institution
from tests.browser.helpers import login
from tests.web.publication.conftest import COUNTIES, RUNS, publish
from tests.web.publication.frames import random_inputs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "audit-passphrase-2026"
DRAFT = "2025Q3"


def setting_up() -> tuple[Publication, Publication]:
    institutions = {
        code: Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
        for code, name in COUNTIES.items()
    }
    fv = ensure_default_framework(FrameworkVersion)[0]
    final = publish("2025Q2", 2, fv)
    period = Period.for_code(DRAFT)
    draft = workflow.create_draft(period, create_run(period, fv, random_inputs(COUNTIES, seed=4), runs=RUNS))
    for name, role, inst in (("office", "admin", None), ("county", "reporter", institutions["HY-MI"])):
        user = get_user_model().objects.create_user(name, f"{name}@example.invalid", PASSWORD)
        assign_role(user, role, inst)
    return final, draft


def test_the_office_reads_the_audit_before_the_notice(
    new_page: Any, live_server: Any, output_dir: Any
) -> None:
    _final, draft = setting_up()
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, live_server.url, "office", PASSWORD, f"/publish/{DRAFT}/")
    page.click("#audit-before-notice a")
    page.wait_for_url(f"**/publish/{DRAFT}/runs/{draft.run_id}/audit/")
    assert "指数统计审计" in page.locator("h1").inner_text()
    page.wait_for_selector("#chart-audit-heatmap .main-svg")
    page.wait_for_selector("#chart-audit-importance .main-svg")
    figures = stored_figures(draft.run)
    heat = figures["heatmap"]
    assert page.locator("#chart-audit-heatmap g.hm, #chart-audit-heatmap .heatmaplayer image").count() >= 1
    assert page.locator("#chart-audit-importance g.trace.bars").count() == 3  # nominal, var share, effect
    dims = page.locator("#audit-dimensions tbody tr")
    assert dims.count() == len(figures["nominal"]) == len(heat["cols"]) - 1
    assert page.locator("#audit-indicator-table tbody tr").count() == len(heat["rows"])
    warnings = page.locator("li.audit-warning")
    assert warnings.count() >= len(figures["findings"]) and warnings.count() > 0
    assert page.locator("#audit-calibration-table tbody tr").count() == len(figures["nominal"])
    assert problems == []
    page.screenshot(path=str(output_dir / "run-audit.png"), full_page=True)

    county = new_page()
    login(county, live_server.url, "county", PASSWORD, "/home/")
    response = county.goto(f"{live_server.url}/publish/{DRAFT}/runs/{draft.run_id}/audit/")
    assert response is not None and response.status == 403


def test_a_visitor_reads_the_methodology_from_the_leaderboard(
    page: Any, live_server: Any, output_dir: Any
) -> None:
    final, _draft = setting_up()
    page.goto(f"{live_server.url}/rankings/2025Q2/")
    page.click("#methodology-link")
    page.wait_for_url("**/rankings/2025Q2/methodology/")
    assert page.locator("h1").inner_text() == "指数编制说明"
    rows = page.locator("table.methodology-indicators tr[data-indicator]:not(.definition)")
    assert rows.count() == len(final.content["indicators"])
    assert page.locator("tr.definition .source").count() == rows.count()
    assert "未设合规门槛" in page.locator("#no-gate").inner_text()
    with page.expect_download() as download:
        page.click("#methodology-pdf-link")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:5] == b"%PDF-"
    page.screenshot(path=str(output_dir / "methodology.png"), full_page=True)
