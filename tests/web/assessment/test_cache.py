"""Cached results (assessment/cache.py): a new data version after every kind of write, fresh pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from qiangji.web.assessment.cache import cached, data_version
from qiangji.web.assessment.models import Period
from qiangji.web.registry.models import Division, Staff
from tests.web.registry import factories as f

from .helpers import D, user

pytestmark = pytest.mark.django_db


def test_it_gives_a_new_version_after_each_kind_of_write() -> None:
    inst = f.institution("A")
    seen = {data_version()}
    person = f.staff(inst)  # save through the ORM
    seen.add(data_version())
    person.name = "改名"
    person.save()  # an update: same rows and ids, one more audit event
    seen.add(data_version())
    Staff.objects.bulk_create([Staff(institution=inst, name="批量", hired_on=D(2020, 1, 1))])  # no signal
    seen.add(data_version())
    Staff.objects.filter(pk=person.pk)._raw_delete(Staff.objects.db)  # no signal: fewer rows, same max id
    seen.add(data_version())
    inst.divisions.add(_division())  # M2M link table
    seen.add(data_version())
    assert len(seen) == 6
    assert data_version() == data_version()  # reading changes nothing


def _division() -> Division:
    return Division.objects.create(code="D1", name="甲区", kind="district")


def test_it_computes_once_per_version() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached("t", compute) == 1 and cached("t", compute) == 1
    f.institution("B")
    assert cached("t", compute) == 2 and len(calls) == 2
    cache.clear()


def test_the_overview_shows_a_change_at_once() -> None:
    Period.for_code("2024Q1")
    inst = f.institution("A", name="甲县计量检定所（示例）")
    client = Client()
    client.force_login(user("office"))
    first = client.get("/assessment/2024Q1/").content.decode()
    assert "甲县计量检定所（示例）" in first and "持有效注册的检定/校准人员" not in first
    person = f.staff(inst)
    f.registration(person, D(2020, 1, 1), D(2025, 12, 31))
    again = client.get("/assessment/2024Q1/").content.decode()
    assert "持有效注册的检定/校准人员 / 在岗检定/校准人员；1 / 1" in again  # D3.1 now derived
