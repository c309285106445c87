"""The Excel upload submits too, with evidence files attached in the same step (matched to rows by the
indicator code in the file name or by the 佐证材料 column); all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from qiangji.web.assessment.excel import HEADERS, INSTRUCTIONS_SHEET, template
from qiangji.web.assessment.models import Evidence, Period, ReportedValue
from tests.web.registry import factories as f

from .helpers import PDF, PNG, open_now, reporter

pytestmark = pytest.mark.django_db
UPLOAD = "/assessment/2024Q1/upload/"


@pytest.fixture
def county() -> Client:
    open_now("2024Q1")
    inst = f.institution("A", name="甲县所（示例）")
    client = Client()
    client.force_login(reporter("county", inst))
    return client


def _filled(values: dict[str, Any], evidence: dict[str, str] | None = None) -> SimpleUploadedFile:
    """The county's own template with ``values`` (indicator → 数值) and 佐证材料 cells filled in."""
    wb = load_workbook(
        io.BytesIO(template(Period.objects.get(code="2024Q1"), f.Institution.objects.get(code="A")))
    )
    ws = wb["填报"]
    for row in ws.iter_rows(min_row=2):
        code = row[2].value
        if code in values:
            row[5].value = values[code]
        if evidence and code in evidence:
            row[9].value = evidence[code]
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("填报.xlsx", out.getvalue())


def _file(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_template_explains_the_evidence_rule() -> None:
    open_now("2024Q1")
    f.institution("A")
    wb = load_workbook(io.BytesIO(template(Period.objects.get(code="2024Q1"))))
    assert [c.value for c in wb["填报"][1]] == list(HEADERS) and HEADERS[-1] == "佐证材料"
    text = "\n".join(str(r[0].value) for r in wb[INSTRUCTIONS_SHEET].iter_rows())
    assert "文件名含指标代码即对应该指标的行" in text and "“佐证材料”列写明本行的文件名" in text


def test_the_upload_page_offers_submit_and_evidence(county: Client) -> None:
    html = county.get(UPLOAD).content.decode()
    assert 'name="submit"' in html and "上传后直接提交审核" in html
    assert 'type="file" name="evidence" multiple' in html
    assert "文件名含指标代码即对应该指标的行" in html and 'id="period-stage"' in html


def test_it_stores_submits_and_attaches_evidence_in_one_step(county: Client) -> None:
    response = county.post(
        UPLOAD,
        {
            "file": _filled(
                {"D1.3": "１２，０００", "D4.3": 2, "C1.3": 1}, {"C1.3": "投诉台账.png；说明.pdf"}
            ),
            "evidence": [
                _file("D1.3 检定量统计.pdf"),
                _file("2024Q1_D4.3.pdf"),
                _file("投诉台账.png", PNG),
                _file("说明.pdf"),
            ],
            "submit": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    stored = {r.indicator: r for r in ReportedValue.objects.all()}
    assert {c: r.status for c, r in stored.items()} == {
        "D1.3": "submitted",
        "D4.3": "submitted",
        "C1.3": "submitted",
    }
    names = {c: sorted(e.original_name for e in r.evidence.all()) for c, r in stored.items()}
    assert names == {
        "D1.3": ["D1.3 检定量统计.pdf"],
        "D4.3": ["2024Q1_D4.3.pdf"],
        "C1.3": ["投诉台账.png", "说明.pdf"],
    }
    page = county.get(response["Location"]).content.decode()
    assert "已导入并提交审核 3 项填报数据，附佐证材料 4 份。" in page


def test_it_refuses_the_whole_upload_when_evidence_does_not_fit(county: Client) -> None:
    response = county.post(
        UPLOAD,
        {
            "file": _filled({"D1.3": 100, "D4.3": 2}, {"D4.3": "缺少的文件.pdf"}),
            "evidence": [_file("D1.3.pdf"), _file("无关.pdf"), _file("D1.30 其他.pdf")],
            "submit": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "第" in html and "佐证材料：未上传文件“缺少的文件.pdf”" in html
    assert "佐证材料“无关.pdf”未对应任何一行" in html
    assert "佐证材料“D1.30 其他.pdf”未对应任何一行" in html  # D1.3 is not inside D1.30
    assert not ReportedValue.objects.exists() and not Evidence.objects.exists()


def test_a_submission_needs_evidence_for_every_row(county: Client) -> None:
    response = county.post(
        UPLOAD, {"file": _filled({"D1.3": 100, "D4.3": 2}), "evidence": [_file("D1.3.pdf")], "submit": "on"}
    )
    assert response.status_code == 400
    assert "提交审核前须有佐证材料（文件名含“D4.3”" in response.content.decode()
    assert not ReportedValue.objects.exists()
    drafts = county.post(UPLOAD, {"file": _filled({"D1.3": 100, "D4.3": 2}), "evidence": [_file("D1.3.pdf")]})
    assert drafts.status_code == 302
    assert {r.status for r in ReportedValue.objects.all()} == {"draft"}
    assert ReportedValue.objects.get(indicator="D1.3").evidence.count() == 1


def test_a_bad_evidence_file_refuses_the_upload(county: Client) -> None:
    response = county.post(
        UPLOAD, {"file": _filled({"D1.3": 100}), "evidence": [_file("D1.3.pdf", b"not a pdf")]}
    )
    assert response.status_code == 400
    assert "佐证材料“D1.3.pdf”：文件内容与扩展名“.pdf”不符" in response.content.decode()
    assert not ReportedValue.objects.exists()


def test_the_city_names_the_institution_in_the_file_name() -> None:
    open_now("2024Q1")
    f.institution("A")
    f.institution("B")
    from .helpers import user

    office = Client()
    office.force_login(user("office"))
    wb = load_workbook(io.BytesIO(template(Period.objects.get(code="2024Q1"))))
    for row in wb["填报"].iter_rows(min_row=2):
        if row[2].value == "D1.3":
            row[5].value = 10
    out = io.BytesIO()
    wb.save(out)
    sheet = lambda: SimpleUploadedFile("all.xlsx", out.getvalue())  # noqa: E731
    ambiguous = office.post(UPLOAD, {"file": sheet(), "evidence": [_file("D1.3.pdf")]})
    assert "未对应任何一行" in ambiguous.content.decode()
    done = office.post(
        UPLOAD, {"file": sheet(), "evidence": [_file("A_D1.3.pdf"), _file("B-D1.3.pdf")], "submit": "on"}
    )
    assert done.status_code == 302
    assert {
        (r.institution.code, r.status, r.evidence.get().original_name) for r in ReportedValue.objects.all()
    } == {
        ("A", "submitted", "A_D1.3.pdf"),
        ("B", "submitted", "B-D1.3.pdf"),
    }


def test_a_closed_period_shows_why_and_no_upload_form() -> None:
    Period.for_code("2023Q1")
    inst = f.institution("A")
    client = Client()
    client.force_login(reporter("county", inst))
    html = client.get("/assessment/2023Q1/upload/").content.decode()
    assert "尚未开放填报" in html and 'id="upload-form"' not in html
