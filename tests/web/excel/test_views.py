"""Import page: staff only, upload checks, error table and report, the original kept with who and when."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiangji.web.accounts.roles import assign_role
from qiangji.web.excel.models import ImportBatch
from qiangji.web.registry import models as m

from .helpers import checksum, workbook

pytestmark = pytest.mark.django_db
GOOD = {"行政区划": [["代码", "名称", "类型"], ["JJ", "椒江区（示例）", "区"]]}
BAD = {"行政区划": [["代码", "名称", "类型"], ["JJ", "椒江区（示例）", "省"]]}


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("reviewer", password="x-very-long-pass", is_staff=True)
    assign_role(user, "reviewer")
    client.force_login(user)
    return client


def upload(client, data: bytes, name: str = "county.xlsx", table: str = ""):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("excel:import"), {"file": file, "table": table})


def test_it_is_for_staff_only(client, django_user_model) -> None:
    assert client.get(reverse("excel:import")).status_code == 302
    user = django_user_model.objects.create_user("county", password="x-very-long-pass")
    client.force_login(user)
    assert client.get(reverse("excel:template", args=["all"])).status_code == 302  # no role: to the login


def test_it_imports_and_keeps_the_original_with_who_and_when(staff_client, media_root) -> None:
    data = workbook(GOOD)
    response = upload(staff_client, data)
    assert response.status_code == 200
    assert "导入成功：共保存 1 行" in response.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.uploaded_by.username == "reviewer" and batch.actor == "reviewer"
    assert batch.uploaded_at is not None and batch.original_name == "county.xlsx"
    assert batch.file.path.startswith(str(media_root))
    assert batch.file.read() == data
    original = staff_client.get(reverse("excel:original", args=[batch.pk]))
    assert b"".join(original.streaming_content) == data


def test_it_shows_every_error_and_offers_the_report(staff_client) -> None:
    before, data = checksum(), workbook(BAD)
    response = upload(staff_client, data)
    page = response.content.decode()
    assert "导入失败：1 个错误" in page and "应为以下之一：区、县级市、县" in page
    assert checksum() == before
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and batch.error_count == 1
    assert batch.file.read() == data  # a failed import is kept as evidence too
    report = staff_client.get(reverse("excel:errors", args=[batch.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("级别", "工作表", "行", "列", "列名", "单元格的值", "规则")
    assert rows[1][:6] == ("错误", "行政区划", 2, "C", "类型", "省")


def test_it_rejects_a_file_that_is_not_really_xlsx(staff_client) -> None:
    response = upload(staff_client, b"PK\x03\x04 not really a zip")
    assert response.status_code == 400 and "不是有效的 .xlsx" in response.content.decode()
    response = upload(staff_client, workbook(GOOD), name="county.xls")
    assert response.status_code == 400
    assert not ImportBatch.objects.exists() and not m.Division.objects.exists()


def test_it_rejects_a_file_over_the_size_limit(staff_client, settings) -> None:
    settings.QIANGJI_IMPORT_MAX_BYTES = 1000  # registry imports have their own, larger limit
    response = upload(staff_client, workbook(GOOD))
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_it_serves_templates_and_exports(staff_client) -> None:
    m.Division.objects.create(code="JJ", name="椒江区（示例）", kind="district")
    for name in ("excel:template", "excel:export"):
        response = staff_client.get(reverse(name, args=["division"]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "行政区划" in book.sheetnames
    assert staff_client.get(reverse("excel:export", args=["nope"])).status_code == 404
