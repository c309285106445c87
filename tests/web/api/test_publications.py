"""Publications in the API agree with the public pages: a ranking in its public-notice period (公示) is
published for objections, so the public sees it (status ``notice``, with its notice dates) as well as the
final ones, never a draft; the pages say a notice-period ranking is not final, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from qiangji.web.accounts.models import Role
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.runs import create_run
from qiangji.web.registry.models import Institution
from tests.web.api.conftest import Caller, caller, make_user
from tests.web.publication.conftest import COUNTIES, RUNS, publish
from tests.web.publication.frames import random_inputs


@pytest.fixture
def pubs(db: Any) -> dict[str, Any]:
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    draft_period = Period.for_code("2025Q3")
    draft = workflow.create_draft(
        draft_period, create_run(draft_period, fv, random_inputs(COUNTIES, seed=4), seed=7, runs=RUNS)
    )
    return {
        "final": publish("2025Q1", 1, fv),
        "notice": publish("2025Q2", 2, fv, final=False),
        "draft": draft,
        "public": Caller(None, None, caller(None).client),
        "reviewer": caller(make_user("rev", Role.REVIEWER)),
        "reporter": caller(make_user("rep", Role.REPORTER, Institution.objects.get(code="HY-MI"))),
    }


def test_it_shows_final_and_notice_publications_to_the_public_never_drafts(pubs: dict[str, Any]) -> None:
    notice = pubs["notice"]
    status, body = pubs["public"].get("/publications")
    assert status == 200 and [(p["period"], p["status"]) for p in body] == [
        ("2025Q2", "notice"),
        ("2025Q1", "final"),
    ]
    listed = body[0]
    assert listed["notice_ends_on"] == notice.notice_ends_on.isoformat()
    assert listed["notice_started_on"] == notice.notice_started_on.isoformat()
    assert listed["finalised_at"] is None
    status, body = pubs["public"].get("/publications/2025Q1")
    assert status == 200 and body["content_sha256"] == pubs["final"].content_sha256
    assert [row["unit"] for row in body["content"]["rows"]] == [
        row["unit"] for row in pubs["final"].content["rows"]
    ]
    status, body = pubs["public"].get("/publications/2025Q2")
    assert status == 200 and body["status"] == "notice" and body["content"]["status"] == "notice"
    assert body["notice_ends_on"] == notice.notice_ends_on.isoformat()
    assert len(body["content"]["rows"]) == len(COUNTIES)
    for who in ("public", "reporter"):
        assert pubs[who].get("/publications/2025Q3") == (
            404,
            {"error": "考核期次 2025Q3 没有已发布的排行榜。"},
        )
        assert "2025Q3" not in [p["period"] for p in pubs[who].get("/publications")[1]]


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "公示稿，非最终结果"), ("en", "not final")])
def test_the_pages_agree_and_say_a_notice_ranking_is_not_final(
    pubs: dict[str, Any], language: str, words: str
) -> None:
    from django.test import Client

    c = Client(headers={"accept-language": language})
    c.cookies["django_language"] = language
    from qiangji.web.publication.pages import content_of

    unit = content_of(pubs["notice"])["rows"][0]["unit"]
    for url in ("/rankings/2025Q2/", f"/rankings/2025Q2/{unit}/"):
        page = c.get(url)
        assert page.status_code == 200 and words in page.content.decode(), url
    for url in ("/rankings/2025Q1/", f"/rankings/2025Q1/{unit}/"):
        page = c.get(url)
        assert page.status_code == 200 and words not in page.content.decode(), url
    assert c.get("/rankings/2025Q3/").status_code == 404


def test_it_shows_unpublished_rankings_to_city_roles(pubs: dict[str, Any]) -> None:
    status, body = pubs["reviewer"].get("/publications")
    assert {p["period"]: p["status"] for p in body} == {
        "2025Q1": "final",
        "2025Q2": "notice",
        "2025Q3": "draft",
    }
    status, body = pubs["reviewer"].get("/publications/2025Q2")
    assert status == 200 and len(body["content"]["rows"]) == len(COUNTIES)
