"""Hostile uploads to the Excel import page: each one is refused with a clear message, answered without a
server error, and leaves every stored row unchanged (checksum of every registry table before/after)."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from qiangji.web.registry.models import Institution
from tests.web.registry import factories as f

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def registry_checksum() -> str:
    """SHA-256 over every registry and excel-app row (natural keys, pk order)."""
    from django.apps import apps

    digest = hashlib.sha256()
    for model in [*apps.get_app_config("registry").get_models(), *apps.get_app_config("excel").get_models()]:
        if model._meta.label_lower == "excel.importbatch":
            continue  # every attempt is recorded there by design (who tried what, when)
        data = serializers.serialize(
            "json", model._base_manager.order_by("pk"), use_natural_foreign_keys=True
        )
        digest.update(data.encode())
    return digest.hexdigest()


def xlsx(rows: list[list[Any]], title: str = "机构") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def as_macro_workbook(data: bytes) -> bytes:
    """The same workbook declared macro-enabled with a VBA project, as a renamed .xlsm would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "[Content_Types].xml":
                body = body.replace(XLSX_MAIN.encode(), MACRO_MAIN.encode())
            dst.writestr(name, body)
        dst.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 Attribute VB_Name = "Module1"')
    return out.getvalue()


@pytest.fixture
def admin(db: Any, settings: Any, tmp_path: Path) -> Client:
    settings.MEDIA_ROOT = tmp_path / "media"
    f.institution("SEC1", name="安全测试所（示例）")
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("sec_admin", "a@example.invalid"))
    return client


def upload(client: Client, name: str, data: bytes) -> Any:
    return client.post("/excel/", {"file": SimpleUploadedFile(name, data), "table": ""})


CASES = {
    "pdf renamed": ("report.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "xlsx"),
    "xlsm renamed": ("macro.xlsx", as_macro_workbook(xlsx([["代码"], ["X1"]])), "xlsx"),
    "wrong extension": ("data.csv", b"code,name\nX1,<script>alert(1)</script>\n", ".xlsx"),
    "path traversal": ("../../../etc/passwd.xlsm", xlsx([["代码"]]), ".xlsx"),
    "empty": ("empty.xlsx", b"", ""),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_refuses_files_that_are_not_workbooks(admin: Client, case: str) -> None:
    name, data, fragment = CASES[case]
    before = registry_checksum()
    response = upload(admin, name, data)
    assert response.status_code in (200, 400) and response.status_code < 500
    assert fragment.encode() in response.content
    assert registry_checksum() == before
    assert not Path("/etc/passwd.xlsm").exists()


def test_it_refuses_oversized_files(admin: Client, settings: Any) -> None:
    settings.QIANGJI_IMPORT_MAX_BYTES = (
        50_000  # registry imports' own limit (issue 16: a year of certificates)
    )
    before = registry_checksum()
    response = upload(
        admin, "big.xlsx", xlsx([["代码", "名称"]] + [[f"G{i}", secrets.token_hex(40)] for i in range(3000)])
    )
    assert response.status_code == 400 and "文件过大".encode() in response.content
    assert registry_checksum() == before


HOSTILE = [
    "<script>alert('xss')</script>",
    "'; DROP TABLE registry_institution; --",
    '=HYPERLINK("http://evil.invalid","x")',
    "../../etc/passwd",
    "x" * 5000,
]


def test_it_stores_nothing_from_a_workbook_of_garbage_and_formulas(admin: Client) -> None:
    rows = [["代码", "名称", "层级"]] + [[value, value, value] for value in HOSTILE]
    rows += [["=1+1", "=A1&A2", "=SUM(A1:A3)"]]
    before = registry_checksum()
    response = upload(admin, "garbage.xlsx", xlsx(rows))
    assert response.status_code < 500
    assert registry_checksum() == before
    assert b"<script>alert" not in response.content  # escaped if echoed back
    assert Institution.objects.count() == 1


def test_the_api_escapes_and_refuses_hostile_strings(db: Any) -> None:
    from qiangji.web.accounts.models import Profile, Role
    from qiangji.web.api.models import ApiToken

    user = get_user_model().objects.create_user("sec_rev")
    Profile.objects.create(user=user, role=Role.REVIEWER)
    token = ApiToken.issue(user, "t")[1]
    client = Client()
    before = registry_checksum()
    for value in HOSTILE:
        for path in (f"/api/v1/institutions/{value}", f"/api/v1/reports?institution={value}"):
            response = client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code in (404, 422), (path, response.status_code)
            assert set(json.loads(response.content)) == {"error"}
    assert registry_checksum() == before
