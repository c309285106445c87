"""Writes of the assessment app that send no signals (bulk_create, QuerySet.update) are audited too."""

from __future__ import annotations

import pytest

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.models import FrameworkVersion, Period, SupervisionVisit
from tests.web.registry import factories as f

from .helpers import D

pytestmark = pytest.mark.django_db


def test_a_new_visit_records_each_checklist_item_created() -> None:
    visit = SupervisionVisit.create_with_checklist(
        period=Period.for_code("2024Q1"), institution=f.institution("A"), visited_on=D(2024, 3, 1),
        inspectors="王某（示例）",
    )  # fmt: skip
    items = {str(i.pk): i for i in visit.items.all()}
    events = AuditEvent.objects.filter(app_label="assessment", model="checklistitem", action="create")
    assert items and {e.object_id for e in events} == set(items)
    for e in events:
        item = items[e.object_id]
        assert e.before is None and e.after["visit_id"] == visit.pk and e.after["text"] == item.text
    assert AuditEvent.objects.filter(model="supervisionvisit", object_id=str(visit.pk)).exists()


def test_freezing_a_framework_version_is_recorded_once() -> None:
    fv = FrameworkVersion.objects.get(version="2025.1").new_version("2025.2")
    fv.mark_used()
    fv.mark_used()  # idempotent: no second event
    events = AuditEvent.objects.filter(
        app_label="assessment", model="frameworkversion", object_id=str(fv.pk), action="update"
    )
    assert events.count() == 1
    (event,) = events
    assert event.changed == ["used_at"] and event.before["used_at"] is None
    assert event.after["used_at"] is not None
