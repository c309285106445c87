"""The site's own 400, 403 (and CSRF), 404 and 500 pages (qiangji.web.errors): the site's layout, the
request's language, what to do next; JSON under /api/; every 403 still an audit event."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiangji.web import errors
from qiangji.web.accounts.models import AuditEvent

from .conftest import CJK, header, main, signed_in


def test_it_answers_an_unknown_page_with_the_sites_404(world: dict[str, Any]) -> None:
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "<header>" in html
    assert "页面不存在或尚未发布" in main(html)
    assert 'href="/accounts/login/?next=/no-such-page/"' in main(html)  # what to do next
    assert 'href="/"' in main(html)


def test_it_answers_an_unpublished_period_with_the_sites_404(world: dict[str, Any]) -> None:
    response = Client().get("/rankings/2031Q1/")
    assert response.status_code == 404 and "页面不存在或尚未发布" in main(response.content.decode())


def test_it_answers_404_in_english_by_the_request(world: dict[str, Any]) -> None:
    html = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html and "Page not found" in main(html)
    assert not CJK.search(main(html))


def test_it_answers_404_in_english_by_the_language_cookie(world: dict[str, Any]) -> None:
    c = Client()
    c.cookies["django_language"] = "en"
    assert "Page not found" in main(c.get("/no-such-page/").content.decode())


def test_it_offers_a_signed_in_user_the_home_page_on_404(world: dict[str, Any]) -> None:
    html = main(signed_in(world["reporter"]).get("/no-such-page/").content.decode())
    assert 'href="/home/"' in html and "/accounts/login/" not in html


def test_it_refuses_a_reporter_with_the_sites_403_and_audits_it(world: dict[str, Any]) -> None:
    response = signed_in(world["reporter"]).get("/assessment/2024Q1/visits/")
    html = response.content.decode()
    assert response.status_code == 403 and "<header>" in html and "无权访问此页面" in main(html)
    assert 'href="/home/"' in main(html) and "联系项目办公室" in main(html)
    event = AuditEvent.objects.get(action="denied")
    assert event.actor == "county1" and event.after["path"] == "/assessment/2024Q1/visits/"
    assert event.after["reason"] == "your role may not open this page"


def test_it_refuses_a_leadership_write_with_the_sites_403_in_english(world: dict[str, Any]) -> None:
    response = signed_in(world["leadership"]).post("/excel/", HTTP_ACCEPT_LANGUAGE="en")
    html = main(response.content.decode())
    assert response.status_code == 403 and "You may not open this page" in html and not CJK.search(html)


def test_it_names_the_contact_when_one_is_set(world: dict[str, Any], settings: Any) -> None:
    settings.QIANGJI = {**settings.QIANGJI, "CONTACT": "电话 0576-0000000（示例）"}
    html = main(signed_in(world["reporter"]).get("/assessment/2024Q1/visits/").content.decode())
    assert "电话 0576-0000000（示例）" in html


def test_it_answers_a_stale_form_with_the_sites_csrf_page_and_audits_it(world: dict[str, Any]) -> None:
    c = Client(enforce_csrf_checks=True)
    response = c.post(reverse("accounts:login"), {"username": "county1", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and "<header>" in html and "表单已失效" in main(html)
    assert "Cookie" in main(html)  # no cookie was sent: say how to go on
    assert AuditEvent.objects.get(action="denied").after["reason"].startswith("CSRF verification failed")


def test_it_answers_a_bad_host_with_the_sites_400(world: dict[str, Any]) -> None:
    response = Client().get("/", HTTP_HOST="evil.invalid")
    assert response.status_code == 400 and "请求无效" in main(response.content.decode())


@pytest.mark.urls("tests.web.ui.urls_failing")
def test_it_answers_a_failure_with_the_sites_500(world: dict[str, Any]) -> None:
    response = signed_in(world["reviewer"], raise_request_exception=False).get("/failing/")
    html = response.content.decode()
    assert response.status_code == 500 and "<header>" in html and "服务器内部错误" in main(html)
    assert "稍等片刻后刷新页面重试" in html and 'href="/"' in main(html)


@pytest.mark.urls("tests.web.ui.urls_failing")
def test_it_answers_500_in_english_by_the_request(world: dict[str, Any]) -> None:
    c = signed_in(world["reviewer"], raise_request_exception=False)
    html = c.get("/failing/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Internal server error" in main(html) and not CJK.search(main(html))


def test_the_500_page_needs_no_database(world: dict[str, Any]) -> None:
    request = RequestFactory().get("/anything/")  # no session, no user: they may be what failed
    with CaptureQueriesContext(connection) as queries:
        response = errors.server_error(request)
    assert response.status_code == 500 and len(queries) == 0
    assert "服务器内部错误" in response.content.decode()


def test_the_error_pages_keep_the_sites_header_links_for_the_role(world: dict[str, Any]) -> None:
    html = header(signed_in(world["reporter"]).get("/no-such-page/").content.decode())
    assert 'href="/home/"' in html and 'action="/accounts/logout/"' in html and "/admin/" not in html


@pytest.mark.parametrize("path", ["/api/v1/no-such-route", "/api/v1/reports/999999"])
def test_api_paths_keep_json_errors(world: dict[str, Any], path: str) -> None:
    response = Client().get(path)
    assert response["Content-Type"].startswith("application/json") and set(response.json()) == {"error"}


def test_the_api_branch_of_each_handler_answers_json() -> None:
    request = RequestFactory().get("/api/v1/x")
    for handler in (errors.bad_request, errors.permission_denied, errors.page_not_found):
        response = handler(request, Exception())
        assert response["Content-Type"].startswith("application/json")
    assert errors.server_error(request).status_code == 500
