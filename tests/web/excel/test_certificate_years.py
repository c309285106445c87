"""Certificate numbers across years in the import, the same on SQLite and on PostgreSQL's table partitioned
by year (registry migration 0007): the same number twice in a file is refused whatever the years, and a
re-import that changes a certificate's year updates it (on PostgreSQL: moves it to that year's partition)
with its links."""

from __future__ import annotations

import io

import pytest

from qiangji.web.excel.importer import import_workbook
from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, reference_registry
from qiangji.web.registry import models as m

pytestmark = pytest.mark.django_db
CERTS = "verification_certificate"


def imported(rows: list[list[str]]):
    return import_workbook(io.BytesIO(certificate_csv(rows)), table=CERTS, name="certs.csv")


def test_it_refuses_the_same_number_in_two_years() -> None:
    reference_registry()
    rows = list(certificate_rows(3))
    rows[2][:2] = rows[0][:2]  # institution and number of the first row
    rows[2][4], rows[2][5] = "2025-03-01", "2026-02-28"  # verified a year later
    result = imported(rows)
    (error,) = result.errors
    inst = m.Institution.objects.get(code="SY00")  # the message names it by id (the importer's key text)
    assert (error.row, error.rule) == (4, f"与第2行重复（同一文件内键值重复：{inst.pk} / ZS-00000000）")
    assert not m.VerificationCertificate.objects.exists()


def test_a_certificate_imported_again_with_another_year_is_updated_with_its_links() -> None:
    reference_registry()
    rows = list(certificate_rows(3))
    assert imported(rows).ok
    cert = m.VerificationCertificate.objects.get(cert_no="ZS-00000001")
    links = sorted(cert.standards.values_list("pk", flat=True))
    rows[1][4], rows[1][5] = "2025-01-02", "2026-01-01"
    result = imported(rows)
    assert result.ok and result.counts()[CERTS] == {"created": 0, "updated": 1, "unchanged": 2}
    moved = m.VerificationCertificate.objects.get(pk=cert.pk)
    assert (moved.cert_no, moved.verified_on.isoformat()) == ("ZS-00000001", "2025-01-02")
    assert sorted(moved.standards.values_list("pk", flat=True)) == links
    assert m.VerificationCertificate.objects.filter(verified_on__year=2024).count() == 2
