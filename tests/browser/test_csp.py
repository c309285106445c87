"""Under the strict Content-Security-Policy (script-src 'self'): the charts draw, the auto-submitting selects
work, the admin's own scripts run, and Chromium reports no violation (console or securitypolicyviolation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.programme.defaults import ensure_default_goals
from qiangji.web.programme.models import Goal
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "csp-browser-test-pw-1"  # a throwaway account of the test database
# Runs before any script of the page, in every frame; DevTools-injected, so the policy does not block it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """CSP violations a page reported: console messages and securitypolicyviolation events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def all(self) -> list[str]:
        return [*self.console, *self.page.evaluate("window.__cspViolations")]


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, Violations]]:
    yield page, Violations(page)


@pytest.fixture
def two_quarters(transactional_db: Any) -> Publication:
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    publish("2025Q1", 1, fv)
    return publish("2025Q2", 2, fv)


def charts_drawn(page: Any) -> list[str]:
    """Ids of the chart elements of the page, once plotly has drawn an svg.main-svg into every one."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "[...document.querySelectorAll('[data-figure]')].every(e => e.querySelector('svg.main-svg'))"
    )
    return [str(i) for i in page.locator("[data-figure]").evaluate_all("els => els.map(e => e.id)")]


def login(page: Any, base: str, then: str) -> None:
    get_user_model().objects.create_superuser("office", "office@example.invalid", PASSWORD)
    page.goto(f"{base}/admin/login/?next={then}")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{then}")


def test_the_watcher_sees_a_blocked_inline_script(watched, live_server, two_quarters) -> None:
    # Proof that the policy is enforced in the browser and that the tests below would see a violation.
    page, violations = watched
    page.goto(live_server.url + "/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                  " document.body.append(s); }")  # fmt: skip
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in violations.all())


def test_the_leaderboard_draws_and_changes_period(watched, live_server, two_quarters, output_dir) -> None:
    page, violations = watched
    page.goto(live_server.url + "/")
    assert charts_drawn(page) == ["chart-scores"]
    assert page.locator("#chart-scores g.trace.bars").count() == 6
    page.select_option("#period-select", "2025Q1")
    page.wait_for_url("**/rankings/2025Q1/")
    assert "2025年第1季度" in page.locator("h1").inner_text()
    assert charts_drawn(page) == ["chart-scores"]
    page.screenshot(path=str(output_dir / "csp-leaderboard.png"), full_page=True)
    assert violations.all() == []


def test_a_scorecard_draws_its_charts(watched, live_server, two_quarters, output_dir) -> None:
    page, violations = watched
    unit = two_quarters.content["rows"][0]["unit"]
    page.goto(f"{live_server.url}/rankings/2025Q2/{unit}/")
    assert charts_drawn(page) == ["chart-radar", "chart-trend", "chart-contributions"]
    assert page.locator("#chart-radar .polar").count() == 1
    # The radar's angular labels lie inside the chart element (they were clipped at its left edge).
    box = page.locator("#chart-radar").bounding_box()
    for label in page.locator("#chart-radar .angularaxistick text").all():
        text = label.bounding_box()
        assert text["x"] >= box["x"] and text["x"] + text["width"] <= box["x"] + box["width"]
    page.locator("#chart-radar").screenshot(path=str(output_dir / "csp-radar.png"))
    assert violations.all() == []


def test_the_programme_dashboard_draws_every_goal(watched, live_server, two_quarters) -> None:
    page, violations = watched
    ensure_default_goals(Goal)  # a transactional test may run after another flushed the migration's rows
    login(page, live_server.url, "/programme/")
    goals = Goal.objects.filter(is_active=True).order_by().values_list("code", flat=True)
    assert sorted(charts_drawn(page)) == sorted(f"chart-goal-{code}" for code in goals) != []
    assert violations.all() == []


def test_the_language_select_and_the_admin_work(watched, live_server, two_quarters) -> None:
    page, violations = watched
    inst = Institution.objects.order_by("code").first()
    assert inst is not None
    url = f"/admin/registry/institution/{inst.pk}/change/"
    login(page, live_server.url, url)
    assert page.locator("form#institution_form").count() == 1
    # The admin's own scripts ran: the sidebar toggle (nav_sidebar.js) collapses the navigation.
    assert page.locator("#main.shifted").count() == 1
    page.click("#toggle-nav-sidebar")
    page.wait_for_selector("#main:not(.shifted)")
    page.goto(live_server.url + "/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert violations.all() == []
