"""An upheld objection answered from the page: the corrections (institution, indicator, corrected value)
go into a corrected run computed by a background job, and the notice starts again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from qiangji.web.jobs.models import Job
from qiangji.web.publication import jobs, service, workflow
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from tests.web.publication.publishing import RUNS, client_for, locked_period, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def objection(institutions: Any, fv: Any) -> Objection:
    period = locked_period(fv, institutions, person("reviewer1", "reviewer"))
    service.compute(period, runs=RUNS, seed=3)
    pub = service.start_notice(period, start=timezone.localdate())
    # The notice began two days ago (a start before the draft's computation is refused, so set it here):
    # the corrected run's new notice then visibly starts again today.
    two_days_ago = timezone.localdate() - dt.timedelta(days=2)
    Publication.objects.filter(pk=pub.pk).update(notice_started_on=two_days_ago)
    return service.lodge_objection(
        period, text="D1.3 应为 12（示例）", submitted_by="张某（示例）", institution=institutions["HY-MI"]
    )


@pytest.fixture
def office(db: Any) -> Any:
    return person("office", "admin")


def answer(obj: Objection, outcome: str = "upheld", **rows: str) -> dict[str, str]:
    p = f"o{obj.pk}"
    return {
        f"{p}-outcome": outcome,
        f"{p}-reply": "核实后更正（示例）",
        **{f"{p}-{k}": v for k, v in rows.items()},
    }


def test_an_upheld_objection_gives_a_corrected_run_and_a_new_notice(
    office: Any, objection: Objection
) -> None:
    pub = objection.publication
    old_run, old_start = pub.run, pub.notice_started_on
    data = answer(objection, **{"c0-unit": "HY-MI", "c0-indicator": "D1.3", "c0-value": "１２"})
    page = client_for(office).post(f"/objections/{objection.pk}/answer/", data, follow=True)
    job = Job.objects.get()
    assert (job.kind, job.status, job.progress, job.created_by) == (jobs.ANSWER, "done", 1.0, office)
    objection.refresh_from_db()
    pub = Publication.objects.get()
    assert objection.outcome == Objection.Outcome.UPHELD and objection.replied_by == office
    assert objection.corrected_run == pub.run and pub.run.corrects == old_run
    frame = json.loads(pub.run.inputs_json)
    assert _value(frame, "HY-MI", "D1.3") == 12.0 != _value(json.loads(old_run.inputs_json), "HY-MI", "D1.3")
    today = timezone.localdate()
    assert pub.status == "notice" and pub.notice_started_on == today != old_start
    assert pub.notice_ends_on == workflow.notice_ends_on(today)
    assert pub.events.filter(action=PublicationEvent.Action.CORRECTED, actor=office).exists()
    html = page.content.decode()
    assert f"更正计算 #{pub.run.pk}" in html and f"#{old_run.pk}" in html  # the runs' history


def _value(snapshot: dict[str, Any], unit: str, code: str) -> float:
    """A value of an ``Inputs.to_json`` snapshot (its columns/rows layout, read without assuming more)."""
    from qiangji.web.assessment.inputs import Inputs

    inputs = Inputs.from_json(json.dumps(snapshot))
    return float(inputs.frame.loc[unit, code])


def test_a_correction_out_of_the_indicator_bounds_is_refused_at_the_field(
    office: Any, objection: Objection
) -> None:
    data = answer(objection, **{"c0-unit": "HY-MI", "c0-indicator": "D1.3", "c0-value": "1e9"})
    response = client_for(office).post(f"/objections/{objection.pk}/answer/", data)
    html = response.content.decode()
    assert response.status_code == 400 and "D1.3 的数值应在" in html and 'value="1e9"' in html
    assert not Job.objects.exists() and Objection.objects.get().outcome == Objection.Outcome.PENDING


def test_a_half_filled_correction_row_is_refused(office: Any, objection: Objection) -> None:
    data = answer(objection, **{"c0-unit": "HY-MI", "c0-value": "3"})
    response = client_for(office).post(f"/objections/{objection.pk}/answer/", data)
    assert response.status_code == 400 and "更正须同时选择机构、指标并填写数值。" in response.content.decode()


def test_corrections_with_a_rejection_are_refused(office: Any, objection: Objection) -> None:
    data = answer(objection, "rejected", **{"c0-unit": "HY-MI", "c0-indicator": "D1.3", "c0-value": "3"})
    response = client_for(office).post(f"/objections/{objection.pk}/answer/", data)
    assert response.status_code == 400 and "异议不成立时不应填写更正数据" in response.content.decode()
    assert Objection.objects.get().outcome == Objection.Outcome.PENDING


def test_more_correction_rows_keep_what_was_typed(office: Any, objection: Objection) -> None:
    data = {**answer(objection, **{"c0-unit": "HY-MI", "c0-indicator": "D1.3", "c0-value": "7"}), "more": "1"}
    html = client_for(office).post(f"/objections/{objection.pk}/answer/", data).content.decode()
    assert f'name="o{objection.pk}-c5-value"' in html and 'value="7"' in html
    assert not Job.objects.exists()
