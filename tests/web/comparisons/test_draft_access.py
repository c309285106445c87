"""A round still in draft belongs to its pilot: a participant finds it neither in its list (visible_rounds)
nor by typing its code into the address bar (page, results workbook, API), as the round list promises."""

from __future__ import annotations

from typing import Any

from qiangji.web.api.models import ApiToken
from qiangji.web.comparisons.models import ComparisonRound
from tests.web.comparisons.test_views import URL, client_for


def test_it_hides_a_draft_round_from_participants_by_url(world: dict[str, Any]) -> None:
    ComparisonRound.objects.update(status=ComparisonRound.Status.DRAFT)
    lab = client_for(world["users"][0])
    assert lab.get(URL).status_code == 403
    assert lab.get(URL + "results.xlsx").status_code == 403
    _row, secret = ApiToken.issue(world["users"][0], "t")
    api = lab.get("/api/v1/comparisons/rounds/CMP-2025-01", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 404
    assert client_for(world["pilot_user"]).get(URL).status_code == 200


def test_it_shows_the_round_to_participants_once_open(world: dict[str, Any]) -> None:
    assert client_for(world["users"][0]).get(URL).status_code == 200
