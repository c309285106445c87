"""A comparison round in the browser: a participant submits and sees only its own results; the pilot closes
and evaluates; the report section shows X_ref, the En table with verdicts and the degrees-of-equivalence
chart. Everything the test needs is created here (transactional tests start from an empty database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.comparisons.models import ComparisonRound, MeasurementPoint, Participant, Submission
from qiangji.web.registry.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "CMP-2025-07"
PASSWORD = "Browser-test-2025!"
D = dt.date


def make_round() -> dict[str, Any]:
    """Pilot TZ (city) and three county labs; P, L2 and L3 have submitted, L1 (C1) has not yet.

    Pilot reference, En = d / sqrt(U_i² + U_P²) (k = 2): at 200 g L3 is 3.0 mg off with U = 1.0 mg against
    U_P = 0.5 mg → En = 3.0/sqrt(1.25) = 2.68 (unsatisfactory); L1 will submit 0.4 ± 1.0 → En = 0.36.
    """
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    labs = [
        Institution.objects.create(code=f"C{i}", name=f"示例县计量所{i}（示例）", level="county")
        for i in (1, 2, 3)
    ]
    rnd = ComparisonRound.objects.create(
        code=CODE, name="200 g 砝码质量比对（示例）", year=2025, quantity="质量", unit="mg", pilot=city,
        transfer_standard="F1 级 200 g 砝码（示例）", deadline=timezone.now() + dt.timedelta(days=5),
        status=ComparisonRound.Status.OPEN, reference_method="pilot",
    )  # fmt: skip
    p1 = MeasurementPoint.objects.create(round=rnd, order=1, label="200 g", nominal=200.0)
    p2 = MeasurementPoint.objects.create(round=rnd, order=2, label="100 g", nominal=100.0)
    parts = [Participant.objects.create(round=rnd, institution=city, lab_code="P")]
    parts += [
        Participant.objects.create(round=rnd, institution=c, lab_code=f"L{i}") for i, c in enumerate(labs, 1)
    ]
    for part, point, x, U in [
        (parts[0], p1, 0.0, 0.5), (parts[2], p1, -0.6, 1.0), (parts[3], p1, 3.0, 1.0),
        (parts[0], p2, 0.10, 0.30), (parts[2], p2, 0.0, 0.60), (parts[3], p2, 0.25, 0.60),
    ]:  # fmt: skip
        Submission.objects.create(participant=part, point=point, x=x, U=U, k=2.0, measured_on=D(2025, 3, 3))
    users = {}
    for name, role, inst in [("pilot", "reviewer", city), ("lab1", "reporter", labs[0])]:
        users[name] = get_user_model().objects.create_user(name, password=PASSWORD)
        assign_role(users[name], role, inst)
    return {"round": rnd}


def login(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/admin/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{then}")


def submissions(page: Any) -> list[str]:
    """The lab codes in the submissions table, one per row."""
    return page.locator("#submissions tbody tr td:nth-child(2)").all_inner_texts()


def test_a_round_from_submission_to_report(page, new_page, live_server, output_dir) -> None:
    make_round()
    url = f"/comparisons/{CODE}/"
    login(page, live_server.url, "lab1", url)
    assert submissions(page) == []  # others have submitted, but the participant sees only its own
    for prefix, x, U in (("p1", "0.4", "1.0"), ("p2", "0.20", "0.60")):
        page.fill(f"input[name={prefix}-x]", x)
        page.fill(f"input[name={prefix}-U]", U)
        page.fill(f"input[name={prefix}-k]", "2")
        page.fill(f"input[name={prefix}-measured_on]", "2025-03-10")
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#submissions tbody tr td:nth-child(2)")
    assert submissions(page) == ["L1", "L1"]
    assert "已保存 2 个测量点的结果" in page.content()
    assert page.request.get(live_server.url + url + "report.pdf").status == 403
    assert page.request.get(live_server.url + url + "results.xlsx").ok  # own results only (tested in web)

    pilot = new_page()  # the pilot signs in in a context of its own, closed with the test
    login(pilot, live_server.url, "pilot", url)
    assert sorted(set(submissions(pilot))) == ["L1", "L2", "L3", "P"]
    pilot.click("#close-round")
    pilot.wait_for_selector("#evaluate-form")
    assert pilot.locator("#status").inner_text() == "已截止"
    pilot.select_option("#evaluate-form select[name=method]", "pilot")
    pilot.click("#evaluate")
    pilot.wait_for_selector("table.results")
    assert pilot.locator("#status").inner_text() == "已评价"

    headings = pilot.locator("h3").all_inner_texts()
    assert headings[0].startswith("200 g: X_ref = 0, U = 0.5（主导实验室参考值）")  # the pilot's x_P and U_P
    assert headings[1].startswith("100 g: X_ref = 0.1, U = 0.3")
    first = pilot.locator("table.results").first
    rows = {r.split("\t")[0]: r.split("\t") for r in first.locator("tbody tr").all_inner_texts()}
    assert rows["L1"][5] == "0.36" and rows["L1"][7] == "满意"
    assert rows["L2"][5] == "-0.54" and rows["L2"][7] == "满意"
    assert rows["L3"][5] == "2.68" and rows["L3"][7] == "不满意"
    assert rows["P"][5] == "—"  # the pilot's value is the reference
    chart = pilot.locator("img[alt='等效度图']").first
    chart.scroll_into_view_if_needed()
    pilot.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    svg = pilot.request.get(live_server.url + url + "chart-1.svg").text()
    assert "L3" in svg and "<svg" in svg
    assert "整改项" in pilot.content()  # |En| > 1 opened a corrective action for C3
    pilot.screenshot(path=str(output_dir / "comparison-report.png"), full_page=True)

    page.reload()
    assert sorted(set(submissions(page))) == ["L1", "L2", "L3", "P"]  # released once the pilot closed
    assert page.locator("table.results").count() == 0  # the draft report is for the pilot only

    pilot.click("#issue-report")
    pilot.wait_for_selector("#status:has-text('已出报告')")
    page.reload()
    assert page.locator("table.results").count() == 2  # the issued report, for every participant
    assert "2.68" in page.locator("table.results").first.inner_text()
    assert page.request.get(live_server.url + url + "report.pdf").ok
