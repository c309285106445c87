"""The set-based import at scale: 100,000 certificates all-or-nothing, idempotent re-import without audit
noise, changed rows audited with before/after, CSV encodings detected, large web imports as a job."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.accounts.roles import assign_role
from qiangji.web.excel.evidence import run_import
from qiangji.web.excel.importer import import_workbook
from qiangji.web.excel.models import ImportBatch
from qiangji.web.excel.synthetic import certificate_csv, certificate_rows, reference_registry
from qiangji.web.jobs.models import Job
from qiangji.web.registry import models as m

pytestmark = pytest.mark.django_db
CERTS = "verification_certificate"


def csv_import(rows: list[list[str]], encoding: str = "utf-8", name: str = "certs.csv"):
    data = certificate_csv(rows, encoding)
    return run_import(data, name=name, table=CERTS, source="cli", actor="test")


def test_it_refuses_100000_certificates_for_an_error_in_the_last_row() -> None:
    reference_registry()
    rows = list(certificate_rows(100_000))
    rows[-1][4] = "2024-13-01"  # 检定日期 (column E) of the last row: no such month
    result = import_workbook(io.BytesIO(certificate_csv(rows)), table=CERTS, name="certs.csv")
    (error,) = result.errors
    assert (error.sheet, error.row, error.column, error.header) == ("certs", 100_001, "E", "检定日期 (日期)")
    assert (error.value, error.rule) == ("2024-13-01", "不是有效的日期")
    assert not m.VerificationCertificate.objects.exists()
    assert result.created == {} and result.encoding == "UTF-8"


def test_it_imports_certificates_with_their_links_then_changes_nothing_the_second_time() -> None:
    reference_registry()
    rows = list(certificate_rows(2_000))
    first = csv_import(rows)
    assert first.result.ok and first.result.created == {CERTS: 2_000}
    cert = m.VerificationCertificate.objects.get(cert_no="ZS-00000007")
    assert (cert.institution.code, cert.verifier.staff_no, cert.approver.staff_no) == ("SY07", "007", "009")
    assert sorted(s.assessment_cert_no for s in cert.standards.all()) == [
        "[2020]示例标字第SY07-3号", "[2020]示例标字第SY07-4号"]  # fmt: skip
    assert m.VerificationCertificate.standards.through.objects.count() == 4_000
    events, stamps = (
        AuditEvent.objects.count(),
        set(m.VerificationCertificate.objects.values_list("updated_at", flat=True)),
    )
    again = csv_import(rows)
    assert again.result.ok and again.result.counts() == {
        CERTS: {"created": 0, "updated": 0, "unchanged": 2_000}
    }
    assert AuditEvent.objects.count() == events + 1  # the second import's own record, nothing per row
    assert AuditEvent.objects.latest("pk").model == "importbatch"
    assert set(m.VerificationCertificate.objects.values_list("updated_at", flat=True)) == stamps


def test_it_audits_a_changed_row_with_its_values_before_and_after() -> None:
    reference_registry()
    rows = list(certificate_rows(50))
    csv_import(rows)
    rows[3][6] = "改名后的企业（示例）"  # 送检单位
    rows[4][14] = "[2020]示例标字第SY04-0号"  # 所用计量标准: one instead of two
    before = AuditEvent.objects.count()
    result = csv_import(rows).result
    assert result.counts() == {CERTS: {"created": 0, "updated": 2, "unchanged": 48}}
    update = AuditEvent.objects.get(action="update", object_id=str(
        m.VerificationCertificate.objects.get(cert_no="ZS-00000003").pk))  # fmt: skip
    assert update.changed == ["client"]
    assert (update.before["client"], update.after["client"]) == ("示例企业3", "改名后的企业（示例）")
    links = AuditEvent.objects.get(action="m2m")
    assert len(links.before["standards"]) == 2 and len(links.after["standards"]) == 1
    assert AuditEvent.objects.count() == before + 3  # update, m2m, the import's record
    cert = m.VerificationCertificate.objects.get(cert_no="ZS-00000004")
    assert [s.assessment_cert_no for s in cert.standards.all()] == ["[2020]示例标字第SY04-0号"]


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8-sig", "UTF-8 (BOM)"), ("gb18030", "GB18030"), ("utf-8", "UTF-8")]
)
def test_it_detects_and_reports_the_encoding_of_a_csv_file(encoding: str, label: str) -> None:
    reference_registry()
    outcome = csv_import(list(certificate_rows(10)), encoding)
    assert outcome.result.ok and outcome.result.encoding == label
    notes = [p for p in outcome.batch.problems if p["level"] == "info"]
    assert notes and label in notes[0]["rule"] and outcome.batch.error_count == 0
    assert (
        m.VerificationCertificate.objects.filter(client="示例企业1", instrument_name="电子计价秤").count()
        == 1
    )
    assert outcome.batch.file.name.endswith(".csv")


def test_it_names_the_table_of_a_csv_file_by_its_file_name_or_asks_for_it() -> None:
    reference_registry()
    data = certificate_csv(list(certificate_rows(3)))
    assert run_import(data, name="检定证书.csv", table=None, source="cli", actor="t").result.ok
    result = run_import(data, name="2024.csv", table=None, source="cli", actor="t").result
    assert [e.rule for e in result.errors] == [
        "CSV 文件只含一张表：请选择导入表，或以表名命名文件（如“检定证书.csv”）"
    ]


def test_it_lists_the_first_1000_errors_and_counts_the_rest() -> None:
    reference_registry()
    rows = list(certificate_rows(1_500))
    for row in rows:
        row[15] = "999"  # 检定员工号: nobody
    outcome = csv_import(rows)
    assert len(outcome.result.errors) == 1_500 and outcome.batch.error_count == 1_500
    errors = [p for p in outcome.batch.problems if p["level"] == "error"]
    assert len(errors) == 1_001 and errors[0]["row"] == 2 and errors[0]["column"] == "P"
    assert errors[-1]["value"] == "另有 500 处同类问题未逐条列出" and errors[-1]["rule"] == "未找到人员"


@pytest.fixture
def city_client(client, django_user_model, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.QIANGJI_IMPORT_INLINE_MAX_BYTES = 100  # every test file is "large"
    user = django_user_model.objects.create_user("reviewer", password="x-very-long-pass", is_staff=True)
    assign_role(user, "reviewer")
    client.force_login(user)
    return client


def test_a_large_web_import_runs_as_a_job_then_shows_its_report(city_client) -> None:
    reference_registry()
    data = certificate_csv(list(certificate_rows(300)))
    file = SimpleUploadedFile("certs.csv", data, content_type="text/csv")
    response = city_client.post(reverse("excel:import"), {"file": file, "table": CERTS})
    job = Job.objects.get(kind="excel.import")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    batch = ImportBatch.objects.get()
    assert (job.status, job.progress, job.result_url) == (
        "done",
        1.0,
        reverse("excel:batch", args=[batch.pk]),
    )
    assert m.VerificationCertificate.objects.count() == 300 and batch.uploaded_by.username == "reviewer"
    fragment = city_client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == job.result_url  # the progress fragment sends the page on to the report
    page = city_client.get(job.result_url).content.decode()
    assert "导入成功" in page and "<td>300</td>" in page and "UTF-8" in page


def test_a_refused_large_file_is_refused_at_once_without_a_job(city_client) -> None:
    response = city_client.post(
        reverse("excel:import"), {"file": SimpleUploadedFile("a.csv", b"\x00\x01" * 200), "table": CERTS}
    )
    assert response.status_code == 400 and "含有 NUL 字节" in response.content.decode()
    assert not Job.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_a_csv_file_is_parsed_from_bytes_in_one_pass(encoding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas given the decoded text re-encodes it through a wrapper that copies its growing overflow of
    multi-byte characters on every read (quadratic: 40 s of a million-row import); the reader gives it
    UTF-8 bytes, and the cells come out as typed in any of the accepted encodings."""
    from pandas.io import common

    from qiangji.web.excel.reader import read_source

    def refuse(self: object, n: int = -1) -> bytes:
        raise AssertionError("the CSV text went through pandas' re-encoding wrapper")

    monkeypatch.setattr(common._BytesIOWrapper, "read", refuse)
    rows = [["SY01", "检-001", "（全角）", "a,b", 'say "hi"', ""], ["SY02", "检-002", "€", "x\ny", "", "末"]]
    data = certificate_csv(rows, encoding)
    (frame,) = read_source(io.BytesIO(data), name="c.csv").frames.values()
    assert frame.iloc[1:, :6].values.tolist() == rows
    assert set(frame.iloc[1:, 6:].values.ravel()) == {""}
