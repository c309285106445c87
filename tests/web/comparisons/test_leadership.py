"""Leadership reads every round, in every state, like the programme office: the page with every lab's
submissions (confidentiality before closing binds participants, not the city), the results workbook, the
evaluation with its report files and charts, and the API's submissions and results; and changes nothing
(no submission form, no pilot action, every POST refused with the round unchanged)."""

from __future__ import annotations

from typing import Any

import pytest

from qiangji.web.accounts.roles import assign_role
from qiangji.web.api.models import ApiToken
from qiangji.web.comparisons import access
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound, Submission
from tests.web.comparisons.test_views import URL, _xlsx_labs, client_for

Status = ComparisonRound.Status
LABS = {"P", "L1", "L2", "L3"}


@pytest.fixture
def leader(filled: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("director")
    assign_role(user, "leadership")
    return user


def _set(world: dict[str, Any], status: str) -> ComparisonRound:
    rnd: ComparisonRound = world["round"]
    if status in (Status.EVALUATED, Status.REPORTED):
        rnd.status = Status.CLOSED
        rnd.save()
        evaluate_round(rnd, method="pilot", options={})
        rnd.refresh_from_db()
    rnd.status = status
    rnd.save()
    return rnd


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_leadership_reads_the_round_and_every_submission(
    filled: dict[str, Any], leader: Any, status: str
) -> None:
    rnd = _set(filled, status)
    c = client_for(leader)
    assert rnd in access.visible_rounds(leader)
    assert rnd.code in c.get("/comparisons/").content.decode()
    page = c.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('id="submissions"')[1].split("</table>")[0]
    assert all(f"<td>{lab}</td>" in table for lab in LABS)
    assert "submit-form" not in html and "evaluate-form" not in html
    assert "close-round" not in html and "open-round" not in html and "issue-report" not in html
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == LABS
    token = {"Authorization": f"Bearer {ApiToken.issue(leader, 't')[1]}"}
    api = c.get(f"/api/v1/comparisons/rounds/{rnd.code}/submissions", headers=token)
    assert api.status_code == 200 and {r["lab_code"] for r in api.json()} == LABS
    results = c.get(f"/api/v1/comparisons/rounds/{rnd.code}/results", headers=token)
    assert results.status_code == 200
    evaluated = status in (Status.EVALUATED, Status.REPORTED)
    assert {r["lab_code"] for r in results.json()} == (LABS if evaluated else set())


@pytest.mark.parametrize("status", [Status.EVALUATED, Status.REPORTED])
def test_leadership_reads_the_evaluation_and_report_files(
    filled: dict[str, Any], leader: Any, status: str
) -> None:
    _set(filled, status)
    c = client_for(leader)
    html = c.get(URL).content.decode()
    assert 'class="table results"' in html and "report.pdf" in html
    xlsx = c.get(URL + "report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = c.get(URL + "report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    chart = c.get(URL + "chart-1.svg")
    assert chart.status_code == 200 and b"<svg" in chart.content


def test_leadership_changes_nothing(filled: dict[str, Any], leader: Any) -> None:
    c = client_for(leader)
    before = list(Submission.objects.order_by("pk").values_list("x", flat=True))
    assert c.post(URL + "submit/", {"p1-x": "9", "p1-U": "1", "p1-k": "2"}).status_code == 403
    assert c.post(URL + "close/").status_code == 403
    _set(filled, Status.CLOSED)
    assert c.post(URL + "evaluate/", {"method": "pilot"}).status_code == 403
    filled["round"].refresh_from_db()
    assert filled["round"].status == Status.CLOSED and not filled["round"].evaluations.exists()
    assert list(Submission.objects.order_by("pk").values_list("x", flat=True)) == before
