"""Two faults of `service.answer_objection` found while building the pages on it (each test fails on the
code as it was): a period published before the lifecycle (no framework version of its own) was corrected
with the newest framework version instead of its run's; and an objection instance read before someone else
answered it could be answered a second time, overwriting the first answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from qiangji.web.assessment.models import Period
from qiangji.web.publication import service, workflow
from qiangji.web.publication.models import Objection
from qiangji.web.publication.runs import create_run
from tests.web.publication.publishing import locked_period, person

pytestmark = pytest.mark.django_db


def test_a_correction_uses_the_framework_version_of_the_run_in_notice(institutions: Any, fv: Any) -> None:
    period = locked_period(fv, institutions, person("reviewer1", "reviewer"))
    Period.objects.filter(pk=period.pk).update(
        framework_version=None
    )  # as a period from before the lifecycle
    period.refresh_from_db()
    run = create_run(period, fv, service.period_inputs(period), seed=1, runs=50)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, timezone.localdate())
    fv.new_version("2099.1", note="newer (test)")  # now the newest: what a period without its own would take
    obj = service.lodge_objection(period, text="有误（示例）", submitted_by="张某（示例）")
    done = service.answer_objection(obj, outcome=Objection.Outcome.UPHELD, reply="更正（示例）")
    corrected = done.corrected_run
    assert corrected is not None and corrected.framework_version == fv
    assert json.loads(corrected.inputs_json)["framework_version"] == fv.version


def test_a_stale_objection_cannot_be_answered_twice(institutions: Any, fv: Any) -> None:
    period = locked_period(fv, institutions, person("reviewer1", "reviewer"))
    service.compute(period, runs=50, seed=1)
    service.start_notice(period, start=timezone.localdate())
    stale = service.lodge_objection(period, text="有误（示例）", submitted_by="张某（示例）")
    service.answer_objection(
        Objection.objects.get(pk=stale.pk), outcome="rejected", reply="第一次答复（示例）"
    )
    with pytest.raises(workflow.WorkflowError, match="已处理"):
        service.answer_objection(stale, outcome="rejected", reply="第二次答复（示例）")
    assert Objection.objects.get(pk=stale.pk).reply == "第一次答复（示例）"
