"""Each role signs in through the site's own login page, opens every link of its header (each answers
200, with no console error or CSP violation), and meets the site's own error page where it may not go.
Screenshots: test-output/roles-<role>-<page>.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.accounts.roles import assign_role
from qiangji.web.assessment.models import Period
from qiangji.web.registry.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "roles-browser-test-pw-7"  # a throwaway account of the test database
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective));
"""
#: A page each role may not open, and what the site answers there.
FORBIDDEN = {
    "admin": ("/no-such-page/", 404, "页面不存在或尚未发布"),
    "reviewer": ("/admin/auth/user/", 403, "无权访问此页面"),
    "reporter": ("/programme/", 403, "无权访问此页面"),
    "leadership": ("/assessment/2024Q1/review/", 403, "无权访问此页面"),
    "anonymous": ("/rankings/2031Q1/", 404, "页面不存在或尚未发布"),
}


class Watched:
    """A page that records console errors, uncaught exceptions and CSP violations."""

    def __init__(self, page: Any) -> None:
        self.page, self.problems = page, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(str(e)))

    def open(self, url: str) -> Any:
        response = self.page.goto(url)
        self.problems.extend(self.page.evaluate("window.__cspViolations"))
        return response


@pytest.fixture
def accounts(transactional_db: Any) -> dict[str, Any]:
    city = Institution.objects.create(code="TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = Institution.objects.create(code="C1", name="示例县计量所1（示例）", level=Institution.Level.COUNTY)
    Period.for_code("2024Q1")
    users = {}
    for name, role, inst in [
        ("office", "admin", city),
        ("inspector", "reviewer", city),
        ("county1", "reporter", c1),
        ("director", "leadership", None),
    ]:
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        assign_role(user, role, inst)
        users[role] = user
    return users


def sign_in(watched: Watched, base: str, username: str) -> None:
    page = watched.page
    watched.open(f"{base}/")
    page.click("header a[href='/accounts/login/']")
    page.wait_for_url("**/accounts/login/**")  # the click only starts the navigation; a loaded machine lags
    page.wait_for_load_state()
    assert page.title().startswith("用户登录")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] input[type=submit]")
    page.wait_for_url(f"{base}/home/")


def header_links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("header nav a", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def shot(page: Any, output_dir: Any, role: str, href: str) -> None:
    slug = re.sub(r"[^a-z0-9]+", "-", href.lower()).strip("-") or "home"
    page.screenshot(path=str(output_dir / f"roles-{role}-{slug}.png"))


@pytest.mark.parametrize("role", ["admin", "reviewer", "reporter", "leadership", "anonymous"])
def test_each_role_opens_every_header_link_and_meets_the_sites_error_page(
    role: str, accounts: dict[str, Any], new_page: Any, live_server: Any, output_dir: Any
) -> None:
    base, watched = live_server.url, Watched(new_page())
    page = watched.page
    if role == "anonymous":
        watched.open(f"{base}/")
    else:
        sign_in(watched, base, accounts[role].username)
    hrefs = header_links(page)
    assert hrefs
    for href in hrefs:
        response = watched.open(base + href)
        assert response.status == 200, (role, href, response.status)
        if href != "/admin/":  # the admin keeps Django's layout (city staff only)
            assert page.locator("header nav").count() == 1  # the site's layout on every other page
        shot(page, output_dir, role, href)
    path, status, title = FORBIDDEN[role]
    seen = len(watched.problems)
    response = watched.open(base + path)
    expected = f"Failed to load resource: the server responded with a status of {status}"
    watched.problems[seen:] = [p for p in watched.problems[seen:] if not p.startswith(expected)]
    assert response.status == status and title in page.locator("main h1").inner_text()
    assert page.locator("header nav").count() == 1
    shot(page, output_dir, role, f"error-{status}")
    assert watched.problems == [], (role, watched.problems)


def test_signing_out_ends_the_session(accounts: dict[str, Any], new_page: Any, live_server: Any) -> None:
    base, watched = live_server.url, Watched(new_page())
    sign_in(watched, base, "county1")
    watched.page.click("header form[action='/accounts/logout/'] button")
    assert "您已安全退出" in watched.page.locator("main h1").inner_text()
    watched.open(f"{base}/home/")
    assert "/accounts/login/?next=/home/" in watched.page.url
    assert watched.problems == []


def test_the_api_docs_draw_under_the_csp(db: Any, new_page: Any, live_server: Any, output_dir: Any) -> None:
    watched = Watched(new_page())
    response = watched.open(f"{live_server.url}/api/v1/docs")
    assert response.status == 200
    watched.page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert watched.page.locator(".swagger-ui .opblock").count() >= 10
    watched.page.screenshot(path=str(output_dir / "roles-api-docs.png"))
    assert watched.problems == []
