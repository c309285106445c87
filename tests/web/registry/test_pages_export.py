"""Excel exports of an institution's registry lists, opened with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from qiangji.web.accounts.models import AuditEvent
from tests.web.registry import factories as f
from tests.web.registry.pages_world import DAY, TODAY, client_as


def workbook(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_the_staff_export_holds_the_filtered_rows_with_dates_as_dates(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    response = c.get(reverse("registry:export", args=["C1", "staff"]), {"state": "valid"})
    assert f"C1-staff-{TODAY.isoformat()}.xlsx" in response["Content-Disposition"]
    book = workbook(response)
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert values[0][0] == "姓名" and values[0][-1] == "注册状态"
    assert len(values) == 2 and values[1][0] == "王五（示例）" and values[1][8] == "REG-VALID"
    expiry = sheet.cell(row=2, column=10)
    assert isinstance(expiry.value, dt.datetime) and expiry.value.date() == TODAY + 500 * DAY
    assert expiry.number_format == "yyyy-mm-dd"
    about = dict(book["说明"].values)
    assert about["机构"] == "甲县计量所（示例）（C1）" and about["行数"] == 1 and about["导出人"] == "county1"


def test_text_that_looks_like_a_formula_stays_text(world: dict[str, Any]) -> None:
    f.staff(world["c1"], name='=HYPERLINK("http://evil.invalid","x")')
    sheet = workbook(
        client_as(world["users"]["admin"]).get(reverse("registry:export", args=["C1", "staff"]))
    )["人员与注册"]
    cell = next(c for c in sheet["A"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_standards_export_flags_expiry_like_the_page(world: dict[str, Any]) -> None:
    book = workbook(
        client_as(world["users"]["leadership"]).get(reverse("registry:export", args=["C1", "standards"]))
    )
    rows = {r[0]: r for r in list(book.worksheets[0].values)[1:]}
    assert rows["电子天平检定装置（示例）"][-1] == "即将到期"
    assert rows["电子天平检定装置（示例）"][2] == "是" and rows["内部校准装置（示例）"][2] == "否"


def test_the_certificate_export_holds_every_filtered_row_not_one_page(world: dict[str, Any]) -> None:
    for n in range(60):
        f.certificate(
            world["c1"], cert_no=f"JD-{n:03}", verified_on=TODAY - (n + 1) * DAY,
            valid_until=TODAY + 300 * DAY,
            verifier=world["wang"], checker=world["zhao"], approver=world["wang"],
        ).save()  # fmt: skip
    book = workbook(
        client_as(world["users"]["reviewer"]).get(reverse("registry:export", args=["C1", "certificates"]))
    )
    assert book.worksheets[0].max_row == 61


def test_every_export_is_an_audit_event(world: dict[str, Any]) -> None:
    client_as(world["users"]["reporter"]).get(
        reverse("registry:export", args=["C1", "items"]), {"scope": "all"}
    )
    event = AuditEvent.objects.get(action="export", app_label="registry")
    assert event.actor == "county1" and event.model == "page:items" and event.after["rows"] == 2
