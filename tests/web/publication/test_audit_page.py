"""The audit page of an index run: the office and city reviewers only, the core audit's figures, warnings in
plain words, computed once and stored with the run, linked from the publishing page."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
from django.test import Client

from qiangji.core.errors import DegenerateDataWarning
from qiangji.core.index import IndexSpec, compute, data_from_frame
from qiangji.core.index.audit import audit
from qiangji.core.index.calibrate import calibrate_weights
from qiangji.web.assessment.models import Period
from qiangji.web.formatting import decimal, ratio_percent
from qiangji.web.publication import run_audit, workflow
from qiangji.web.publication.compute import core_frame
from qiangji.web.publication.models import ImmutableError, IndexRun, Publication, RunAudit
from qiangji.web.publication.runs import create_run
from tests.web.publication.conftest import COUNTIES, RUNS
from tests.web.publication.frames import random_inputs
from tests.web.publication.publishing import client_for, person

pytestmark = pytest.mark.django_db
CODE = "2025Q3"
SEED = 4


@pytest.fixture
def draft(institutions: Any, fv: Any) -> Publication:
    period = Period.for_code(CODE)
    run = create_run(period, fv, random_inputs(COUNTIES, seed=SEED), seed=7, runs=RUNS)
    return workflow.create_draft(period, run)


def url(pub: Publication) -> str:
    return f"/publish/{CODE}/runs/{pub.run_id}/audit/"


def cells(html: str, row: str, cls: str) -> str:
    """The text of the cell with class ``cls`` in the table row ``data-node=row``."""
    tr = re.search(rf'<tr data-node="{re.escape(row)}"[^>]*>(.*?)</tr>', html, re.S)
    assert tr is not None, row
    cell = re.search(rf'<td class="num {cls}">(.*?)</td>', tr.group(1), re.S)
    assert cell is not None, (row, cls)
    return cell.group(1).strip()


@pytest.mark.parametrize("role", ["admin", "reviewer", "superuser"])
def test_it_opens_for_the_office_and_reviewers(role: str, draft: Publication) -> None:
    response = client_for(person(f"u-{role}", role)).get(url(draft))
    assert response.status_code == 200
    assert "指数统计审计" in response.content.decode()


@pytest.mark.parametrize("role", ["reporter", "leadership"])
def test_it_refuses_other_roles(role: str, draft: Publication, institutions: Any) -> None:
    inst = institutions["HY-MI"] if role == "reporter" else None
    response = client_for(person(f"u-{role}", role, inst)).get(url(draft))
    assert response.status_code == 403
    assert not RunAudit.objects.exists()  # nothing computed for a refused request


def test_it_sends_the_public_to_the_login_page(draft: Publication) -> None:
    for client in (Client(), client_for(person("no-role", None))):
        response = client.get(url(draft))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_answers_404_for_a_run_of_another_period(draft: Publication) -> None:
    office = client_for(person("office", "admin"))
    assert office.get(f"/publish/2025Q4/runs/{draft.run_id}/audit/").status_code == 404
    assert office.get(f"/publish/{CODE}/runs/999999/audit/").status_code == 404


def test_its_figures_are_the_core_audit_of_the_run(draft: Publication) -> None:
    # the core audit of the same inputs, computed here from the inputs, not from the stored run
    spec = IndexSpec.from_json(draft.run.spec_json)
    inputs = random_inputs(COUNTIES, seed=SEED)
    result = compute(spec, data_from_frame(core_frame(inputs.frame, inputs.names), spec.framework))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)  # constant indicators: NaN, as the page says
        core = audit(result)
        cal = calibrate_weights(result)
    html = client_for(person("office", "admin")).get(url(draft)).content.decode()
    for dim, w in core.nominal.items():
        assert cells(html, dim, "nominal") == ratio_percent(w)
        assert cells(html, dim, "var-share") == ratio_percent(core.var_share[dim])
        assert cells(html, dim, "main-effect") == decimal(core.main_effect[dim], 3)
        assert cells(html, dim, "corr") == decimal(core.corr_parent[dim], 3)
        assert cells(html, dim, "ratio") == decimal(core.var_share[dim] / w)
    for code in spec.framework.indicators:
        parent = core.parent[code]
        assert cells(html, code, "corr") == decimal(core.corr_parent[code], 3)
        assert cells(html, code, "eff-weight") == ratio_percent(core.eff_weight[code], 2)
        assert cells(html, code, "loading") == decimal(core.pca_abs_load[parent][code], 3)
    stored = RunAudit.objects.get(run=draft.run).figures
    for dim, alpha in core.cronbach.items():
        assert stored["cronbach"][dim] == (None if alpha != alpha else alpha)
        assert stored["pca_var1"][dim] == (
            None if core.pca_var1[dim] != core.pca_var1[dim] else core.pca_var1[dim]
        )
    for row in cal.table():
        tr = re.search(
            rf'id="audit-calibration-table".*?<tr data-node="{row["child"]}">(.*?)</tr>', html, re.S
        )
        assert tr is not None
        assert f'<td class="num proposed">{ratio_percent(row["proposed"])}</td>' in tr.group(1)
    assert 'id="chart-audit-heatmap"' in html and 'id="chart-audit-importance"' in html


def test_it_words_each_finding_in_chinese(draft: Publication) -> None:
    figures = run_audit.stored_figures(draft.run)
    html = client_for(person("office", "admin")).get(url(draft)).content.decode()
    warned = re.findall(r'<li class="audit-warning">(.*?)</li>', html, re.S)
    for f in figures["findings"]:
        assert any(f["dimension"] in w and "名义权重" in w for w in warned), f
    weak = [c for c, r in figures["corr_parent"].items() if r is None or r < 0.3]
    for code in weak:
        assert any(code in w and ("相关" in w) for w in warned), code
    assert len(warned) >= len(figures["findings"]) + len(weak)


def test_it_is_computed_once_and_stored(draft: Publication, monkeypatch: Any) -> None:
    office = client_for(person("office", "admin"))
    first = office.get(url(draft)).content.decode()
    stored = RunAudit.objects.get(run=draft.run)

    def refuse(run: IndexRun) -> dict[str, Any]:
        raise AssertionError("the audit was computed again")

    monkeypatch.setattr(run_audit, "compute_figures", refuse)
    second = office.get(url(draft)).content.decode()
    assert RunAudit.objects.count() == 1
    assert re.findall(r'class="num [a-z-]+">([^<]*)<', first) == re.findall(
        r'class="num [a-z-]+">([^<]*)<', second
    )
    stored.figures_json = "{}"
    with pytest.raises(ImmutableError):
        stored.save()


def test_the_publishing_page_links_the_audit(draft: Publication) -> None:
    office = client_for(person("office", "admin")).get(f"/publish/{CODE}/").content.decode()
    link = f'href="{url(draft)}"'
    notice = re.search(r'<p id="audit-before-notice">(.*?)</p>', office, re.S)
    assert notice is not None and link in notice.group(1) and "开始公示前" in notice.group(1)
    reviewer = client_for(person("rev", "reviewer")).get(f"/publish/{CODE}/").content.decode()
    assert f'id="audit-link" {link}' in reviewer and "audit-before-notice" not in reviewer
    leader = client_for(person("lead", "leadership")).get(f"/publish/{CODE}/").content.decode()
    assert url(draft) not in leader  # (its navigation links the audit trail, /audit/, which is another page)
