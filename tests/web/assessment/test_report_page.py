"""The one-pass reporting page: every value in one form, one save and one submission, all or nothing;
typed values kept and errors at their field in plain Chinese; numbers as people type them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiangji.web.accounts.locking import version_token
from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import Period, ReportedValue
from tests.web.registry import factories as f

from .helpers import PDF, close_now, open_now, reporter, user

pytestmark = pytest.mark.django_db
URL = "/assessment/2024Q1/report/A/"


@pytest.fixture
def county() -> Client:
    open_now("2024Q1")
    inst = f.institution("A", name="甲县计量检定所（示例）")
    client = Client()
    client.force_login(reporter("county", inst))
    return client


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_it_saves_every_typed_value_in_one_post(county: Client) -> None:
    response = county.post(
        URL,
        {
            "action": "save",
            "D1.3-value": "１２，３４５",  # full-width digits and comma
            "D4.3-value": "2",
            "C1.3-value": "1",
            "D1.2-numerator": "1,234",
            "D1.2-denominator": "1 300",
            "D4.4-note": "",
        },
    )
    assert response.status_code == 302
    stored = {r.indicator: r for r in ReportedValue.objects.all()}
    assert set(stored) == {"D1.3", "D4.3", "C1.3", "D1.2"}  # untouched rows are not reported
    assert stored["D1.3"].value == Decimal(12345)
    assert stored["D1.2"].value == Decimal("94.923077")
    assert {r.status for r in stored.values()} == {"draft"}
    page = county.get(URL).content.decode()
    assert "已保存 4 项（草稿，尚未提交审核）" in page
    assert "以下指标以填报值计入，尚未填报" in page and "D4.4" in page


def test_it_submits_every_value_with_its_evidence_in_one_post(county: Client) -> None:
    response = county.post(
        URL,
        {
            "action": "submit",
            "D1.3-value": "12000",
            "D1.3-evidence": [_pdf("检定量.pdf"), _pdf("检定量-附表.pdf")],
            "D4.3-value": "2",
            "D4.3-evidence": _pdf("新增能力.pdf"),
        },
    )
    assert response.status_code == 302
    stored = {r.indicator: r for r in ReportedValue.objects.all()}
    assert {c: r.status for c, r in stored.items()} == {"D1.3": "submitted", "D4.3": "submitted"}
    assert stored["D1.3"].evidence.count() == 2
    assert "已提交审核 2 项：D1.3、D4.3" in county.get(URL).content.decode()


def test_it_keeps_what_was_typed_and_shows_each_error_at_its_field(county: Client) -> None:
    response = county.post(
        URL,
        {
            "action": "save",
            "D1.3-value": "12,000",
            "D4.3-value": "abc",
            "D1.2-numerator": "5",
            "D1.2-denominator": "0",
            "C1.3-value": "85%",
        },
    )
    assert response.status_code == 400
    assert not ReportedValue.objects.exists()  # all or nothing
    html = response.content.decode()
    assert 'name="D1.3-value" value="12,000"' in html  # the good value, as typed
    assert 'name="D4.3-value" value="abc"' in html
    d43 = _row(html, "D4.3")
    assert "必须是数字，实际为“abc”" in d43 and 'aria-invalid="true"' in d43
    assert "分母必须大于0。" in _row(html, "D1.2")
    assert "不要输入“%”" in _row(html, "C1.3")
    assert "有 3 处需要修改，本次未保存任何数据" in html
    assert "D4.3 数值：必须是数字" in html  # the summary names the indicator and the field label
    assert "* value" not in html and "__all__" not in html


def test_a_submission_without_evidence_is_refused_at_the_evidence_field(county: Client) -> None:
    response = county.post(
        URL,
        {
            "action": "submit",
            "D1.3-value": "12000",
            "D1.3-evidence": _pdf("检定量.pdf"),
            "D4.3-value": "2",
        },
    )
    assert response.status_code == 400
    assert not ReportedValue.objects.exists()
    html = response.content.decode()
    assert "提交审核前请上传佐证材料。" in _row(html, "D4.3")
    assert "所选文件未保存，请重新选择。" in _row(html, "D1.3")


def test_it_refuses_a_value_out_of_bounds_with_the_periods_range(county: Client) -> None:
    response = county.post(URL, {"action": "save", "D4.4-value": "9"})  # 20 a year → 5 a quarter
    assert response.status_code == 400
    assert "数值超出允许范围 0～5" in _row(response.content.decode(), "D4.4")


def test_a_value_changed_meanwhile_is_refused_and_kept(county: Client) -> None:
    county.post(URL, {"action": "save", "D1.3-value": "100"})
    page = county.get(URL).content.decode()
    report = ReportedValue.objects.get()
    token = version_token(report)
    assert f'value="{token}"' in page
    ReportedValue.objects.filter(pk=report.pk).update(note="另一位同事的修改")
    response = county.post(URL, {"action": "save", "D1.3-value": "200", "D1.3-version": token})
    assert response.status_code == 400
    assert "保存被拒绝" in _row(response.content.decode(), "D1.3")
    assert ReportedValue.objects.get().value == Decimal(100)


def test_submitted_values_are_shown_read_only(county: Client) -> None:
    county.post(URL, {"action": "submit", "D1.3-value": "100", "D1.3-evidence": _pdf("a.pdf")})
    html = county.get(URL).content.decode()
    assert 'name="D1.3-value"' not in html and "已提交待审核" in _row(html, "D1.3")
    assert 'name="D4.3-value"' in html


def test_a_period_not_open_shows_the_reason_and_no_form() -> None:
    Period.for_code("2023Q1")  # never opened
    inst = f.institution("A")
    client = Client()
    client.force_login(reporter("county", inst))
    html = client.get("/assessment/2023Q1/report/A/").content.decode()
    assert "2023年第1季度尚未开放填报。" in html
    assert 'id="report-form"' not in html and 'value="submit"' not in html
    refused = client.post("/assessment/2023Q1/report/A/", {"action": "save", "D1.3-value": "1"})
    assert refused.status_code == 400 and "2023年第1季度尚未开放填报。" in refused.content.decode()
    assert not ReportedValue.objects.exists()


def test_after_the_deadline_only_a_returned_value_can_be_corrected() -> None:
    period = open_now("2024Q1", days_left=3)
    inst = f.institution("A")
    county, office = reporter("county", inst), user("office")
    returned = ReportedValue.objects.create(period=period, institution=inst, indicator="D1.3", value=5)
    returned.evidence.create(file="a.pdf", original_name="a.pdf", sha256="0" * 64, size=1, uploaded_by=county)
    workflow.submit(returned, county)  # submitted inside the window
    close_now(period)  # now in review
    workflow.return_report(returned, office, "数值与附件不符")
    client = Client()
    client.force_login(county)
    html = client.get(URL).content.decode()
    assert 'name="D1.3-value"' in html and 'name="D4.3-value"' not in html
    assert "的填报已于" in html and "如需补报，请联系市计量院开放补报" in html  # why the rest is closed
    response = client.post(
        URL, {"action": "submit", "D1.3-value": "6", "D1.3-version": version_token(returned)}
    )
    assert response.status_code == 302
    assert ReportedValue.objects.get().status == "submitted"


def test_the_city_sees_a_countys_page_and_leadership_cannot_post(county: Client) -> None:
    leader = user("leader", is_staff=False)
    from qiangji.web.accounts.roles import assign_role

    assign_role(leader, "leadership")
    client = Client()
    client.force_login(leader)
    html = client.get(URL).content.decode()
    assert 'id="report-form"' not in html
    assert client.post(URL, {"action": "save", "D1.3-value": "1"}).status_code == 403


def _row(html: str, code: str) -> str:
    start = html.index(f'id="row-{code}"')
    return html[start : html.index("</tr>", start)]
