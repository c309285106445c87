"""An institution's registry lists: who may open them, and what each shows as of a date."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from qiangji.web.registry.models import VerificationCertificate
from tests.web.registry import factories as f
from tests.web.registry.pages_world import DAY, TODAY, client_as

SECTIONS = ["staff", "standards", "instruments", "items", "certificates"]


def rows(response: Any) -> list[str]:
    text = response.content.decode()
    body = text[text.index('id="rows"') :].split("<tbody>")[1].split("</tbody>")[0]
    return [r for r in body.split("</tr>") if "<td" in r]


@pytest.mark.parametrize("slug", SECTIONS)
@pytest.mark.parametrize(
    ("who", "status"),
    [("reporter", 200), ("other_reporter", 403), ("admin", 200), ("reviewer", 200), ("leadership", 200)],
)
def test_it_opens_an_institution_list_per_role(
    world: dict[str, Any], who: str, status: int, slug: str
) -> None:
    c = client_as(world["users"][who])
    assert c.get(reverse("registry:section", args=["C1", slug])).status_code == status
    assert c.get(reverse("registry:export", args=["C1", slug])).status_code == status


def test_it_sends_the_public_to_the_login_page(world: dict[str, Any]) -> None:
    response = client_as(None).get(reverse("registry:section", args=["C1", "staff"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_public_page_links_the_lists_only_for_those_who_may_open_them(world: dict[str, Any]) -> None:
    link = reverse("registry:section", args=["C1", "staff"])
    url = reverse("registry:institution", args=["C1"])
    assert link in client_as(world["users"]["reporter"]).get(url).content.decode()
    assert link in client_as(world["users"]["leadership"]).get(url).content.decode()
    assert link not in client_as(world["users"]["other_reporter"]).get(url).content.decode()


def test_staff_show_their_registration_state_as_of_a_date(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    found = rows(c.get(reverse("registry:section", args=["C1", "staff"])))
    assert len(found) == 2  # 钱七 left 400 days ago
    wang = next(r for r in found if "王五" in r)
    zhao = next(r for r in found if "赵六" in r)
    assert "REG-VALID" in wang and "有效" in wang and "state-valid" in wang
    assert "REG-EXPIRED" in zhao and "已过期" in zhao and "state-expired" in zhao
    earlier = (
        TODAY - 10 * DAY
    ).isoformat()  # zhao's registration still valid then, within 90 days of its end
    zhao_then = next(
        r
        for r in rows(c.get(reverse("registry:section", args=["C1", "staff"]), {"on": earlier}))
        if "赵六" in r
    )
    assert "即将到期" in zhao_then
    everyone = rows(c.get(reverse("registry:section", args=["C1", "staff"]), {"scope": "all"}))
    assert any("钱七" in r for r in everyone)
    expired_only = rows(c.get(reverse("registry:section", args=["C1", "staff"]), {"state": "expired"}))
    assert len(expired_only) == 1 and "赵六" in expired_only[0]


def test_standards_flag_certificates_expiring_within_the_window(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reviewer"])
    url = reverse("registry:section", args=["C1", "standards"])
    found = rows(c.get(url))
    assert "即将到期" in next(r for r in found if "电子天平" in r)  # expires in 30 days, window 90
    assert "有效" in next(r for r in found if "内部校准" in r)
    narrow = rows(c.get(url, {"days": 10}))
    assert "即将到期" not in next(r for r in narrow if "电子天平" in r)
    later = rows(c.get(url, {"on": (TODAY + 31 * DAY).isoformat()}))
    assert "已过期" in next(r for r in later if "电子天平" in r)
    public = rows(c.get(url, {"public": "no"}))
    assert len(public) == 1 and "内部校准" in public[0]


def test_instruments_show_their_latest_certificate_state(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["leadership"])
    url = reverse("registry:section", args=["C1", "instruments"])
    found = rows(c.get(url))
    assert len(found) == 2
    assert sum("已过期" in r for r in found) == 1 and sum("即将到期" in r for r in found) == 1
    assert len(rows(c.get(url, {"state": "expired"}))) == 1


def test_authorised_items_as_of_a_date(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    url = reverse("registry:section", args=["C1", "items"])
    assert [("电子计价秤" in r) for r in rows(c.get(url))] == [True]
    then = rows(c.get(url, {"on": (TODAY - 400 * DAY).isoformat()}))
    assert len(then) == 1 and "出租车计价器" in then[0]
    assert len(rows(c.get(url, {"scope": "all"}))) == 2


def test_certificates_are_filtered_by_date_range_and_conclusion_and_paginated(world: dict[str, Any]) -> None:
    people = [world["wang"], world["zhao"], world["wang"]]
    for n in range(55):
        cert = f.certificate(
            world["c1"], cert_no=f"JD-{n:03}", verified_on=TODAY - (n + 1) * DAY,
            valid_until=TODAY + 300 * DAY,
            verifier=people[0], checker=people[1], approver=people[2],
            conclusion="fail" if n % 5 == 0 else "pass",
        )  # fmt: skip
        cert.save()
    c = client_as(world["users"]["reporter"])
    url = reverse("registry:section", args=["C1", "certificates"])
    first = c.get(url)
    assert len(rows(first)) == 50 and "第 1 / 2 页，共 55 条" in first.content.decode()
    assert len(rows(c.get(url, {"page": 2}))) == 5
    fails = rows(c.get(url, {"conclusion": "fail"}))
    assert len(fails) == 11 and all("不合格" in r for r in fails)
    week = {"start": (TODAY - 7 * DAY).isoformat(), "end": (TODAY - DAY).isoformat()}
    assert len(rows(c.get(url, week))) == 7
    backwards = c.get(url, {"start": TODAY.isoformat(), "end": (TODAY - DAY).isoformat()})
    assert "结束日期不能早于开始日期" in backwards.content.decode()
    assert VerificationCertificate.objects.count() == 55


def test_a_reporter_sees_proposal_links_on_its_own_lists_and_others_do_not(world: dict[str, Any]) -> None:
    url = reverse("registry:section", args=["C1", "staff"])
    change = reverse("registry:propose_change", args=["C1", "staff", world["wang"].pk])
    assert change in client_as(world["users"]["reporter"]).get(url).content.decode()
    for who in ["admin", "reviewer", "leadership"]:
        assert change not in client_as(world["users"][who]).get(url).content.decode(), who
