"""Leadership and the city reviewers read every round in every state (the role table: leadership reads
everything, a reviewer everything but accounts), also a round their institution neither pilots nor takes
part in: the list, the page with every lab's submissions (confidentiality before closing binds participants,
not the city), the results workbook, the evaluation with its report files, charts and corrective actions,
and the API's submissions and results. The pilot's actions (open, close, evaluate, issue the report) stay
with the round's pilot and the programme admin: such a reader gets no form or pilot button, and its POSTs
are refused with the round unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.api.models import ApiToken
from qiangji.web.comparisons import access
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound, Submission
from qiangji.web.registry.models import Institution
from tests.web.comparisons.test_views import URL, _xlsx_labs, client_for

Status = ComparisonRound.Status
LABS = {"P", "L1", "L2", "L3"}
PILOT_BUTTONS = ("open-round", "close-round", "evaluate-form", "issue-report")
EVALUATE = {"method": "pilot", "alpha": "0.05", "correlated": "auto", "U_ts": "0", "seed": "0"}


@pytest.fixture(params=["leadership", "reviewer without institution", "reviewer of another city institute"])
def reader(filled: dict[str, Any], request: Any) -> Any:
    """A city-side reader whose institution neither pilots the round nor takes part in it."""
    user = get_user_model().objects.create_user("reader")
    if request.param == "leadership":
        assign_role(user, "leadership")
        return user
    inst = None
    if request.param == "reviewer of another city institute":
        inst = Institution.objects.create(
            code="TZQ", name="台州市质量检测院（示例）", level=Institution.Level.CITY
        )
    assign_role(user, "reviewer", inst)
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


def _stored(rnd: ComparisonRound) -> tuple[str, bool, list[Any]]:
    rnd.refresh_from_db()
    values = list(Submission.objects.order_by("pk").values_list("x", flat=True))
    return rnd.status, rnd.evaluations.exists(), values


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_it_shows_the_round_and_every_submission(filled: dict[str, Any], reader: Any, status: str) -> None:
    rnd = _set(filled, status)
    c = client_for(reader)
    assert rnd in access.visible_rounds(reader)
    assert rnd.code in c.get("/comparisons/").content.decode()
    page = c.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('id="submissions"')[1].split("</table>")[0]
    assert all(f"<td>{lab}</td>" in table for lab in LABS)
    assert "submit-form" not in html and not any(button in html for button in PILOT_BUTTONS)
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == LABS


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_the_api_gives_the_submissions_and_results(filled: dict[str, Any], reader: Any, status: str) -> None:
    rnd = _set(filled, status)
    c = client_for(reader)
    token = {"Authorization": f"Bearer {ApiToken.issue(reader, 't')[1]}"}
    api = c.get(f"/api/v1/comparisons/rounds/{rnd.code}/submissions", headers=token)
    assert api.status_code == 200 and {r["lab_code"] for r in api.json()} == LABS
    results = c.get(f"/api/v1/comparisons/rounds/{rnd.code}/results", headers=token)
    assert results.status_code == 200
    evaluated = status in (Status.EVALUATED, Status.REPORTED)
    assert {r["lab_code"] for r in results.json()} == (LABS if evaluated else set())


@pytest.mark.parametrize("status", [Status.EVALUATED, Status.REPORTED])
def test_it_shows_the_evaluation_report_files_and_actions(
    filled: dict[str, Any], reader: Any, status: str
) -> None:
    _set(filled, status)
    c = client_for(reader)
    html = c.get(URL).content.decode()
    assert 'class="table results"' in html and "report.pdf" in html
    actions = html.split("<h2>整改项</h2>")[1]
    assert "示例县计量所3（示例）" in actions  # L3's corrective action (En ≈ 2.68 against the pilot)
    xlsx = c.get(URL + "report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = c.get(URL + "report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    chart = c.get(URL + "chart-1.svg")
    assert chart.status_code == 200 and b"<svg" in chart.content


def test_it_leaves_the_pilot_actions_to_the_pilot(filled: dict[str, Any], reader: Any) -> None:
    c = client_for(reader)
    rnd = filled["round"]
    before = _stored(rnd)
    assert c.post(URL + "submit/", {"p1-x": "9", "p1-U": "1", "p1-k": "2"}).status_code == 403
    assert c.post(URL + "close/").status_code == 403
    assert _stored(rnd) == before
    _set(filled, Status.CLOSED)
    assert c.post(URL + "evaluate/", EVALUATE).status_code == 403
    assert _stored(rnd)[:2] == (Status.CLOSED, False)
    _set(filled, Status.EVALUATED)
    assert c.post(URL + "report/").status_code == 403
    assert _stored(rnd)[0] == Status.EVALUATED
    rnd.status = Status.DRAFT
    rnd.save()
    assert c.post(URL + "open/").status_code == 403
    assert _stored(rnd)[0] == Status.DRAFT and _stored(rnd)[2] == before[2]
    assert not access.is_pilot(reader, rnd)


def test_the_pilots_reviewer_still_closes_and_evaluates(filled: dict[str, Any]) -> None:
    c = client_for(filled["pilot_user"])
    assert c.post(URL + "close/").status_code == 302
    assert c.post(URL + "evaluate/", EVALUATE).status_code == 302
    filled["round"].refresh_from_db()
    assert filled["round"].status == Status.EVALUATED
