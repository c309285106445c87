"""No lost update in the supervision forms: of two edits loaded at the same version (two inspectors, or two
tabs), the second is refused with the conflict message and the first one's change is kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from qiangji.web.assessment.models import Period, Rectification, SupervisionVisit
from qiangji.web.registry.models import SupervisionFinding
from tests.web.registry import factories as f

from .helpers import D, user

pytestmark = pytest.mark.django_db
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
REFUSED = "保存被拒绝"


@pytest.fixture
def visit() -> SupervisionVisit:
    return SupervisionVisit.create_with_checklist(
        period=Period.for_code("2024Q1"), institution=f.institution("A"), visited_on=D(2024, 3, 1),
        inspectors="王某（示例）",
    )  # fmt: skip


def _loaded(name: str, url: str) -> tuple[Client, str]:
    c = Client()
    c.force_login(user(name))
    return c, c.get(url).content.decode()


def _scores(page: str, awarded: str, summary: str) -> dict[str, str]:
    """The checklist form as loaded (hidden ids and versions), every item given ``awarded``."""
    data = {k: v for k, v in HIDDEN.findall(page) if k.startswith(("items-", "visit_version"))}
    for key in [k for k in data if k.endswith("-id")]:
        data[key.replace("-id", "-awarded")] = awarded
    return {**data, "summary": summary}


def test_a_stale_checklist_save_is_refused_and_the_first_kept(visit: SupervisionVisit) -> None:
    url = f"/assessment/visits/{visit.pk}/"
    first, page_1 = _loaded("inspector1", url)
    second, page_2 = _loaded("inspector2", url)
    assert "items-0-_version" in page_1 and 'name="visit_version"' in page_1
    assert "已保存" in first.post(url, _scores(page_1, "1", "甲的意见"), follow=True).content.decode()
    answer = second.post(url, _scores(page_2, "0", "乙的意见"), follow=True).content.decode()
    assert REFUSED in answer and "甲的意见" in answer
    visit.refresh_from_db()
    assert visit.summary == "甲的意见"
    assert all(i.awarded == 1 for i in visit.items.all())


def test_a_summary_edit_after_another_score_change_is_refused(visit: SupervisionVisit) -> None:
    """Only the visit row changed in between (the items did not): still refused."""
    url = f"/assessment/visits/{visit.pk}/"
    first, page_1 = _loaded("inspector1", url)
    second, page_2 = _loaded("inspector2", url)
    first.post(url, {**_scores(page_1, "", "甲的意见")})
    second.post(url, {**_scores(page_2, "", "乙的意见"), "complete": "1"})
    visit.refresh_from_db()
    assert (visit.summary, visit.status) == ("甲的意见", SupervisionVisit.Status.PLANNED)


def _finding(visit: SupervisionVisit) -> SupervisionFinding:
    finding = SupervisionFinding.objects.create(
        institution=visit.institution, found_on=visit.visited_on, source="supervision", severity="minor",
        description="记录不全（示例）", due_on=D(2024, 4, 30),
    )  # fmt: skip
    visit.findings.add(finding)
    return finding


def test_a_rectification_against_a_changed_finding_is_refused(visit: SupervisionVisit) -> None:
    finding = _finding(visit)
    url = f"/assessment/visits/{visit.pk}/"
    county, page = _loaded("inspector1", url)
    seen = dict(HIDDEN.findall(page))["_version"]
    finding.description = "记录不全，且签字缺失（示例）"  # the inspector sharpened the finding meanwhile
    finding.save()
    rectify = f"/assessment/findings/{finding.pk}/rectify/"
    answer = county.post(rectify, {"measures": "补全记录", "_version": seen}, follow=True).content.decode()
    assert REFUSED in answer and "签字缺失" in answer
    assert not Rectification.objects.exists()
    fresh = dict(HIDDEN.findall(county.get(url).content.decode()))["_version"]
    county.post(rectify, {"measures": "补全记录并签字", "_version": fresh})
    assert Rectification.objects.get().measures == "补全记录并签字"


def test_a_stale_review_of_a_rectification_is_refused_and_the_first_kept(visit: SupervisionVisit) -> None:
    finding = _finding(visit)
    rect = _rect(finding)
    url = f"/assessment/visits/{visit.pk}/"
    review = f"/assessment/rectifications/{rect.pk}/review/"
    first, page_1 = _loaded("chief1", url)
    second, page_2 = _loaded("chief2", url)
    v1 = re.search(r'review/">.*?name="_version" value="([^"]*)"', page_1, re.S)
    v2 = re.search(r'review/">.*?name="_version" value="([^"]*)"', page_2, re.S)
    assert v1 and v2 and v1.group(1) == v2.group(1)
    first.post(review, {"accept": "", "note": "证据不足", "_version": v1.group(1)})
    answer = second.post(review, {"accept": "1", "note": "整改到位", "_version": v2.group(1)}, follow=True)
    rect.refresh_from_db()
    finding.refresh_from_db()
    assert (rect.status, rect.review_note) == (Rectification.Status.REJECTED, "证据不足")
    assert finding.closed_on is None
    assert "不能再验证" in answer.content.decode()  # refused by the status guard before the version


def _rect(finding: SupervisionFinding) -> Rectification:
    return Rectification.objects.create(
        finding=finding, measures="补全记录", submitted_on=D(2024, 4, 1), submitted_by=user("county")
    )


def test_a_review_of_a_rectification_changed_meanwhile_is_refused(visit: SupervisionVisit) -> None:
    rect = _rect(_finding(visit))
    chief, page = _loaded("chief1", f"/assessment/visits/{visit.pk}/")
    seen = re.search(r'review/">.*?name="_version" value="([^"]*)"', page, re.S)
    assert seen
    rect.measures = "补全记录，并增加复核签字"  # the county amended its report in the meantime
    rect.save()
    answer = chief.post(
        f"/assessment/rectifications/{rect.pk}/review/",
        {"accept": "1", "note": "整改到位", "_version": seen.group(1)},
        follow=True,
    ).content.decode()
    rect.refresh_from_db()
    assert REFUSED in answer and "增加复核签字" in answer
    assert rect.status == Rectification.Status.SUBMITTED and rect.finding.closed_on is None
