"""The audit trail: who, when, what, before and after, for every change; append-only everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from qiangji.web.accounts.context import acting_as
from qiangji.web.accounts.models import AuditEvent, AuditImmutableError
from qiangji.web.registry.models import MeasurementStandard, Staff

from .conftest import admin_form_data, client_as


def events(obj: Any) -> list[AuditEvent]:
    label = obj._meta
    return list(
        AuditEvent.objects.filter(
            app_label=label.app_label, model=label.model_name, object_id=str(obj.pk)
        ).order_by("id")
    )


def test_it_records_create_update_and_delete_with_before_and_after(world: dict[str, Any]) -> None:
    with acting_as(world["users"]["reviewer"], source="test"):
        person = Staff.objects.create(institution=world["c1"], name="王五（示例）", hired_on="2021-03-01")
        person.name = "王五五（示例）"
        person.save()
        person.save()  # nothing changed: nothing recorded
        pk = person.pk
        person.delete()
    person.pk = pk
    create, update, delete = events(person)
    assert (create.action, update.action, delete.action) == ("create", "update", "delete")
    assert {create.actor, update.actor, delete.actor} == {"inspector"}
    assert create.before is None and create.after["name"] == "王五（示例）"
    assert update.changed == ["name"]
    assert (update.before["name"], update.after["name"]) == ("王五（示例）", "王五五（示例）")
    assert delete.before["name"] == "王五五（示例）" and delete.after is None


def test_it_records_many_to_many_changes(world: dict[str, Any]) -> None:
    std = MeasurementStandard.objects.create(institution=world["c1"], name="砝码标准装置（示例）")
    std.responsible_staff.add(world["s1"])
    std.responsible_staff.clear()
    added, cleared = [e for e in events(std) if e.action == "m2m"]
    assert added.after == {"responsible_staff": [world["s1"].pk]} and added.before is None
    assert cleared.before == {"responsible_staff": [world["s1"].pk]} and cleared.after is None


def test_it_records_the_request_user_and_ip_of_an_admin_edit(world: dict[str, Any]) -> None:
    s1 = world["s1"]
    c = client_as(world["users"]["reviewer"])
    page = c.get(reverse("admin:registry_staff_change", args=[s1.pk]))
    response = c.post(page.request["PATH_INFO"], admin_form_data(page, name="张三丰（示例）"))
    assert response.status_code == 302, _errors(response)
    last = events(s1)[-1]
    assert (last.actor, last.actor_id, last.ip, last.source) == (
        "inspector",
        world["users"]["reviewer"].pk,
        "127.0.0.1",
        "web",
    )
    assert len(last.request_id) == 32 and last.changed == ["name"]


def _errors(response: Any) -> Any:
    ctx = getattr(response, "context", None)
    if not ctx or "adminform" not in ctx:
        return response.status_code
    return ctx["adminform"].form.errors, [f.formset.errors for f in ctx["inline_admin_formsets"]]


def test_it_never_stores_a_password(world: dict[str, Any]) -> None:
    user = world["users"]["reporter"]
    user.set_password("a-long-unguessable-passphrase")
    user.save()
    last = events(user)[-1]
    assert last.changed == ["password"] and last.after["password"].startswith("***")
    assert "pbkdf2" not in str(last.before) + str(last.after)


def test_it_leaves_no_event_for_a_change_that_rolled_back(world: dict[str, Any]) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Staff.objects.create(institution=world["c1"], name="回滚（示例）", hired_on="2021-03-01")
        raise RuntimeError("import failed")
    assert AuditEvent.objects.count() == before


def test_it_refuses_every_change_of_an_event_in_the_application(world: dict[str, Any]) -> None:
    event = AuditEvent.objects.filter(model="staff").first()
    assert event is not None
    event.actor = "someone-else"
    for attempt in (
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(AuditImmutableError):
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).actor == ""


def test_it_refuses_an_update_in_the_database_itself(world: dict[str, Any]) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE accounts_auditevent SET actor = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor != "forged"


@pytest.mark.postgres_only  # SQLite: Django's test flush deletes rows, so no delete trigger there
def test_it_refuses_a_delete_in_the_database_itself(world: dict[str, Any]) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_shows_the_trail_read_only_in_the_admin(world: dict[str, Any]) -> None:
    event = AuditEvent.objects.filter(model="staff").first()
    assert event is not None
    office = client_as(world["users"]["admin"])
    assert office.get(reverse("admin:accounts_auditevent_changelist") + "?action=create").status_code == 200
    change = reverse("admin:accounts_auditevent_change", args=[event.pk])
    page = office.get(change).content.decode()
    assert 'name="_save"' not in page
    assert office.post(change, {"actor": "forged"}).status_code == 403
    assert (
        office.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert office.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor == event.actor


def test_it_exports_the_filtered_trail_as_csv_and_excel(world: dict[str, Any]) -> None:
    Staff.objects.create(institution=world["c1"], name='=HYPERLINK("http://x")', hired_on="2021-03-01")
    office = client_as(world["users"]["admin"])
    csv = office.get(reverse("admin:accounts_auditevent_csv") + "?action=create&model=staff").content.decode()
    lines = csv.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("id,at,action,actor")
    assert len(lines) == 1 + Staff.objects.count()
    assert "'=HYPERLINK" in csv  # defused: a spreadsheet shows it as text
    xlsx = office.get(reverse("admin:accounts_auditevent_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", actor="office").count() == 2
    assert (
        client_as(world["users"]["reviewer"]).get(reverse("admin:accounts_auditevent_csv")).status_code == 403
    )


def test_it_records_logins_and_failed_logins(world: dict[str, Any]) -> None:
    user = world["users"]["reporter"]
    user.set_password("a-long-unguessable-passphrase")
    user.save()
    c = client_as(None)
    url = reverse("accounts:login")
    c.post(url, {"username": "county1", "password": "wrong-password-123"})
    c.post(url, {"username": "county1", "password": "a-long-unguessable-passphrase"})
    failed, ok = AuditEvent.objects.filter(action__in=["login_failed", "login"]).order_by("id")
    assert (failed.action, failed.actor, failed.ip) == ("login_failed", "county1", "127.0.0.1")
    assert (ok.action, ok.actor_id) == ("login", user.pk)


def test_it_listens_to_every_model_of_the_audited_apps() -> None:
    from django.apps import apps

    from qiangji.web.accounts import audit

    for label in ("registry", "assessment", "publication", "comparisons", "programme", "excel"):
        for model in apps.get_app_config(label).get_models():
            assert audit.is_audited(model), model
            for signal, handler in audit.HANDLERS:
                receivers = signal._live_receivers(model)
                assert handler in [r for group in receivers for r in group] or handler in receivers, model


def test_it_records_bulk_writes_when_asked(world: dict[str, Any]) -> None:
    from qiangji.web.accounts.audit import record_bulk, snapshot

    rows = Staff.objects.bulk_create(
        [Staff(institution=world["c2"], name=f"批量{i}（示例）", hired_on="2022-01-01") for i in range(3)]
    )
    with acting_as(world["users"]["admin"], source="import"):
        created = record_bulk("create", rows)
        before = {r.pk: snapshot(r) for r in rows}
        rows[0].name = "批量改（示例）"
        Staff.objects.bulk_update(rows, ["name"])
        updated = record_bulk("update", rows, before)
    assert [e.action for e in created] == ["create"] * 3 and created[0].actor == "office"
    assert len(updated) == 1 and updated[0].changed == ["name"] and updated[0].source == "import"
