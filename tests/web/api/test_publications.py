from __future__ import annotations

from typing import Any

import pytest

from qiangji.web.accounts.models import Role
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.registry.models import Institution
from tests.web.api.conftest import Caller, caller, make_user
from tests.web.publication.conftest import COUNTIES, publish


@pytest.fixture
def pubs(db: Any) -> dict[str, Any]:
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    return {
        "final": publish("2025Q1", 1, fv),
        "notice": publish("2025Q2", 2, fv, final=False),
        "public": Caller(None, None, caller(None).client),
        "reviewer": caller(make_user("rev", Role.REVIEWER)),
        "reporter": caller(make_user("rep", Role.REPORTER, Institution.objects.get(code="HY-MI"))),
    }


def test_it_shows_only_final_publications_to_the_public(pubs: dict[str, Any]) -> None:
    status, body = pubs["public"].get("/publications")
    assert status == 200 and [p["period"] for p in body] == ["2025Q1"]
    status, body = pubs["public"].get("/publications/2025Q1")
    assert status == 200 and body["content_sha256"] == pubs["final"].content_sha256
    assert [row["unit"] for row in body["content"]["rows"]] == [
        row["unit"] for row in pubs["final"].content["rows"]
    ]
    assert pubs["public"].get("/publications/2025Q2") == (404, {"error": "no publication for period 2025Q2"})
    assert pubs["reporter"].get("/publications/2025Q2")[0] == 404


def test_it_shows_unpublished_rankings_to_city_roles(pubs: dict[str, Any]) -> None:
    status, body = pubs["reviewer"].get("/publications")
    assert {p["period"]: p["status"] for p in body} == {"2025Q1": "final", "2025Q2": "notice"}
    status, body = pubs["reviewer"].get("/publications/2025Q2")
    assert status == 200 and len(body["content"]["rows"]) == len(COUNTIES)
