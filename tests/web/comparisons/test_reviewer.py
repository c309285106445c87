"""A city reviewer reads every round in every state, like leadership (the role table: a reviewer sees
everything but accounts), also one its institution neither pilots nor takes part in: the list, the page with
every lab's submissions, the results workbook, the evaluation with its report files, charts and corrective
actions. The pilot's actions (open, close, evaluate, issue the report) stay with the round's pilot and the
programme admin: such a reviewer gets no pilot button, and its POSTs are refused with the round unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.comparisons import access
from qiangji.web.comparisons.models import ComparisonRound, Submission
from qiangji.web.registry.models import Institution
from tests.web.comparisons.test_leadership import LABS, _set
from tests.web.comparisons.test_views import URL, _xlsx_labs, client_for

Status = ComparisonRound.Status
PILOT_BUTTONS = ("open-round", "close-round", "evaluate-form", "issue-report")
EVALUATE = {"method": "pilot", "alpha": "0.05", "correlated": "auto", "U_ts": "0", "seed": "0"}


@pytest.fixture(params=["no institution", "another city institute"])
def reviewer(filled: dict[str, Any], request: Any) -> Any:
    """A reviewer whose institution neither pilots the round nor takes part in it."""
    inst = None
    if request.param == "another city institute":
        inst = Institution.objects.create(
            code="TZQ", name="台州市质量检测院（示例）", level=Institution.Level.CITY
        )
    user = get_user_model().objects.create_user("inspector")
    assign_role(user, "reviewer", inst)
    return user


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_it_shows_a_reviewer_the_round_and_every_submission(
    filled: dict[str, Any], reviewer: Any, status: str
) -> None:
    rnd = _set(filled, status)
    c = client_for(reviewer)
    assert rnd in access.visible_rounds(reviewer)
    assert rnd.code in c.get("/comparisons/").content.decode()
    page = c.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('id="submissions"')[1].split("</table>")[0]
    assert all(f"<td>{lab}</td>" in table for lab in LABS)
    assert "submit-form" not in html and not any(button in html for button in PILOT_BUTTONS)
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == LABS


@pytest.mark.parametrize("status", [Status.EVALUATED, Status.REPORTED])
def test_it_shows_a_reviewer_the_evaluation_report_files_and_actions(
    filled: dict[str, Any], reviewer: Any, status: str
) -> None:
    _set(filled, status)
    c = client_for(reviewer)
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


def test_it_leaves_the_pilot_actions_to_the_pilot(filled: dict[str, Any], reviewer: Any) -> None:
    c = client_for(reviewer)
    before = list(Submission.objects.order_by("pk").values_list("x", flat=True))
    assert c.post(URL + "submit/", {"p1-x": "9", "p1-U": "1", "p1-k": "2"}).status_code == 403
    assert c.post(URL + "close/").status_code == 403
    _set(filled, Status.CLOSED)
    assert c.post(URL + "evaluate/", EVALUATE).status_code == 403
    rnd = filled["round"]
    rnd.refresh_from_db()
    assert rnd.status == Status.CLOSED and not rnd.evaluations.exists()
    _set(filled, Status.EVALUATED)
    assert c.post(URL + "report/").status_code == 403
    rnd.status = Status.DRAFT
    rnd.save()
    assert c.post(URL + "open/").status_code == 403
    rnd.refresh_from_db()
    assert rnd.status == Status.DRAFT
    assert list(Submission.objects.order_by("pk").values_list("x", flat=True)) == before
    assert not access.is_pilot(reviewer, rnd)


def test_the_pilots_reviewer_still_closes_and_evaluates(filled: dict[str, Any]) -> None:
    c = client_for(filled["pilot_user"])
    assert c.post(URL + "close/").status_code == 302
    assert c.post(URL + "evaluate/", EVALUATE).status_code == 302
    filled["round"].refresh_from_db()
    assert filled["round"].status == Status.EVALUATED
