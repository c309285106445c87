"""Optimistic locking: the second of two edits of the same version is refused, the first one kept."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse

from qiangji.web.accounts.locking import EditConflict, VersionedModelForm, check_version, version_token
from qiangji.web.registry.models import Staff

from .conftest import admin_form_data, client_as


class StaffForm(VersionedModelForm):
    class Meta:
        model = Staff
        fields = ["name"]


def test_it_refuses_the_second_of_two_admin_edits_and_keeps_the_first(world: dict[str, Any]) -> None:
    s1 = world["s1"]
    url = reverse("admin:registry_staff_change", args=[s1.pk])
    alice, bob = client_as(world["users"]["reviewer"]), client_as(world["users"]["admin"])
    alice_page, bob_page = alice.get(url), bob.get(url)
    assert bob.post(url, admin_form_data(bob_page, name="鲍勃改（示例）")).status_code == 302
    refused = alice.post(url, admin_form_data(alice_page, name="爱丽丝改（示例）"))
    assert refused.status_code == 200
    assert "保存被拒绝" in refused.content.decode() and "对方的修改已保留" in refused.content.decode()
    assert Staff.objects.get(pk=s1.pk).name == "鲍勃改（示例）"
    again = alice.get(url)  # reopened: the current version, which saves
    assert alice.post(url, admin_form_data(again, name="爱丽丝改（示例）")).status_code == 302
    assert Staff.objects.get(pk=s1.pk).name == "爱丽丝改（示例）"


def test_it_refuses_a_page_form_based_on_a_stale_version(world: dict[str, Any]) -> None:
    s1 = world["s1"]
    first, second = StaffForm(instance=s1), StaffForm(instance=Staff.objects.get(pk=s1.pk))
    token = first["_version"].value()
    assert token == second["_version"].value() == version_token(s1)
    saved = StaffForm({"name": "甲（示例）", "_version": token}, instance=Staff.objects.get(pk=s1.pk))
    assert saved.is_valid(), saved.errors
    saved.save()
    stale = StaffForm({"name": "乙（示例）", "_version": token}, instance=Staff.objects.get(pk=s1.pk))
    assert not stale.is_valid()
    assert "保存被拒绝" in str(stale.non_field_errors())
    assert Staff.objects.get(pk=s1.pk).name == "甲（示例）"


def test_it_offers_check_version_to_the_api(world: dict[str, Any]) -> None:
    s1 = world["s1"]
    token = version_token(s1)
    with transaction.atomic():
        check_version(s1, token)
        s1.name = "丙（示例）"
        s1.save()
    for submitted in (token, "", None):
        with pytest.raises(EditConflict) as refused, transaction.atomic():
            check_version(s1, submitted)
        assert refused.value.code == "conflict" and "保存被拒绝" in refused.value.messages[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only  # concurrent writers need a server database
def test_it_lets_exactly_one_of_two_simultaneous_edits_win() -> None:
    from qiangji.web.registry.models import Institution

    inst = Institution.objects.create(code="C9", name="并发（示例）", level=Institution.Level.COUNTY)
    person = Staff.objects.create(institution=inst, name="原值（示例）", hired_on="2020-01-01")
    token = version_token(person)
    barrier, outcomes = threading.Barrier(2), []

    def edit(name: str) -> None:
        obj = Staff.objects.get(pk=person.pk)
        barrier.wait()
        try:
            with transaction.atomic():
                check_version(obj, token)
                obj.name = name
                obj.save()
            outcomes.append(name)
        except EditConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("甲（示例）", "乙（示例）")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=lambda o: o == "conflict")[1] == "conflict"
    winner = next(o for o in outcomes if o != "conflict")
    assert Staff.objects.get(pk=person.pk).name == winner


def test_it_refuses_a_stale_reporting_form_and_keeps_the_other_value(world: dict[str, Any]) -> None:
    from qiangji.web.assessment.models import ReportedValue
    from tests.web.assessment.helpers import open_now

    open_now("2024Q1")
    url = "/assessment/2024Q1/report/C1/"
    county, office = client_as(world["users"]["reporter"]), client_as(world["users"]["reviewer"])
    assert county.post(url, {"D1.3-value": "5", "action": "save", "D1.3-version": ""}).status_code == 302
    shown = {r.node.code: r.form["version"].value() for r in county.get(url).context["rows"]}
    assert office.get(url).status_code == 200
    office.post(url, {"D1.3-value": "6", "action": "save", "D1.3-version": shown["D1.3"]})
    page = county.post(url, {"D1.3-value": "7", "action": "save", "D1.3-version": shown["D1.3"]})
    assert page.status_code == 400 and "保存被拒绝" in page.content.decode()
    assert ReportedValue.objects.get(institution=world["c1"], indicator="D1.3").value == 6


@pytest.mark.django_db
def test_it_marks_a_stale_form_with_the_conflict_code() -> None:
    """Views tell a lost update from other errors by the error code, so the code must survive."""
    from qiangji.web.accounts.locking import VersionedModelForm
    from qiangji.web.registry.models import Division

    class DivisionForm(VersionedModelForm):
        class Meta:
            model = Division
            fields = ["name"]

    division = Division.objects.create(code="ZZ", name="某区（示例）", kind="district")
    stale = DivisionForm(instance=division).initial
    Division.objects.filter(pk=division.pk).update(name="另一人的修改（示例）")
    form = DivisionForm({**stale, "name": "我的修改（示例）"}, instance=Division.objects.get(pk=division.pk))
    assert not form.is_valid()
    assert form.has_error("__all__", "conflict")
    assert Division.objects.get(pk=division.pk).name == "另一人的修改（示例）"
