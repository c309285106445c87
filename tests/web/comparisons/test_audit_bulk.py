"""Bulk writes of the comparisons app enter the audit trail (bulk_create/bulk_update send no signals)."""

from __future__ import annotations

from typing import Any

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.comparisons.competitions import rank_item
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound, LabResult, Score

from .test_competitions import competition  # noqa: F401  (fixtures)
from .test_demo import loaded  # noqa: F401


def _events(model: str, action: str) -> dict[str, AuditEvent]:
    rows = AuditEvent.objects.filter(app_label="comparisons", model=model, action=action)
    return {e.object_id: e for e in rows}


def test_every_stored_lab_result_has_its_create_event(filled: dict[str, Any]) -> None:
    rnd = filled["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="pilot", options={})
    results = list(LabResult.objects.all())
    events = _events("labresult", "create")
    assert results and set(events) == {str(r.pk) for r in results}
    for r in results:
        after = events[str(r.pk)].after
        assert events[str(r.pk)].before is None
        assert after["x"] == r.x and after["en"] == r.en and after["verdict"] == r.verdict


def test_a_re_evaluation_records_the_old_results_deleted_and_the_new_created(
    filled: dict[str, Any],
) -> None:
    rnd = filled["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="pilot", options={})
    first = {str(pk) for pk in LabResult.objects.values_list("pk", flat=True)}
    evaluate_round(rnd, method="mean", options={})
    second = {str(pk) for pk in LabResult.objects.values_list("pk", flat=True)}
    assert first.isdisjoint(second)
    assert set(_events("labresult", "delete")) == first
    assert set(_events("labresult", "create")) == first | second


def test_ranking_records_each_score_change_with_before_and_after(
    competition: dict[str, Any],  # noqa: F811
) -> None:
    scores = {s.pk: s for s in Score.objects.all()}
    events = _events("score", "update")
    assert set(events) == {str(pk) for pk in scores}  # each total and rank was set by rank_item
    for pk, score in scores.items():
        event = events[str(pk)]
        assert event.before["total"] is None and event.before["rank"] is None
        assert event.after["total"] == score.total and event.after["rank"] == score.rank
        assert set(event.changed) == {"total", "rank"}
    count = AuditEvent.objects.filter(model="score").count()
    rank_item(competition["item"])  # nothing changes: no event
    assert AuditEvent.objects.filter(model="score").count() == count
    first = Score.objects.get(contestant=competition["people"][0])  # 90/90/90, ranked first
    first.theory = 10
    first.save()  # a signal event for the edited part
    rank_item(competition["item"])
    latest = AuditEvent.objects.filter(model="score", object_id=str(first.pk)).latest("pk")
    assert set(latest.changed) == {"total", "rank"}, latest.changed
    assert latest.before["total"] == 90.0 and latest.before["rank"] == 1
    assert latest.after["total"] < 90.0 and latest.after["rank"] > 1


def test_the_demo_loader_audits_every_row_it_writes_in_bulk(loaded: dict[str, Any]) -> None:  # noqa: F811
    """The demo writes points, participants, submissions, contestants and scores in bulk and back-dates
    the evaluations with an update: every stored row has its create event, each evaluation its update."""
    from django.apps import apps
    from django.utils.dateparse import parse_datetime

    for name in ("measurementpoint", "participant", "submission", "contestant", "score", "labresult"):
        model = apps.get_model("comparisons", name)
        stored = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        assert stored and stored <= set(_events(name, "create")), name
    for ev in apps.get_model("comparisons", "evaluation").objects.all():
        last = AuditEvent.objects.filter(model="evaluation", object_id=str(ev.pk)).latest("pk")
        assert last.action == "update" and last.changed == ["evaluated_at"]
        assert parse_datetime(last.after["evaluated_at"]) == ev.evaluated_at
