from __future__ import annotations

from typing import Any

from qiangji.web.accounts.models import Role
from qiangji.web.comparisons.models import ComparisonRound
from tests.web.api.conftest import caller, make_user
from tests.web.comparisons.conftest import filled, world  # noqa: F401  (the round fixtures)


def callers(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    return {
        "lab1": caller(make_user("api_lab1", Role.REPORTER, world["labs"][0])),
        "reviewer": caller(make_user("api_rev", Role.REVIEWER)),
        "norole": caller(make_user("api_none", None)),
    }


def test_it_keeps_results_confidential_until_the_round_is_closed(filled: dict[str, Any]) -> None:  # noqa: F811
    c = callers(filled)
    code = filled["round"].code
    status, rows = c["lab1"].get(f"/comparisons/rounds/{code}/submissions")
    assert status == 200 and {r["lab_code"] for r in rows} == {"L1"}
    assert len(c["reviewer"].get(f"/comparisons/rounds/{code}/submissions")[1]) == 8
    assert c["norole"].get(f"/comparisons/rounds/{code}/submissions")[0] == 404
    assert c["lab1"].get(f"/comparisons/rounds/{code}/results")[0] == 403
    ComparisonRound.objects.filter(pk=filled["round"].pk).update(status=ComparisonRound.Status.CLOSED)
    status, rows = c["lab1"].get(f"/comparisons/rounds/{code}/submissions")
    assert {r["lab_code"] for r in rows} == {"P", "L1", "L2", "L3"}


def test_it_lists_rounds_by_participation(filled: dict[str, Any]) -> None:  # noqa: F811
    c = callers(filled)
    assert [r["code"] for r in c["lab1"].get("/comparisons/rounds")[1]] == ["CMP-2025-01"]
    assert c["norole"].get("/comparisons/rounds") == (200, [])
    assert c["reviewer"].get("/comparisons/rounds/CMP-2025-01")[1]["pilot"] == "TZ"
