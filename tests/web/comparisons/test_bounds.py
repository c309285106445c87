"""Implausible comparison results are refused where they enter (security review, issue 13: L3): measured
0001-01-01 or 9999-12-31, x or U of 1e308, through the submission page and the admin; a result already
stored out of bounds is named (laboratory and rule) by the evaluation instead of a 500 OverflowError."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qiangji.web.comparisons.models import ComparisonRound, PilotCheck, Submission

URL = "/comparisons/CMP-2025-01/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def root(db: Any) -> Client:
    return client_for(get_user_model().objects.create_superuser("root", "root@example.invalid"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("x", "1e308", "测量结果的绝对值不能超过 1e+30"),
        ("U", "1e308", "扩展不确定度 U 及 U/k 应在"),
        ("U", "1e-40", "扩展不确定度 U 及 U/k 应在"),
        ("measured_on", "0001-01-01", "日期应在 2000-01-01 至"),
        ("measured_on", "9999-12-31", "日期应在 2000-01-01 至"),
    ],
)
def test_the_submission_page_refuses_implausible_results(
    world: dict[str, Any], field: str, value: str, message: str
) -> None:
    data = {"p1-x": "0.25", "p1-U": "0.8", "p1-k": "2", "p1-measured_on": "2025-03-04", f"p1-{field}": value}
    r = client_for(world["users"][1]).post(URL + "submit/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert not Submission.objects.exists()


def test_the_admin_refuses_an_implausible_pilot_check(root: Client, world: dict[str, Any]) -> None:
    point = world["points"][0]
    data = {"point": point.pk, "measured_on": "2025-03-01", "x": "1e308", "U": "0.1", "k": "2"}
    page = root.post("/admin/comparisons/pilotcheck/add/", data).content.decode()
    assert "测量结果的绝对值不能超过" in page and not PilotCheck.objects.exists()


def test_the_evaluation_names_a_stored_out_of_bounds_result(filled: dict[str, Any]) -> None:
    """A value stored before the bounds existed (or by hand) is reported, naming the laboratory."""
    Submission.objects.filter(participant__lab_code="L2", point__order=1).update(x=1e308)
    pilot = client_for(filled["pilot_user"])
    pilot.post(URL + "close/")
    r = pilot.post(
        URL + "evaluate/",
        {"method": "algorithm_a", "alpha": "0.05", "correlated": "auto", "U_ts": "0", "seed": "0"},
        follow=True,
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "L2" in page and "within ±1e+30" in page
    assert ComparisonRound.objects.get().status == ComparisonRound.Status.CLOSED  # nothing evaluated
