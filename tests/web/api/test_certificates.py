"""Certificate batches pushed by an institution's system: accepted, replayed, refused as a whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qiangji.web.accounts.models import AuditEvent, Role
from qiangji.web.api.models import CertificatePush
from qiangji.web.excel.models import ImportBatch
from qiangji.web.excel.synthetic import COLUMNS, certificate_rows, reference_registry
from qiangji.web.registry.models import Institution, VerificationCertificate
from tests.web.api.conftest import Caller, caller, make_user

pytestmark = pytest.mark.django_db
NAMES = {
    "institution.code": "institution", "mv_item.level1_no": "mv_item_level1",
    "mv_item.level2_no": "mv_item_level2", "regulation.code": "regulation",
    "standards.assessment_cert_no": "standards", "verifier.staff_no": "verifier",
    "checker.staff_no": "checker", "approver.staff_no": "approver",
}  # fmt: skip


def certificates(n: int, institution: str = "SY00", start: int = 0) -> list[dict[str, Any]]:
    """``n`` clean certificates of ``institution`` as a LIMS sends them (the import template's values)."""
    out = []
    for k, row in enumerate(certificate_rows(start + n, prefix=institution)):
        if k < start:
            continue
        item = {NAMES.get(path, path): value for path, value in zip(COLUMNS, row, strict=True)}
        item["institution"] = institution
        item["standards"] = [s.replace(row[0], institution) for s in item["standards"].split("、")]
        out.append(item)
    return out


def push(who: Caller, body: Any, key: str | None = "lims-2025-03-01") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {who.token}"} | ({"Idempotency-Key": key} if key else {})
    response = who.client.post(
        "/api/v1/certificates/batches",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    return response.status_code, response.json()


@pytest.fixture
def lims(db: None) -> dict[str, Caller]:
    reference_registry()
    return {
        "county": caller(make_user("rep_sy00", Role.REPORTER, Institution.objects.get(code="SY00"))),
        "reviewer": caller(make_user("reviewer_c", Role.REVIEWER)),
        "leader": caller(make_user("leader_c", Role.LEADERSHIP)),
    }


def test_it_stores_a_batch_and_answers_with_the_counts(lims: dict[str, Caller]) -> None:
    status, body = push(lims["county"], {"certificates": certificates(25)})
    assert status == 200, body
    assert (body["created"], body["updated"], body["unchanged"], body["warnings"]) == (25, 0, 0, [])
    cert = VerificationCertificate.objects.get(cert_no="SY00-00000007")
    assert (cert.institution.code, cert.verifier.staff_no, cert.standards.count()) == ("SY00", "007", 2)
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert (batch.source, batch.status, batch.uploaded_by.username) == ("api", "succeeded", "rep_sy00")
    assert batch.file.name.endswith(".json") and len(batch.sha256) == 64


def test_the_same_key_and_body_is_answered_again_without_a_second_write(lims: dict[str, Caller]) -> None:
    batch = {"certificates": certificates(10)}
    first = push(lims["county"], batch)
    events, batches = AuditEvent.objects.count(), ImportBatch.objects.count()
    assert push(lims["county"], batch) == first
    assert (AuditEvent.objects.count(), ImportBatch.objects.count()) == (events, batches)
    assert VerificationCertificate.objects.count() == 10 and CertificatePush.objects.count() == 1
    changed = {"certificates": certificates(10)}
    changed["certificates"][3]["client"] = "另一家企业（示例）"
    status, body = push(lims["county"], changed)
    assert status == 409 and "lims-2025-03-01" in body["error"]
    assert not VerificationCertificate.objects.filter(client="另一家企业（示例）").exists()
    status, body = push(lims["county"], changed, key="lims-2025-03-01-bis")  # a new key: the change goes in
    assert status == 200 and (body["created"], body["updated"], body["unchanged"]) == (0, 1, 9)
    update = AuditEvent.objects.get(action="update")
    assert (update.before["client"], update.after["client"]) == ("示例企业3", "另一家企业（示例）")


def test_a_certificate_of_another_institution_refuses_the_whole_batch(lims: dict[str, Caller]) -> None:
    items = certificates(6)
    items[4] = certificates(1, institution="SY01", start=4)[0]
    status, body = push(lims["county"], {"certificates": items})
    assert status == 403
    assert body["problems"] == [
        {"index": 4, "row": 6, "field": "institution", "value": "SY01",
         "rule": "令牌所属用户不能推送机构 SY01 的证书：整批未导入"},
    ]  # fmt: skip
    assert "第 4 条" in body["error"] and "institution" in body["error"]
    assert not VerificationCertificate.objects.exists() and not CertificatePush.objects.exists()
    assert ImportBatch.objects.get().status == "failed"  # the refused attempt is kept as evidence
    status, body = push(lims["reviewer"], {"certificates": items})  # the city may push any institution's
    assert status == 200 and body["created"] == 6


def test_bad_rows_are_named_and_nothing_is_stored(lims: dict[str, Caller]) -> None:
    items = certificates(8)
    items[2]["verified_on"] = "2024-02-30"
    items[5]["verifier"] = "999"
    items[6]["kind"] = "检定结果通知书"  # a notice with a validity date and the conclusion 合格
    status, body = push(lims["county"], {"certificates": items})
    assert status == 422
    found = [(p["index"], p["row"], p["field"], p["value"], p["rule"]) for p in body["problems"]]
    assert found[:2] == [
        (2, 4, "verified_on", "2024-02-30", "不是有效的日期"),
        (5, 7, "verifier", "999", "未找到人员"),
    ]
    assert {(p["index"], p["field"]) for p in body["problems"][2:]} == {(6, "valid_until"), (6, "conclusion")}
    assert body["error"].startswith("共 4 处错误，整批未导入")
    assert not VerificationCertificate.objects.exists() and not CertificatePush.objects.exists()
    items[2]["verified_on"], items[5]["verifier"], items[6]["kind"] = "2024-02-28", "005", "检定证书"
    status, body = push(lims["county"], {"certificates": items})  # corrected, under the same key
    assert status == 200 and body["created"] == 8


@pytest.mark.parametrize(("field", "value"), [("temperature_c", "2\x000"), ("standards", ["\x00"])])
def test_a_nul_character_is_refused_as_bad_input(lims: dict[str, Caller], field: str, value: Any) -> None:
    """PostgreSQL holds no NUL in text or JSON: a value with one is a 422 naming the field, never a 500
    (schemathesis found it: a text "number" reached the import and its problem could not be kept)."""
    items = certificates(2)
    items[1][field] = value
    status, body = push(lims["county"], {"certificates": items})
    assert status == 422, body
    assert field in json.dumps(body, ensure_ascii=False)
    assert not VerificationCertificate.objects.exists()


def test_a_kept_problem_may_quote_a_nul_character(db: None) -> None:
    """The evidence of an attempt is kept whatever the refused value held (a CSV cell may hold a NUL)."""
    from qiangji.web.excel.evidence import keep_batch

    problem = {
        "sheet": "证书",
        "row": 2,
        "column": "仪器名称",
        "value": "a\x00b",
        "rule": "示例",
        "level": "error",
    }
    batch = keep_batch(b"x", name="c.csv", table="verification_certificate", source="cli", user=None,
                       problems=[problem], actor="test")  # fmt: skip
    batch.refresh_from_db()
    assert batch.problems[0]["value"] == "a\\x00b" and batch.status == ImportBatch.Status.FAILED


def test_it_refuses_an_oversized_batch_a_missing_key_and_leadership(lims: dict[str, Caller]) -> None:
    status, body = push(lims["county"], {"certificates": [{"cert_no": f"X{k}"} for k in range(10_001)]})
    assert status == 422 and body["error"] == "certificates: 至多 10000 项"
    status, body = push(lims["county"], {"certificates": certificates(1)}, key=None)
    assert status == 422 and "Idempotency-Key" in body["error"]
    status, body = push(lims["leader"], {"certificates": certificates(1)})
    assert status == 403
    assert not VerificationCertificate.objects.exists()
