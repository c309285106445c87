import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from qiangji.web.assessment.models import Period
from qiangji.web.publication import workflow
from qiangji.web.publication.content import content_hash, tier_of
from qiangji.web.publication.models import ImmutableError, Objection, Publication, PublicationEvent
from qiangji.web.publication.runs import create_run, verify
from qiangji.web.publication.workflow import WorkflowError, add_working_days
from tests.web.publication.conftest import COUNTIES, RUNS, publish
from tests.web.publication.frames import random_inputs, with_value

pytestmark = pytest.mark.django_db
FRI = dt.date(2025, 10, 10)  # a Friday


def test_it_counts_working_days() -> None:
    assert add_working_days(FRI, 5) == dt.date(2025, 10, 17)
    assert add_working_days(FRI, 1) == dt.date(2025, 10, 13)
    assert add_working_days(FRI, 5, [dt.date(2025, 10, 13)]) == dt.date(2025, 10, 20)


def test_it_splits_tiers_by_thirds_of_the_ranking() -> None:
    assert [tier_of(r, 9) for r in range(1, 10)] == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert [tier_of(r, 10) for r in range(1, 11)] == [1] * 4 + [2] * 4 + [3] * 2


def test_it_runs_the_workflow_end_to_end(institutions, fv, settings) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "OBJECTION_PERIOD_WORKING_DAYS": 3}
    period = Period.for_code("2025Q3")
    inputs = random_inputs(COUNTIES, seed=3)
    run = create_run(period, fv, inputs, seed=7, runs=RUNS)
    pub = workflow.create_draft(period, run)
    assert pub.status == Publication.Status.DRAFT and not pub.is_public
    with pytest.raises(WorkflowError):
        workflow.finalise(pub, FRI)

    workflow.start_notice(pub, FRI)
    assert pub.notice_ends_on == dt.date(2025, 10, 15)
    with pytest.raises(WorkflowError, match="公示期"):
        workflow.lodge_objection(pub, text="x", submitted_by="y", received_on=dt.date(2025, 10, 16))
    first = workflow.lodge_objection(
        pub,
        text="D1.1 应为 40 项",
        submitted_by="三门县所 张三",
        received_on=FRI,
        institution=institutions["SM-MI"],
    )
    second = workflow.lodge_objection(
        pub, text="排名有误", submitted_by="市民", received_on=dt.date(2025, 10, 13)
    )
    with pytest.raises(WorkflowError, match="未处理"):
        workflow.finalise(pub, dt.date(2025, 10, 16))
    with pytest.raises(WorkflowError, match="更正"):
        workflow.reply_objection(first, outcome="upheld", reply="核实成立", today=dt.date(2025, 10, 14))

    corrected = with_value(inputs, "SM-MI", "D1.1", 40.0)
    workflow.reply_objection(
        first,
        outcome="upheld",
        reply="核实成立，已更正",
        today=dt.date(2025, 10, 14),
        corrected_inputs=corrected,
    )
    pub.refresh_from_db()
    first.refresh_from_db()
    assert first.outcome == Objection.Outcome.UPHELD and first.corrected_run == pub.run
    assert pub.run != run and pub.run.corrects == run and verify(pub.run)
    assert pub.run.inputs_json == corrected.to_json()
    assert pub.notice_started_on == dt.date(2025, 10, 14) and pub.notice_ends_on == dt.date(2025, 10, 17)
    assert set(pub.runs_history.all()) == {run, pub.run}

    workflow.reply_objection(second, outcome="rejected", reply="经核实无误", today=dt.date(2025, 10, 15))
    with pytest.raises(WorkflowError, match="2025-10-17"):
        workflow.finalise(pub, dt.date(2025, 10, 17))
    workflow.finalise(pub, dt.date(2025, 10, 20))
    pub = Publication.objects.get(pk=pub.pk)
    assert pub.status == Publication.Status.FINAL
    assert pub.content_sha256 == content_hash(pub.content)
    assert [r["unit"] for r in pub.content["rows"]] == [
        u for _, u in sorted(zip(pub.run.results["publication_rank"], pub.run.results["units"], strict=True))
    ]
    actions = list(pub.events.values_list("action", flat=True))
    assert actions == ["created", "notice", "objection", "objection", "corrected", "reply", "reply", "final"]


def test_it_refuses_and_logs_any_change_of_a_final_publication(institutions, fv) -> None:
    pub = publish("2025Q1", 1, fv)
    digest = pub.content_sha256
    pub.title = "改过的标题"
    with pytest.raises(ImmutableError):
        pub.save()
    with pytest.raises(ImmutableError):
        pub.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Publication.objects.filter(pk=pub.pk).update(content_json="{}")
    stored = Publication.objects.get(pk=pub.pk)
    assert stored.content_sha256 == digest == content_hash(stored.content)
    assert stored.title != "改过的标题"
    refused = PublicationEvent.objects.filter(publication=pub, action="refused")
    assert [e.detail for e in refused] == ["refused change", "refused deletion"]


def test_it_shows_the_rank_change_against_the_previous_publication(published) -> None:
    q1, q2 = published
    before = {r["unit"]: r["rank"] for r in q1.content["rows"]}
    assert q2.content["previous"] == {
        "period": "2025Q1",
        "label": "2025年第1季度",
        "sha256": q1.content_sha256,
        "framework_version": "2025.1",
        "comparable": True,  # the same framework version: the rank change is shown
    }
    for row in q2.content["rows"]:
        assert row["previous_rank"] == before[row["unit"]]
        assert row["change"] == before[row["unit"]] - row["rank"]
    assert q1.content["previous"] is None and all(r["change"] is None for r in q1.content["rows"])


def test_the_admin_offers_no_workflow_step(admin_client, institutions, fv) -> None:
    """Notice and final are taken on the publishing page (the programme admin's), not from the admin."""
    pub = publish("2025Q3", 3, fv, final=False)
    Publication.objects.filter(pk=pub.pk).update(status="draft", notice_started_on=None, notice_ends_on=None)
    url = "/admin/publication/publication/"
    assert admin_client.get(url).context["action_form"] is None
    admin_client.post(url, {"action": "start_notice", "_selected_action": [pub.pk]})
    pub.refresh_from_db()
    assert pub.status == "draft"
    page = admin_client.get(f"{url}{pub.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'href="/publish/2025Q3/"' in page
