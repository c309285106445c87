"""Spreadsheet formula injection: text that begins like a formula (=, +, -, @, tab, CR) is written into
every workbook the project produces as a text cell (type ``s``), unchanged, never as a live formula; and
an export goes back through the importer to exactly the stored text.

Workbooks: the registry exports (institution, staff, all tables) and templates, the import problem report,
the assessment reporting template, the comparison round's results and report workbooks, the public
ranking.xlsx and the audit trail export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment.excel import import_upload, template
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.cells import FORMULA_START
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.excel.importer import import_workbook
from qiangji.web.publication import workflow
from qiangji.web.publication.runs import create_run
from qiangji.web.registry.models import Institution, Staff
from tests.web.assessment.helpers import open_now
from tests.web.comparisons.conftest import filled, world  # noqa: F401 (fixtures)
from tests.web.publication.conftest import RUNS, fv  # noqa: F401 (fixture)
from tests.web.publication.frames import random_inputs

LINK = '=HYPERLINK("http://evil.invalid","点击")'
#: What the importer keeps verbatim (it trims spaces, tabs and line breaks at both ends of every cell).
ROUND_TRIP = [LINK, "+86 (0576) 示例", "-某某（示例）", "@SUM(1+1)*cmd|' /C calc'!A0"]
HOSTILE = [*ROUND_TRIP, "\t=1+1", "\r=1+1"]


def cells(data: bytes) -> list[Cell]:
    book = load_workbook(io.BytesIO(data))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_text_cells(data: bytes, expected: Iterable[str]) -> None:
    """Each expected value appears, unchanged, and no cell anywhere is a formula."""
    found = cells(data)
    formulas = [(c.parent.title, c.coordinate, c.value) for c in found if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for c in found if c.data_type == "s"}
    # A CR comes back as written (openpyxl 3.1.5 escapes it as _x000D_) or as LF (releases that write it raw,
    # which XML normalises): a file-format matter, not a formula one; the cell is still text.
    missing = [v for v in expected if v not in texts and v.replace("\r", "\n") not in texts]
    assert missing == []
    risky = [c for c in found if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert risky and all(c.quotePrefix for c in risky)  # Excel keeps them text when edited


def client_as(role: str, inst: Institution | None = None) -> Client:
    user = get_user_model().objects.create_user(f"{role}-{get_user_model().objects.count()}")
    assign_role(user, role, inst)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hostile_registry(db: Any) -> Institution:
    inst = Institution.objects.create(code="EV-MI", name=LINK, level=Institution.Level.COUNTY, address="-1楼")
    for i, name in enumerate(HOSTILE[1:], start=1):
        Staff.objects.create(institution=inst, staff_no=f"00{i}", name=name, hired_on=dt.date(2020, 1, 1))
    return inst


@pytest.mark.parametrize("table", ["institution", "staff", "all"])
def test_it_writes_registry_exports_as_text(hostile_registry: Institution, table: str) -> None:
    response = client_as("admin").get(reverse("excel:export", args=[table]))
    assert response.status_code == 200
    expected = [LINK] if table == "institution" else HOSTILE[1:] if table == "staff" else HOSTILE
    assert_text_cells(response.content, expected)


def test_it_writes_a_reporters_export_and_template_as_text(hostile_registry: Institution) -> None:
    reporter = client_as("reporter", hostile_registry)
    assert_text_cells(reporter.get(reverse("excel:export", args=["all"])).content, HOSTILE)
    # a long drop-down list of stored codes lives in the hidden "_lists" sheet: also text
    Institution.objects.filter(pk=hostile_registry.pk).update(code="-EV")
    for i in range(30):
        Institution.objects.create(
            code=f"LONG-CODE-{i:03}", name=f"示例所{i}", level=Institution.Level.COUNTY
        )
    template_cells = cells(client_as("admin").get(reverse("excel:template", args=["staff"])).content)
    assert [(c.value, c.data_type) for c in template_cells if c.value == "-EV"] == [("-EV", "s")]


def test_it_reimports_its_export_to_the_same_text(hostile_registry: Institution) -> None:
    before = sorted(Staff.objects.values_list("staff_no", "name"))
    data = client_as("admin").get(reverse("excel:export", args=["all"])).content
    Staff.objects.filter(name__in=ROUND_TRIP).update(name="改过（示例）")
    Institution.objects.filter(pk=hostile_registry.pk).update(name="改过（示例）")
    result = import_workbook(io.BytesIO(data))
    assert result.errors == []
    assert Institution.objects.get(pk=hostile_registry.pk).name == LINK
    after = dict(Staff.objects.values_list("staff_no", "name"))
    assert [after[no] for no, name in before if name in ROUND_TRIP] == ROUND_TRIP[1:]


def test_it_writes_the_import_problem_report_as_text(hostile_registry: Institution) -> None:
    admin = client_as("admin")
    data = admin.get(reverse("excel:export", args=["staff"])).content
    book = load_workbook(io.BytesIO(data))
    sheet = book["人员"]
    headers = [c.value for c in sheet[1]]
    hired = next(i for i, h in enumerate(headers, start=1) if "入职日期" in h)
    sheet.cell(row=2, column=hired).value = "=TODAY()"
    sheet.cell(row=2, column=hired).data_type = "s"  # typed as text: not a date, so a problem to report
    out = io.BytesIO()
    book.save(out)
    from qiangji.web.excel.models import ImportBatch

    admin.post(reverse("excel:import"), {"file": _upload(out.getvalue())})
    batch = ImportBatch.objects.latest("pk")
    report = admin.get(reverse("excel:errors", args=[batch.pk]))
    assert report.status_code == 200
    assert_text_cells(report.content, ["=TODAY()"])


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "staff.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_it_writes_the_assessment_template_as_text_and_reads_it_back(hostile_registry: Institution) -> None:
    ensure_default_framework(FrameworkVersion)
    period = open_now("2024Q2")  # an upload is accepted only inside the reporting window
    note = "=cmd|' /C calc'!A0"
    ReportedValue.objects.create(
        period=period, institution=hostile_registry, indicator="D1.3", value=5, note=note
    )
    data = template(period)
    assert_text_cells(data, [LINK, note])
    ReportedValue.objects.filter(indicator="D1.3").update(note="改过（示例）")
    reviewer = get_user_model().objects.create_user("rev")
    assign_role(reviewer, "reviewer")
    import_upload(period, io.BytesIO(data), reviewer)
    assert ReportedValue.objects.get(indicator="D1.3").note == note


def test_it_writes_the_comparison_workbooks_as_text(filled: dict[str, Any]) -> None:  # noqa: F811
    rnd: ComparisonRound = filled["round"]
    filled["labs"][0].name = LINK
    filled["labs"][0].save()
    rnd.transfer_standard = "@砝码 S-001（示例）"
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="pilot", options={})
    pilot = Client()
    pilot.force_login(filled["pilot_user"])
    report = pilot.get(reverse("comparisons:report_xlsx", args=[rnd.code]))
    assert report.status_code == 200
    assert_text_cells(report.content, [LINK, "@砝码 S-001（示例）"])
    ComparisonRound.objects.filter(pk=rnd.pk).update(name="-200 g 砝码（示例）")
    results = pilot.get(reverse("comparisons:submissions_xlsx", args=[rnd.code]))
    assert results.status_code == 200
    assert not [c for c in cells(results.content) if c.data_type == "f"]


def test_it_writes_the_public_ranking_as_text(db: Any, fv: FrameworkVersion) -> None:  # noqa: F811
    names = {f"C{i}-MI": f"示例县计量所{i}（示例）" for i in range(1, 9)} | {"EV-MI": LINK}
    for code, name in names.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    period = Period.for_code("2025Q1")
    run = create_run(period, fv, random_inputs(names, seed=1), seed=7, runs=RUNS)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, period.end + dt.timedelta(days=10))
    response = Client().get(reverse("publication:ranking_xlsx", args=["2025Q1"]))
    assert response.status_code == 200
    assert_text_cells(response.content, [LINK])


def test_it_writes_the_audit_export_as_text_unchanged(hostile_registry: Institution) -> None:
    admin = get_user_model().objects.create_user("office")
    assign_role(admin, "admin")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_auditevent_xlsx") + "?model=staff")
    assert response.status_code == 200
    found = cells(response.content)
    reprs = [c for c in found if isinstance(c.value, str) and c.value.startswith("-某某")]
    assert reprs and all(c.data_type == "s" and c.quotePrefix for c in reprs)
    assert not [c for c in found if c.data_type == "f"]
