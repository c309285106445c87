"""From a C3/C4 score on the scorecard to the failing certificates (issue 16 point 6).

The scorecard shows the office and the institution's own reporters a link per C3/C4 indicator (never the
public, leadership or another county); the page lists each failure with rule, field and the registry's
facts as of the certificate's date; the workbook holds the same rows, opened here with openpyxl.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.registry.models import Institution, VerificationCertificate
from tests.web.accounts.conftest import make_user
from tests.web.registry import factories as f

D = f.D
pytestmark = pytest.mark.django_db
UNIT = "JJ-MI"


@pytest.fixture
def certificates(published: Any) -> dict[str, VerificationCertificate]:
    """Three JJ-MI certificates of 2025Q2: one traceable, one with an expired standard and no record
    number, one whose verifier also checked it; and one of LQ-MI, which JJ-MI's list never shows."""
    inst = Institution.objects.get(code=UNIT)
    std = f.standard(inst, assessment_issued_on=D(2021, 1, 1), assessment_expires_on=D(2025, 4, 30))
    regulation = f.regulation("JJG 539-2016", D(2016, 11, 30), max_interval_months=12)
    signatory = f.staff(inst, is_authorised_signatory=True)
    verifier, checker = f.staff(inst, name="李检定"), f.staff(inst)
    f.registration(verifier, D(2020, 1, 1), D(2029, 12, 31))
    made = {}
    for key, day, record, who_checks in (
        ("ok", D(2025, 4, 20), "YS-1", checker),
        ("expired", D(2025, 5, 10), "", checker),
        ("same", D(2025, 4, 25), "YS-3", verifier),
    ):
        c = f.certificate(
            inst, cert_no=f"JJ-{key}", verified_on=day, valid_until=day.replace(year=2026) - D.resolution,
            regulation=regulation, verifier=verifier, checker=who_checks, approver=signatory,
            record_no=record, temperature_c=20, humidity_pct=50,
        )  # fmt: skip
        c.save()
        c.standards.add(std)
        made[key] = c
    other = Institution.objects.get(code="LQ-MI")
    f.certificate(
        other, cert_no="LQ-1", verified_on=D(2025, 5, 10), valid_until=D(2026, 5, 9), regulation=regulation
    ).save()
    return made


def _client(client: Any, role: str | None, inst_code: str | None = None) -> Any:
    if role is not None:
        inst = Institution.objects.get(code=inst_code) if inst_code else None
        client.force_login(make_user(f"u-{role}-{inst_code}", role, inst))
    return client


def page(client: Any, indicator: str = "C3.1") -> Any:
    return client.get(f"/assessment/2025Q2/certificates/{UNIT}/?indicator={indicator}")


@pytest.mark.parametrize(
    ("role", "inst", "shown"),
    [("admin", None, True), ("reviewer", None, True), ("reporter", UNIT, True), ("reporter", "LQ-MI", False),
     ("leadership", None, False), (None, None, False)],
)  # fmt: skip
def test_it_links_c3_c4_scores_only_for_the_office_and_the_institution(
    client, certificates, role, inst, shown
) -> None:
    html = _client(client, role, inst).get(f"/rankings/2025Q2/{UNIT}/").content.decode()
    assert ('id="audit-links"' in html) is shown
    if shown:
        for code in ("C3.1", "C3.3", "C4.1", "C4.2", "C4.3", "C4.4"):
            assert f"/assessment/2025Q2/certificates/{UNIT}/?indicator={code}" in html


@pytest.mark.parametrize(
    ("role", "inst", "status"),
    [("admin", None, 200), ("reviewer", None, 200), ("reporter", UNIT, 200), ("reporter", "LQ-MI", 403),
     ("leadership", None, 403)],
)  # fmt: skip
def test_only_the_office_and_the_institution_open_the_list(client, certificates, role, inst, status) -> None:
    c = _client(client, role, inst)
    assert page(c).status_code == status
    url = f"/assessment/2025Q2/certificates/{UNIT}/failures.xlsx?indicator=C3.1"
    assert c.get(url).status_code == status


def test_the_public_is_sent_to_sign_in(client, certificates) -> None:
    response = page(client)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(f"/assessment/2025Q2/certificates/{UNIT}/failures.xlsx").status_code == 302


def test_it_lists_each_failure_with_rule_field_and_the_facts_on_its_date(client, certificates) -> None:
    html = page(_client(client, "reporter", UNIT)).content.decode()
    assert "JJ-ok" not in html and "LQ-1" not in html
    assert "不符合 3 项" in html  # TR-1 and TR-7 of JJ-expired, TR-3 of JJ-same
    assert "计量标准" in html and "在检定日期没有有效的考核证书" in html
    assert "2021-01-01～2025-04-30" in html  # the standard's assessment certificate, against 2025-05-10
    assert "原始记录编号" in html and "未填写原始记录编号。" in html
    assert "检定员 李检定，核验员 李检定" in html and "三个不同的人" in html


def test_each_indicator_lists_only_the_rules_it_counts(client, certificates) -> None:
    c = _client(client, "admin")
    c33 = page(c, "C3.3").content.decode()
    assert "JJ-same" in c33 and "JJ-expired" not in c33
    c41 = page(c, "C4.1").content.decode()  # data elements: the missing record number only
    assert "不符合 1 项" in c41 and "未填写原始记录编号。" in c41 and "考核证书" not in c41
    assert "没有不符合项" in page(c, "C4.3").content.decode()
    assert page(c, "D1.1").status_code == 404


def test_the_workbook_holds_the_same_rows_as_text(client, certificates) -> None:
    c = _client(client, "reviewer")
    response = c.get(f"/assessment/2025Q2/certificates/{UNIT}/failures.xlsx?indicator=C3.1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["不符合证书"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("证书编号", "检定日期", "器具名称", "规则", "字段", "问题", "检定日期当时的登记情况")
    got = {(r[0], r[3], r[4]) for r in rows[1:]}
    assert got == {("JJ-expired", "TR-1", "所用计量标准"), ("JJ-expired", "TR-7", "原始记录编号"),
                   ("JJ-same", "TR-3", "核验员")}  # fmt: skip
    expired = next(r for r in rows[1:] if r[3] == "TR-1")
    assert expired[1].date() == D(2025, 5, 10) and "2021-01-01～2025-04-30" in expired[6]
    about = dict(wb["说明"].iter_rows(values_only=True))
    assert about["指标"] == "C3.1" and about["不符合项"] == 3
    assert AuditEvent.objects.filter(model="page:certificate_failures", action="export").count() == 1
