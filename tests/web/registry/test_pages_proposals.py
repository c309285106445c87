"""A county proposes corrections to its own registry; the city accepts (applied, audited) or rejects."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.inbox.models import Notification
from qiangji.web.registry.models import InstrumentCertificate, MeasurementStandard, RegistryProposal, Staff
from tests.web.registry.pages_world import DAY, TODAY, client_as

NEW_STAFF = {
    "name": "周九（示例）", "staff_no": "A009", "title": "intermediate", "is_technical": "on",
    "is_verification": "on", "hired_on": "2025-03-01", "note": "2025年3月入职，见人事文件（示例）",
}  # fmt: skip


def propose_url(kind: str, pk: int | None = None, code: str = "C1", retire: bool = False) -> str:
    if pk is None:
        return reverse("registry:propose", args=[code, kind])
    return reverse("registry:propose_retire" if retire else "registry:propose_change", args=[code, kind, pk])


def standard_data(std: MeasurementStandard, **changes: Any) -> dict[str, Any]:
    data = {
        "name": std.name, "jjf1022_code": std.jjf1022_code, "is_public": "on",
        "assessment_cert_no": std.assessment_cert_no,
        "assessment_issued_on": std.assessment_issued_on.isoformat(),
        "assessment_expires_on": std.assessment_expires_on.isoformat(), "status": std.status,
        "responsible_staff": [p.pk for p in std.responsible_staff.all()],
    }  # fmt: skip
    data.update(changes)
    return data


def decide(world: dict[str, Any], p: RegistryProposal, verb: str, who: str = "reviewer", **data: Any) -> Any:
    return client_as(world["users"][who]).post(reverse(f"registry:{verb}", args=[p.pk]), data)


def test_a_new_staff_member_is_proposed_then_accepted_applied_and_audited(world: dict[str, Any]) -> None:
    reporter = client_as(world["users"]["reporter"])
    response = reporter.post(propose_url("staff"), NEW_STAFF)
    p = RegistryProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:proposal", args=[p.pk])
    assert p.status == "pending" and p.action == "create" and p.values["name"] == "周九（示例）"
    assert not Staff.objects.filter(name="周九（示例）").exists()  # nothing changes before the city decides
    page = (
        client_as(world["users"]["reviewer"]).get(reverse("registry:proposal", args=[p.pk])).content.decode()
    )
    assert "周九（示例）" in page and "中级" in page and 'id="accept"' in page

    assert decide(world, p, "accept").status_code == 302
    p.refresh_from_db()
    person = Staff.objects.get(name="周九（示例）")
    assert (
        person.institution == world["c1"] and person.is_verification and str(person.hired_on) == "2025-03-01"
    )
    assert p.status == "accepted" and p.reviewed_by == world["users"]["reviewer"] and p.object_id == person.pk
    assert p.proposed_by == world["users"]["reporter"] and p.reviewed_at is not None
    created = AuditEvent.objects.get(action="create", model="staff", object_id=str(person.pk))
    decided = AuditEvent.objects.filter(model="registryproposal", object_id=str(p.pk), action="update").get()
    assert created.actor == decided.actor == "inspector" and created.request_id == decided.request_id
    note = Notification.objects.get(recipient=world["users"]["reporter"])
    assert note.kind == "proposal_decided" and "已采纳" in note.subject
    assert note.link == reverse("registry:proposal", args=[p.pk])


def test_a_changed_standard_expiry_stores_only_the_change_and_is_applied(world: dict[str, Any]) -> None:
    std = world["std"]
    new_expiry = (TODAY + 1500 * DAY).isoformat()
    reporter = client_as(world["users"]["reporter"])
    page = reporter.get(propose_url("standard", std.pk)).content.decode()
    assert std.assessment_cert_no in page  # the form starts from the stored values
    reporter.post(propose_url("standard", std.pk), standard_data(std, assessment_expires_on=new_expiry))
    p = RegistryProposal.objects.get()
    assert p.values == {"assessment_expires_on": new_expiry}
    assert p.before == {"assessment_expires_on": std.assessment_expires_on.isoformat()}
    decide(world, p, "accept", who="admin")
    std.refresh_from_db()
    assert std.assessment_expires_on.isoformat() == new_expiry
    assert sorted(std.responsible_staff.values_list("name", flat=True)) == ["王五（示例）", "赵六（示例）"]


def test_invalid_values_are_refused_with_field_messages_and_nothing_is_stored(world: dict[str, Any]) -> None:
    reporter = client_as(world["users"]["reporter"])
    response = reporter.post(propose_url("staff"), {**NEW_STAFF, "left_on": "2024-01-01"})
    assert response.status_code == 200
    assert (
        'data-field="left_on"' in response.content.decode()
        and "离职日期不能早于入职日期" in response.content.decode()
    )
    std = world["std"]
    one = standard_data(std, responsible_staff=[world["wang"].pk], assessment_expires_on="2019-01-01")
    text = reporter.post(propose_url("standard", std.pk), one).content.decode()
    assert "至少需要2名负责人员" in text
    unchanged = reporter.post(propose_url("standard", std.pk), standard_data(std)).content.decode()
    assert "没有任何修改" in unchanged
    assert not RegistryProposal.objects.exists()


def test_acceptance_rechecks_the_row_as_it_is_now(world: dict[str, Any]) -> None:
    wang = world["wang"]
    reporter = client_as(world["users"]["reporter"])
    reporter.post(propose_url("staff", wang.pk, retire=True), {"left_on": "2025-06-30"})
    p = RegistryProposal.objects.get()
    assert p.action == "retire" and p.values == {"left_on": "2025-06-30"}
    Staff.objects.filter(pk=wang.pk).update(hired_on="2025-07-01")  # the city corrected the hiring date
    response = decide(world, p, "accept")
    assert response.status_code == 400
    assert "离职日期：离职日期不能早于入职日期。" in response.content.decode()
    p.refresh_from_db()
    wang.refresh_from_db()
    assert p.status == "pending" and wang.left_on is None
    Staff.objects.filter(pk=wang.pk).update(hired_on="2015-01-01", left_on="2025-05-31")
    conflict = decide(world, p, "accept").content.decode()
    assert "提出申请后该字段已被修改" in conflict


def test_a_rejection_needs_a_reason_and_tells_the_proposer(world: dict[str, Any]) -> None:
    client_as(world["users"]["reporter"]).post(propose_url("staff"), NEW_STAFF)
    p = RegistryProposal.objects.get()
    assert decide(world, p, "reject", reason="  ").status_code == 400
    assert decide(world, p, "reject", reason="未附人事文件，请补充后重新提出。").status_code == 302
    p.refresh_from_db()
    assert p.status == "rejected" and p.reason == "未附人事文件，请补充后重新提出。"
    assert not Staff.objects.filter(name="周九（示例）").exists()
    note = Notification.objects.get(recipient=world["users"]["reporter"])
    assert "未采纳" in note.subject and "未附人事文件" in note.body
    assert decide(world, p, "accept", who="admin").status_code == 400  # decided once only


def test_a_reporter_cannot_propose_for_another_institution_or_decide(world: dict[str, Any]) -> None:
    reporter = client_as(world["users"]["reporter"])
    assert reporter.post(propose_url("staff", code="C2"), NEW_STAFF).status_code == 403
    other = world["c2"].staff.get()
    assert reporter.post(propose_url("staff", other.pk), {**NEW_STAFF, "name": "改名"}).status_code == 403
    sneaky = {"staff": other.pk, "level": 2, "qualification_cert_no": "Q", "registration_no": "R",
              "valid_from": "2025-01-01", "valid_to": "2029-12-31"}  # fmt: skip
    text = reporter.post(propose_url("registration"), sneaky).content.decode()
    assert 'data-field="staff"' in text  # another institution's staff is no valid choice
    reporter.post(propose_url("staff"), NEW_STAFF)
    p = RegistryProposal.objects.get()
    assert decide(world, p, "accept", who="reporter").status_code == 403
    assert decide(world, p, "reject", who="reporter", reason="x").status_code == 403
    other_reporter = client_as(world["users"]["other_reporter"])
    assert other_reporter.get(reverse("registry:proposal", args=[p.pk])).status_code == 403
    assert "周九" not in other_reporter.get(reverse("registry:proposals")).content.decode()
    p.refresh_from_db()
    assert p.status == "pending"


def test_leadership_reads_proposals_but_changes_nothing(world: dict[str, Any]) -> None:
    client_as(world["users"]["reporter"]).post(propose_url("staff"), NEW_STAFF)
    p = RegistryProposal.objects.get()
    boss = client_as(world["users"]["leadership"])
    page = boss.get(reverse("registry:proposal", args=[p.pk]))
    assert page.status_code == 200 and 'id="accept"' not in page.content.decode()
    assert "周九" in boss.get(reverse("registry:proposals")).content.decode()
    assert boss.post(propose_url("staff"), NEW_STAFF).status_code == 403
    assert decide(world, p, "accept", who="leadership").status_code == 403
    p.refresh_from_db()
    assert p.status == "pending" and RegistryProposal.objects.count() == 1


def test_a_retirement_without_retirement_fields_deletes_the_row(world: dict[str, Any]) -> None:
    cert = InstrumentCertificate.objects.filter(instrument__standard=world["std"]).get()
    client_as(world["users"]["reporter"]).post(
        propose_url("instrument-certificate", cert.pk, retire=True), {"note": "证书编号录入错误"}
    )
    p = RegistryProposal.objects.get()
    assert p.action == "retire" and p.values == {}
    decide(world, p, "accept")
    assert not InstrumentCertificate.objects.filter(pk=cert.pk).exists()
    assert AuditEvent.objects.filter(action="delete", model="instrumentcertificate").count() == 1


def test_a_withdrawn_standard_keeps_its_row(world: dict[str, Any]) -> None:
    std = world["std"]
    since = (TODAY - DAY).isoformat()
    reporter = client_as(world["users"]["reporter"])
    refused = reporter.post(
        propose_url("standard", std.pk, retire=True), {"status": "in_use", "status_since": since}
    )
    assert 'data-field="status"' in refused.content.decode()
    reporter.post(
        propose_url("standard", std.pk, retire=True), {"status": "withdrawn", "status_since": since}
    )
    decide(world, RegistryProposal.objects.get(), "accept")
    std.refresh_from_db()
    assert std.status == "withdrawn" and str(std.status_since) == since
