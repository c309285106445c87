"""A county reporter's own Excel work: registry templates and exports of its institution only, and the
assessment reporting workbook for its institution only (a foreign row refuses the whole upload, audited).

The world (conftest): city institute TZ, counties C1 (reporter ``county1``) and C2 (``county2``), one staff
member each; here each county also gets a measurement standard, a research project, a finding and a
draft reported value D1.3 = 5 for 2024Q1.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent
from qiangji.web.assessment.excel import HEADERS
from qiangji.web.assessment.models import ReportedValue
from qiangji.web.excel.models import ImportBatch
from qiangji.web.registry.models import ResearchProject, Staff, SupervisionFinding
from tests.web.assessment.helpers import open_now
from tests.web.registry import factories as f

from .conftest import client_as

NAMES = {"TZ": "台州市计量院（示例）", "C1": "示例县计量所1（示例）", "C2": "示例县计量所2（示例）"}
SUB, SEVERITY = "C3", "minor"  # a finding's sub-dimension and severity
ROWS = {"C1": ("张三（示例）", "县1课题（示例）"), "C2": ("李四（示例）", "县2课题（示例）")}


@pytest.fixture
def county(world: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    period = open_now("2024Q1")
    for key, code in (("c1", "C1"), ("c2", "C2"), ("city", "TZ")):
        inst = world[key]
        f.standard(inst, name=f"{code}标准（示例）")
        title = ROWS.get(code, ("", "市院课题（示例）"))[1]
        ResearchProject.objects.create(
            institution=inst, title=title, funding_level="municipal", approved_on="2023-03-01"
        )
        SupervisionFinding.objects.create(
            institution=inst, found_on="2024-02-01", description=f"{code}问题（示例）", sub_dimension=SUB,
            severity=SEVERITY, due_on="2024-05-01",
        )  # fmt: skip
        if code != "TZ":
            ReportedValue.objects.create(
                period=period, institution=inst, indicator="D1.3", value=5, updated_by=world["users"]["admin"]
            )
    return world


def _cells(book: openpyxl.Workbook) -> list[str]:
    """Every non-empty cell of every sheet (hidden ones too) and every drop-down list formula."""
    found = []
    for sheet in book.worksheets:
        found += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        found += [str(dv.formula1) for dv in sheet.data_validations.dataValidation]
    return found


def _workbook(client: Any, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _mentions(cells: list[str], code: str) -> bool:
    """Whether the institution ``code`` or its name appears anywhere (a code as a whole cell or list item)."""
    items = {item.strip('"') for cell in cells for item in cell.split(",")}
    return code in items or any(NAMES[code] in cell for cell in cells)


@pytest.mark.parametrize("table", ["all", "staff", "institution", "measurement_standard", "research_project"])
def test_it_exports_only_the_reporters_own_institution(county: dict[str, Any], table: str) -> None:
    book = _workbook(client_as(county["users"]["reporter"]), reverse("excel:export", args=[table]))
    cells = _cells(book)
    assert not _mentions(cells, "C2") and not _mentions(cells, "TZ")
    assert _mentions(cells, "C1")
    assert not any(text in cell for cell in cells for text in ROWS["C2"])


def test_it_exports_every_own_row_of_every_sheet(county: dict[str, Any]) -> None:
    book = _workbook(client_as(county["users"]["reporter"]), reverse("excel:export", args=["all"]))
    cells = _cells(book)
    assert (
        all(text in cells for text in ROWS["C1"]) and "C1标准（示例）" in cells and "C1问题（示例）" in cells
    )
    for name in ("人员", "计量标准", "科研项目", "督导发现问题", "计量技术机构"):
        rows = list(book[name].iter_rows(min_row=2, values_only=True))
        assert len(rows) == 1 and rows[0][0] == "C1", (name, rows)


def test_the_other_reporter_gets_only_its_own_rows(county: dict[str, Any]) -> None:
    book = _workbook(client_as(county["users"]["other_reporter"]), reverse("excel:export", args=["all"]))
    cells = _cells(book)
    assert _mentions(cells, "C2") and not _mentions(cells, "C1") and "张三（示例）" not in cells


@pytest.mark.parametrize("role", ["admin", "reviewer", "leadership"])
def test_the_city_and_leadership_export_every_institution(county: dict[str, Any], role: str) -> None:
    cells = _cells(_workbook(client_as(county["users"][role]), reverse("excel:export", args=["all"])))
    assert all(_mentions(cells, code) for code in NAMES)


def test_the_template_lists_only_the_reporters_own_codes(county: dict[str, Any]) -> None:
    book = _workbook(client_as(county["users"]["reporter"]), reverse("excel:template", args=["all"]))
    cells = _cells(book)
    assert _mentions(cells, "C1") and not _mentions(cells, "C2") and not _mentions(cells, "TZ")
    assert all(book[name].max_row == 1 for name in ("人员", "计量标准"))  # a template: headers only


def test_every_export_enters_the_audit_trail(county: dict[str, Any]) -> None:
    client_as(county["users"]["reporter"]).get(reverse("excel:export", args=["staff"]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.app_label, event.model) == ("county1", "excel", "staff")
    assert event.after["institution"] == "C1"


def test_a_reporter_may_not_import_into_the_registry(county: dict[str, Any]) -> None:
    client = client_as(county["users"]["reporter"])
    page = client.get(reverse("excel:import")).content.decode()
    assert 'id="import-form"' not in page and 'id="import-city-only"' in page
    file = SimpleUploadedFile("staff.xlsx", _registry_staff_book(), content_type="application/octet-stream")
    response = client.post(reverse("excel:import"), {"file": file, "table": "staff"})
    assert response.status_code == 403
    assert Staff.objects.count() == 2 and not ImportBatch.objects.exists()
    city = client_as(county["users"]["reviewer"]).get(reverse("excel:import")).content.decode()
    assert 'id="import-form"' in city


def _registry_staff_book() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "人员"
    book.active.append(["机构代码", "工号", "姓名", "入职日期"])
    book.active.append(["C1", "X1", "新人（示例）", "2024-01-01"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reporting_book(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "填报"
    book.active.append(list(HEADERS))
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Any, data: bytes) -> Any:
    file = SimpleUploadedFile("report.xlsx", data, content_type="application/octet-stream")
    return client.post("/assessment/2024Q1/upload/", {"file": file})


def _stored() -> dict[str, tuple[Decimal | None, str]]:
    return {
        r.institution.code: (r.value, r.status) for r in ReportedValue.objects.select_related("institution")
    }


def test_an_upload_with_another_institutions_row_is_refused_whole(county: dict[str, Any]) -> None:
    before, events = _stored(), AuditEvent.objects.filter(model="reportedvalue").count()
    data = _reporting_book(
        [["C1", "", "D1.3", "", "", 9, None, None, ""], ["C2", "", "D1.3", "", "", 7, None, None, ""]]
    )
    response = _upload(client_as(county["users"]["reporter"]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "工作表“填报”有 1 处错误，未导入任何数据。" in page
    assert "第3行，机构代码：只能填报本机构（C1）的数据" in page
    assert _stored() == before  # the own row (C1 = 9) is not stored either
    assert AuditEvent.objects.filter(model="reportedvalue").count() == events
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and batch.uploaded_by == county["users"]["reporter"]
    assert batch.table == "assessment:2024Q1" and batch.file.read() == data
    assert batch.problems[0]["sheet"] == "填报" and "只能填报本机构（C1）" in batch.problems[0]["rule"]
    event = AuditEvent.objects.get(model="importbatch")
    assert (event.action, event.actor, event.after["status"]) == ("create", "county1", "failed")


def test_a_foreign_code_gets_the_same_answer_whether_it_exists_or_not(county: dict[str, Any]) -> None:
    client = client_as(county["users"]["reporter"])
    for code in ("C2", "NOPE"):
        page = _upload(
            client, _reporting_book([[code, "", "D1.3", "", "", 7, None, None, ""]])
        ).content.decode()
        assert "第2行，机构代码：只能填报本机构（C1）的数据" in page


def test_a_valid_own_upload_is_stored_and_audited_with_the_reporter(county: dict[str, Any]) -> None:
    client = client_as(county["users"]["reporter"])
    response = _upload(client, _reporting_book([["C1", "", "D1.3", "", "", 9, None, None, "上传（示例）"]]))
    assert response.status_code == 302 and response["Location"] == "/assessment/2024Q1/report/C1/"
    assert _stored() == {"C1": (Decimal(9), "draft"), "C2": (Decimal(5), "draft")}
    event = AuditEvent.objects.filter(model="reportedvalue", action="update").get()
    assert event.actor == "county1" and event.actor_id == county["users"]["reporter"].pk
    assert "value" in event.changed
    batch = ImportBatch.objects.get()
    assert batch.status == "succeeded"
    assert batch.counts == {"reported_value": {"stored": 1, "submitted": 0, "evidence": 0}}
    assert client.get(reverse("excel:original", args=[batch.pk])).status_code == 200
    other = client_as(county["users"]["other_reporter"])
    assert other.get(reverse("excel:original", args=[batch.pk])).status_code == 404
    assert other.get(reverse("excel:errors", args=[batch.pk])).status_code == 404


def test_the_city_still_uploads_for_every_institution(county: dict[str, Any]) -> None:
    rows = [["C1", "", "D1.3", "", "", 9, None, None, ""], ["C2", "", "D1.3", "", "", 7, None, None, ""]]
    response = _upload(client_as(county["users"]["reviewer"]), _reporting_book(rows))
    assert response.status_code == 302
    assert _stored() == {"C1": (Decimal(9), "draft"), "C2": (Decimal(7), "draft")}


def test_the_reporting_template_holds_only_the_own_institution(county: dict[str, Any]) -> None:
    book = _workbook(client_as(county["users"]["reporter"]), "/assessment/2024Q1/template.xlsx")
    codes = {row[0] for row in book["填报"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"C1"}
    cells = _cells(book)
    assert not _mentions(cells, "C2") and "5" in cells  # its own stored value is filled in
    city = _workbook(client_as(county["users"]["reviewer"]), "/assessment/2024Q1/template.xlsx")
    assert {row[0] for row in city["填报"].iter_rows(min_row=2, values_only=True)} == {"C1", "C2"}


@pytest.mark.parametrize(
    ("role", "uploads", "reads_all"),
    [("reporter", True, False), ("leadership", False, True), ("reviewer", True, True)],
)
def test_the_assessment_pages_show_only_usable_links(
    county: dict[str, Any], role: str, uploads: bool, reads_all: bool
) -> None:
    client = client_as(county["users"][role])
    periods = client.get("/assessment/").content.decode()
    assert ('href="/assessment/2024Q1/"' in periods) == reads_all
    assert ('href="/assessment/2024Q1/upload/"' in periods) == (role == "reporter")
    form = client.get("/assessment/2024Q1/report/C1/").content.decode()
    assert ('id="nav-upload"' in form) == uploads
    assert ('href="/assessment/2024Q1/review/"' in form) == (role == "reviewer")
    assert ('href="/assessment/2024Q1/visits/"' in form) == reads_all
