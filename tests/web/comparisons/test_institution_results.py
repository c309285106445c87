"""The institution results fragment (/comparisons/institutions/<code>/: En and verdicts of every reported
round, competition entries) follows the comparisons access rules: a county reporter reads only its own
institution's, the city readers (admin, reviewers, leadership) every institution's."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound
from tests.web.comparisons.test_views import client_for

Status = ComparisonRound.Status


def url(code: str) -> str:
    return f"/comparisons/institutions/{code}/"


@pytest.fixture
def reported(filled: dict[str, Any]) -> dict[str, Any]:
    rnd = filled["round"]
    rnd.status = Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="pilot", options={})
    rnd.refresh_from_db()
    rnd.status = Status.REPORTED
    rnd.save()
    return filled


def test_it_shows_a_reporter_its_own_institution(reported: dict[str, Any]) -> None:
    response = client_for(reported["users"][0]).get(url("C1"))
    assert response.status_code == 200
    assert reported["round"].code in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "other participant"])
def test_it_refuses_another_institution_to_a_reporter(reported: dict[str, Any], who: str) -> None:
    user = reported["outsider"] if who == "outsider" else reported["users"][1]
    response = client_for(user).get(url("C1"))
    assert response.status_code == 403
    assert reported["round"].code not in response.content.decode()


def test_it_refuses_an_unknown_code_to_a_reporter_like_a_foreign_one(reported: dict[str, Any]) -> None:
    assert client_for(reported["outsider"]).get(url("NOPE")).status_code == 403


@pytest.mark.parametrize("role", ["admin", "reviewer", "leadership"])
def test_it_shows_every_institution_to_city_readers(reported: dict[str, Any], role: str) -> None:
    user = get_user_model().objects.create_user(f"city-{role}")
    assign_role(user, role)
    for code in ("C1", "C2", "C3", "TZ"):
        response = client_for(user).get(url(code))
        assert response.status_code == 200
        assert reported["round"].code in response.content.decode()
