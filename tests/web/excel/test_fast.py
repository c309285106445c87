"""The column import against the set-based row import it replaces for certificates: on the same files both
report the same problems (every message, place and order) and store the same rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import transaction

from qiangji.web.excel import fast
from qiangji.web.excel.importer import ImportResult, import_workbook
from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, reference_registry
from qiangji.web.registry import models as m

pytestmark = pytest.mark.django_db
CERTS = "verification_certificate"


def both(rows: list[list[Any]], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(column import, row import) of ``rows``: problems, counts and the stored certificates after each;
    each import is rolled back so that both start from the same store."""
    out = []
    for column_import in (True, False):
        with monkeypatch.context() as patch:
            if not column_import:
                patch.setattr(fast, "supports", lambda spec: False)
            with transaction.atomic():
                result = import_workbook(io.BytesIO(certificate_csv(rows)), table=CERTS, name="c.csv")
                out.append((_problems(result), result.counts(), _stored()))
                transaction.set_rollback(True)
    return out[0], out[1]


def _problems(result: ImportResult) -> list[tuple[Any, ...]]:
    return [(p.row, p.column, p.header, p.value, p.rule, p.level) for p in result.problems]


def _stored() -> list[tuple[Any, ...]]:
    certs = m.VerificationCertificate.objects.order_by("institution__code", "cert_no")
    skip = {"id", "created_at", "updated_at"}
    names = [f.attname for f in m.VerificationCertificate._meta.concrete_fields if f.attname not in skip]
    links = m.VerificationCertificate.standards.through.objects.values_list(
        "verificationcertificate__cert_no", "measurementstandard__assessment_cert_no"
    )
    return [*certs.values_list(*names), *sorted(links)]


def bad_rows() -> list[list[Any]]:
    rows = [list(r) for r in certificate_rows(40)]
    rows[3][4] = "2024-02-30"  # 检定日期: no such day
    rows[5][1] = rows[2][1]  # the certificate number of row 4 (same institution? no: another one)
    rows[12][1] = rows[2][1]  # ... and of the same institution: a repeat of the key
    rows[12][0] = rows[2][0]
    rows[7][15] = "999"  # 检定员工号: nobody
    rows[8][1] = "Z" * 61  # over the 60 characters of a certificate number
    rows[9][2] = ""  # 证书类型 blank: the default (检定证书)
    rows[10][2], rows[10][20] = "检定结果通知书", "合格"  # a notice cannot pass nor carry a validity date
    rows[11][18] = "150"  # 温度 over 100 ℃
    rows[13][19] = "55%"  # a percentage typed with its sign: accepted
    rows[14][19] = "N/A"  # a placeholder for "no data": refused
    rows[15][20] = "良好"  # not a conclusion
    rows[16][16] = rows[16][15]  # the verifier checks his own work: a warning
    rows[17][18] = ""  # no temperature recorded: a warning
    rows[18][14] = "[2020]示例标字第SY08-0号、不存在的证书"  # one standard unknown
    rows[19][5] = rows[19][4]  # valid until the day of verification only
    rows[20][0] = "NOPE"  # no such institution
    rows[21][13] = "JJG 999-2099"  # no such regulation
    rows[22][11] = ""  # the catalogue item half given
    rows[23][1] = "  ZS－00000023 "  # full-width dash and spaces: the same number, normalised
    return rows


def test_it_reports_what_the_row_import_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    reference_registry()
    columns, rows = both(bad_rows(), monkeypatch)
    assert columns == rows
    problems = columns[0]
    assert len([p for p in problems if p[5] == "error"]) >= 14 and columns[1] == {}
    assert any("与第4行重复" in p[4] for p in problems)


def test_it_stores_what_the_row_import_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    reference_registry()
    rows = [list(r) for r in certificate_rows(60)]
    assert import_workbook(io.BytesIO(certificate_csv(rows[:30])), table=CERTS, name="c.csv").ok
    rows[1][6] = "改名后的企业（示例）"  # a stored row changed
    rows[2][14] = "[2020]示例标字第SY02-0号"  # a stored row's standards changed
    rows[3][2] = ""  # a stored row's kind left blank: it keeps the stored one
    rows[40][2], rows[40][20], rows[40][5] = "检定结果通知书", "不合格", ""  # a notice
    rows[41][16] = rows[41][15]  # a warning
    columns, row_by_row = both(rows, monkeypatch)
    assert columns == row_by_row
    assert columns[1] == {CERTS: {"created": 30, "updated": 2, "unchanged": 28}}
