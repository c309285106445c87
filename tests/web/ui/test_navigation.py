"""The header shows each role only what it may open: every link answers 200 for that role, and the
pages named in issue 18 as dead ends now lead somewhere the role may use."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qiangji.web.assessment.models import Period, SupervisionVisit

from .conftest import header, links, main, signed_in

SKIP = ("/accounts/", "/i18n/")  # forms, not pages to open


def nav_links(c: Client) -> list[str]:
    return [href for href in links(header(c.get("/").content.decode())) if not href.startswith(SKIP)]


@pytest.mark.parametrize("role", ["admin", "reviewer", "reporter", "leadership", "no_role", "anonymous"])
def test_every_header_link_opens_for_the_role(world: dict[str, Any], role: str) -> None:
    c = Client() if role == "anonymous" else signed_in(world[role])
    hrefs = nav_links(c)
    assert hrefs
    for href in hrefs:
        response = c.get(href)
        assert response.status_code == 200, (role, href, response.status_code, response.get("Location"))


def test_a_reporter_gets_its_own_programme_page(world: dict[str, Any]) -> None:
    hrefs = nav_links(signed_in(world["reporter"]))
    assert "/programme/institutions/C1/" in hrefs and "/programme/" not in hrefs
    assert "/publish/" not in hrefs and "/admin/" not in hrefs


def test_leadership_sees_the_city_pages_but_not_the_admin(world: dict[str, Any]) -> None:
    hrefs = nav_links(signed_in(world["leadership"]))
    assert {"/programme/", "/publish/", "/home/"} <= set(hrefs) and "/admin/" not in hrefs


def test_an_account_without_a_role_sees_only_public_links(world: dict[str, Any]) -> None:
    hrefs = nav_links(signed_in(world["no_role"]))
    assert set(hrefs) <= {"/", "/institutions/"}


def test_the_public_institution_list_opens_without_login(world: dict[str, Any]) -> None:
    response = Client().get("/institutions/")
    assert response.status_code == 200 and "示例县计量所1（示例）" in main(response.content.decode())


def test_the_institution_results_page_has_the_sites_layout(world: dict[str, Any]) -> None:
    c = signed_in(world["reporter"])
    html = c.get("/comparisons/institutions/C1/").content.decode()
    assert "<header>" in html and "<h1>" in html and "计量比对结果" in main(html)
    fragment = c.get("/comparisons/institutions/C1/", HTTP_HX_REQUEST="true").content.decode()
    assert "<header>" not in fragment and fragment.lstrip().startswith("<section")


@pytest.fixture
def visit(world: dict[str, Any]) -> SupervisionVisit:
    import datetime as dt

    return SupervisionVisit.create_with_checklist(
        period=Period.for_code("2024Q1"), institution=world["c1"], visited_on=dt.date(2024, 3, 1),
        inspectors="王某（示例）",
    )  # fmt: skip


@pytest.mark.parametrize(("role", "scores"), [("reviewer", True), ("reporter", False), ("leadership", False)])
def test_the_visit_page_shows_the_scoring_form_only_to_inspectors(
    world: dict[str, Any], visit: SupervisionVisit, role: str, scores: bool
) -> None:
    html = main(signed_in(world[role]).get(f"/assessment/visits/{visit.pk}/").content.decode())
    assert ('name="items-0-awarded"' in html) is scores
    assert (f'action="/assessment/visits/{visit.pk}/findings/"' in html) is scores
    assert 'id="checklist"' in html  # everyone who may open the page reads the checklist
