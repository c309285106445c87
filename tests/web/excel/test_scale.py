"""100,000 certificates through the column import, on SQLite and PostgreSQL alike (correctness, not time:
the times are benchmarks/bench_import.py's): stored with their links, imported again without a write, and
a changed file with one bad last row leaving everything as it was."""

from __future__ import annotations

import io

import pytest

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.excel.importer import import_workbook
from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, reference_registry
from qiangji.web.registry import models as m

pytestmark = pytest.mark.django_db
CERTS = "verification_certificate"
N = 100_000


def load(rows: list[list[str]]):
    return import_workbook(io.BytesIO(certificate_csv(rows)), table=CERTS, name="certs.csv")


def test_it_imports_100000_certificates_then_changes_nothing_the_second_time() -> None:
    reference_registry()
    rows = list(certificate_rows(N))
    first = load(rows)
    assert first.ok and first.counts() == {CERTS: {"created": N, "updated": 0, "unchanged": 0}}
    assert m.VerificationCertificate.objects.count() == N
    assert m.VerificationCertificate.standards.through.objects.count() == 2 * N
    last = m.VerificationCertificate.objects.get(cert_no=f"ZS-{N - 1:08d}")
    assert (last.institution.code, last.verifier.staff_no, str(last.humidity_pct)) == ("SY09", "009", "55.0")
    assert sorted(s.assessment_cert_no for s in last.standards.all()) == [
        "[2020]示例标字第SY09-3号", "[2020]示例标字第SY09-4号"]  # fmt: skip
    stamps = m.VerificationCertificate.objects.order_by("pk").values_list("updated_at", flat=True)[:: N // 10]
    events = AuditEvent.objects.count()

    again = load(rows)
    assert again.ok and again.counts() == {CERTS: {"created": 0, "updated": 0, "unchanged": N}}
    assert AuditEvent.objects.count() == events
    assert list(
        m.VerificationCertificate.objects.order_by("pk").values_list("updated_at", flat=True)[:: N // 10]
    ) == list(stamps)

    rows[0][6] = "改名后的企业（示例）"  # 送检单位 of the first row: would be an update
    rows[-1][5] = "2023-01-01"  # 有效期至 of the last row before its 检定日期: refused
    refused = load(rows)
    (error,) = refused.errors
    assert (error.row, error.column, error.rule) == (N + 1, "F", "有效期至必须晚于检定日期。")
    assert refused.counts() == {}
    assert m.VerificationCertificate.objects.get(cert_no="ZS-00000000").client == "示例企业0"
    assert m.VerificationCertificate.objects.count() == N and AuditEvent.objects.count() == events
