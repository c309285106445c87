"""The web workflow: confidentiality before closing (pages and exports), submission, pilot actions."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from qiangji.web.accounts.locking import version_token
from qiangji.web.comparisons.models import ComparisonRound, Submission

URL = "/comparisons/CMP-2025-01/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx_labs(response: Any) -> set[str]:
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}


def _close(world: dict[str, Any]) -> None:
    client_for(world["pilot_user"]).post(URL + "close/")


def test_it_shows_a_participant_only_its_own_results_while_open(filled: dict[str, Any]) -> None:
    c = client_for(filled["users"][0])
    page = c.get(URL).content.decode()
    table = page.split('id="submissions"')[1]
    assert "<td>L1</td>" in table and "<td>L2</td>" not in table and "<td>L3</td>" not in table
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == {"L1"}


def test_it_shows_everything_to_the_pilot_while_open(filled: dict[str, Any]) -> None:
    c = client_for(filled["pilot_user"])
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == {"P", "L1", "L2", "L3"}


def test_it_releases_results_once_the_pilot_closes(filled: dict[str, Any]) -> None:
    _close(filled)
    c = client_for(filled["users"][0])
    assert _xlsx_labs(c.get(URL + "results.xlsx")) == {"P", "L1", "L2", "L3"}


def test_it_refuses_outsiders(filled: dict[str, Any]) -> None:
    c = client_for(filled["outsider"])
    assert c.get(URL).status_code == 403
    assert c.get(URL + "results.xlsx").status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page


def test_it_refuses_a_participant_as_pilot(filled: dict[str, Any]) -> None:
    c = client_for(filled["users"][0])
    assert c.post(URL + "close/").status_code == 403
    assert c.post(URL + "evaluate/", {"method": "mean"}).status_code == 403


def test_it_saves_a_submission(world: dict[str, Any]) -> None:
    c = client_for(world["users"][1])
    r = c.post(URL + "submit/", {"p1-x": "0.25", "p1-U": "0.8", "p1-k": "2", "p1-measured_on": "2025-03-04"})
    assert r.status_code == 302
    sub = Submission.objects.get()
    assert (sub.participant.lab_code, sub.x, sub.U, sub.point.order) == ("L2", 0.25, 0.8, 1)
    assert sub.submitted_by == world["users"][1]
    edit = {"p1-x": "0.3", "p1-U": "0.8", "p1-k": "2", "p1-measured_on": "2025-03-04"}
    c.post(URL + "submit/", {**edit, "p1-_version": version_token(sub)})  # the version the page showed
    assert Submission.objects.get().x == 0.3  # editable until the deadline


def test_it_names_the_field_of_a_bad_submission(world: dict[str, Any]) -> None:
    c = client_for(world["users"][1])
    r = c.post(URL + "submit/", {"p1-x": "0.25", "p1-U": "0", "p1-k": "2", "p1-measured_on": "2025-03-04"})
    assert r.status_code == 400 and "扩展不确定度 U 必须大于 0" in r.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_submissions_after_the_deadline(world: dict[str, Any]) -> None:
    ComparisonRound.objects.update(deadline=timezone.now() - dt.timedelta(minutes=1))
    c = client_for(world["users"][1])
    c.post(URL + "submit/", {"p1-x": "0.25", "p1-U": "0.8", "p1-k": "2", "p1-measured_on": "2025-03-04"})
    assert not Submission.objects.exists()


def test_the_pilot_runs_the_round_to_its_report(filled: dict[str, Any]) -> None:
    pilot = client_for(filled["pilot_user"])
    lab = client_for(filled["users"][0])
    _close(filled)
    assert lab.get(URL + "report.xlsx").status_code == 403
    r = pilot.post(
        URL + "evaluate/",
        {"method": "pilot", "alpha": "0.05", "correlated": "auto", "U_ts": "0", "seed": "0"},
    )
    assert r.status_code == 302
    assert pilot.get(URL + "report.xlsx").status_code == 200
    assert lab.get(URL + "report.xlsx").status_code == 403  # draft report: pilot only
    pilot.post(URL + "report/")
    rnd = ComparisonRound.objects.get()
    assert rnd.status == "reported" and rnd.reported_on == timezone.localdate()
    assert lab.get(URL + "report.xlsx").status_code == 200
    page = lab.get(URL).content.decode()
    assert "2.68" in page and "不满意" in page
    assert b"L3" in lab.get(URL + "chart-1.svg").content


@pytest.mark.parametrize("status", ["draft", "open"])
def test_it_has_no_report_before_evaluation(filled: dict[str, Any], status: str) -> None:
    ComparisonRound.objects.update(status=status)
    assert client_for(filled["pilot_user"]).get(URL + "report.pdf").status_code == 403


def test_it_lists_only_the_users_rounds(filled: dict[str, Any]) -> None:
    assert "CMP-2025-01" in client_for(filled["users"][0]).get("/comparisons/").content.decode()
    assert "CMP-2025-01" not in client_for(filled["outsider"]).get("/comparisons/").content.decode()
