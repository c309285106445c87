"""The draft preview: next to the previous final ranking, for the office, reviewers and leadership only;
never public, and no action form for those who may only read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qiangji.web.publication import service
from qiangji.web.publication.models import Publication
from tests.web.publication.conftest import publish
from tests.web.publication.publishing import CODE, RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db
URL = f"/publish/{CODE}/"


@pytest.fixture
def draft(institutions: Any, fv: Any) -> Publication:
    publish("2026Q2", 5, fv)  # the previous final quarter
    period = locked_period(fv, institutions, person("reviewer0", "reviewer"))
    return service.compute(period, runs=RUNS, seed=3)


def test_it_shows_the_draft_next_to_the_previous_final_ranking(draft: Publication) -> None:
    html = client_for(person("office", "admin")).get(URL).content.decode()
    previous = {r["unit"]: r for r in Publication.objects.get(period__code="2026Q2").content["rows"]}
    rows = service.publication_of(draft.period).run.results
    assert "2026年第2季度（上期正式发布）" in html
    for unit in rows["units"]:
        prev = previous[unit]
        assert f'data-unit="{unit}"' in html
        assert f'<td class="num prev-rank">{prev["rank"]}</td>' in html
        assert f'<td class="num prev-score">{prev["score"]:.2f}</td>' in html
    assert html.count('class="interval"') == 9 and 'class="change"' in html
    assert 'id="compute-button"' in html and 'id="notice-button"' in html


@pytest.mark.parametrize("role", ["reviewer", "leadership"])
def test_city_readers_see_the_preview_without_any_action(role: str, draft: Publication) -> None:
    response = client_for(person(role, role)).get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and html.count("data-unit=") == 9
    assert '<form method="post" action="/publish/' not in html and "compute-button" not in html


def test_a_county_reporter_may_not_open_the_preview(draft: Publication, institutions: Any) -> None:
    assert client_for(person("county", "reporter", institutions["HY-MI"])).get(URL).status_code == 403


def test_the_draft_is_never_public(draft: Publication) -> None:
    anonymous = Client()
    response = anonymous.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert anonymous.get(f"/rankings/{CODE}/").status_code == 404
    assert anonymous.get(f"/rankings/{CODE}/bulletin.pdf").status_code == 404
    assert CODE not in anonymous.get("/").content.decode()  # the public leaderboard shows 2026Q2
    no_role = client_for(person("nobody", None))
    assert no_role.get(URL).status_code == 302


def test_the_period_list_names_each_stage_and_the_next_action(draft: Publication) -> None:
    html = client_for(person("office", "admin")).get("/publish/").content.decode()
    assert f'data-period="{CODE}"' in html and "已计算" in html and "预览并公示" in html
