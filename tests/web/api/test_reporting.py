from __future__ import annotations

from typing import Any

from qiangji.web.assessment.models import Evidence, ReportedValue, ReportTransition
from tests.web.api.conftest import indicators


def url(world: dict[str, Any], inst: str = "CA", indicator: str | None = None) -> str:
    return f"/reports/{world['period'].code}/{inst}/{indicator or indicators()[0]}"


def test_it_creates_a_draft_through_the_assessment_rules(world: dict[str, Any]) -> None:
    status, body = world["reporter_a"].put(url(world), {"value": "12.5", "note": "年报"})
    assert status == 200, body
    assert body["status"] == "draft" and body["value"] == "12.500000" and body["version"]
    stored = ReportedValue.objects.get(pk=body["id"])
    assert stored.updated_by == world["reporter_a"].user and stored.note == "年报"


def test_it_computes_percentages_from_numerator_and_denominator(world: dict[str, Any]) -> None:
    pct = indicators()[1]
    status, body = world["reporter_a"].put(url(world, indicator=pct), {"value": "80"})
    assert status == 400 and "分子" in body["error"]
    status, body = world["reporter_a"].put(url(world, indicator=pct), {"numerator": "3", "denominator": "4"})
    assert status == 200 and body["value"] == "75.000000"


def test_it_refuses_a_stale_version_and_keeps_the_other_change(world: dict[str, Any]) -> None:
    rep, admin = world["reporter_a"], world["admin"]
    first = rep.put(url(world), {"value": "10"})[1]
    ok = admin.put(url(world), {"value": "11", "version": first["version"]})
    assert ok[0] == 200, ok
    status, body = rep.put(url(world), {"value": "12", "version": first["version"]})
    assert status == 409 and set(body) == {"error"}
    assert ReportedValue.objects.get(pk=first["id"]).value == 11
    status, body = rep.put(url(world), {"value": "12"})  # no version at all: also refused
    assert status == 409
    fresh = rep.get(f"/reports/{first['id']}")[1]
    assert rep.put(url(world), {"value": "12", "version": fresh["version"]})[0] == 200


def test_it_refuses_other_institutions_and_read_only_roles(world: dict[str, Any]) -> None:
    assert world["reporter_b"].put(url(world, "CA"), {"value": "1"})[0] == 404
    assert world["leader"].put(url(world, "CA"), {"value": "1"})[0] == 403
    assert world["norole"].put(url(world, "CA"), {"value": "1"})[0] == 404
    assert world["public"].put(url(world, "CA"), {"value": "1"})[0] == 401
    assert not ReportedValue.objects.exists()


def test_it_rejects_bad_values_with_the_error_shape(world: dict[str, Any]) -> None:
    rep = world["reporter_a"]
    bad = [{"value": v} for v in ("NaN", "1e400", "abc", 12.5, "1.1234567", "123456789012")]
    bad += [{"note": "x" * 2001}, {"value": "1", "note": "a\x00b"}, {"value": "1", "extra": 1}]
    for body in bad:
        status, answer = rep.put(url(world), body)
        assert status in (400, 422) and set(answer) == {"error"}, (body, answer)
    assert rep.put(url(world, indicator="Z9.9"), {"value": "1"})[0] == 404
    assert rep.put("/reports/2025Q5/CA/D1.1", {"value": "1"})[0] == 422
    assert not ReportedValue.objects.exists()


def test_it_runs_the_workflow_with_four_eyes(world: dict[str, Any]) -> None:
    rep, rev = world["reporter_a"], world["reviewer"]
    body = rep.put(url(world), {"value": "5"})[1]
    status, answer = rep.post(f"/reports/{body['id']}/submit")
    assert status == 409 and "佐证" in answer["error"]  # evidence first
    report = ReportedValue.objects.get(pk=body["id"])
    Evidence.objects.create(
        report=report, file="evidence/x.pdf", original_name="x.pdf", sha256="0" * 64, size=1,
        uploaded_by=rep.user,
    )  # fmt: skip
    assert rep.post(f"/reports/{body['id']}/submit")[1]["status"] == "submitted"
    assert rep.post(f"/reports/{body['id']}/approve")[0] == 403
    assert world["leader"].post(f"/reports/{body['id']}/approve")[0] == 403
    assert rev.post(f"/reports/{body['id']}/return", {"reason": ""})[0] == 422
    assert rev.post(f"/reports/{body['id']}/approve")[1]["status"] == "approved"
    assert rep.put(url(world), {"value": "6", "version": body["version"]})[0] == 409
    steps = list(ReportTransition.objects.values_list("to_status", "actor__username"))
    assert steps == [("submitted", "rep_a"), ("approved", "reviewer1")]


def test_it_lists_only_visible_reports(world: dict[str, Any]) -> None:
    world["reporter_a"].put(url(world, "CA"), {"value": "1"})
    world["reporter_b"].put(url(world, "CB"), {"value": "2"})
    assert [r["institution"] for r in world["reporter_a"].get("/reports")[1]["items"]] == ["CA"]
    assert world["reviewer"].get("/reports?institution=CB")[1]["count"] == 1
    assert world["leader"].get("/reports?period=2025Q1")[1]["count"] == 2
    other = ReportedValue.objects.get(institution__code="CB").pk
    assert world["reporter_a"].get(f"/reports/{other}")[0] == 404
