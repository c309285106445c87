"""The site's own login, logout and password-change pages (accounts.views): the site's layout, the login
throttle and its messages, a new session key, audit events, ?next=, and the admin's login sent here."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent

from .conftest import CJK, PASSWORD, header, main, signed_in, with_password

LOGIN = "/accounts/login/"


def post_login(c: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return c.post(LOGIN + extra.pop("query", ""), {"username": username, "password": password, **extra})


def test_it_shows_the_login_page_in_the_sites_layout(world: dict[str, Any]) -> None:
    html = Client().get(LOGIN).content.decode()
    assert "<header>" in html and "用户登录" in main(html) and "Django" not in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "联系项目办公室" in main(html)  # what to do when locked out


def test_it_shows_the_login_page_in_english_by_the_request(world: dict[str, Any]) -> None:
    html = Client().get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in" in main(html) and not CJK.search(main(html))


def test_it_signs_in_with_a_new_session_key_and_an_audit_event(world: dict[str, Any]) -> None:
    with_password(world["reporter"])
    c = Client()
    c.get(LOGIN)
    before = c.session.session_key
    response = post_login(c, "county1")
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert c.session.session_key != before and c.session[SESSION_KEY] == str(world["reporter"].pk)
    assert AuditEvent.objects.filter(action="login", actor="county1").count() == 1


def test_it_keeps_a_local_next_and_drops_a_foreign_one(world: dict[str, Any]) -> None:
    with_password(world["reviewer"])
    page = Client().get(LOGIN + "?next=/assessment/").content.decode()
    assert 'name="next" value="/assessment/"' in page
    kept = post_login(Client(), "inspector", next="/assessment/")
    assert kept["Location"] == "/assessment/"
    dropped = post_login(Client(), "inspector", next="https://evil.invalid/")
    assert dropped["Location"] == "/home/"


def test_it_refuses_a_wrong_password_on_the_same_page(world: dict[str, Any]) -> None:
    with_password(world["reporter"])
    response = post_login(Client(), "county1", "wrong-password-123")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", actor="county1").count() == 1


def test_it_refuses_an_account_without_a_role(world: dict[str, Any]) -> None:
    with_password(world["no_role"])
    response = post_login(Client(), "nobody")
    assert response.status_code == 200 and SESSION_KEY not in response.wsgi_request.session


def test_it_shows_the_lockout_message_after_too_many_failures(world: dict[str, Any], settings: Any) -> None:
    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "LOGIN_FAILURE_LIMIT": 2}
    with_password(world["reporter"])
    c = Client()
    for _ in range(2):
        post_login(c, "county1", "wrong-password-123")
    html = post_login(c, "county1").content.decode()  # the right password, but locked
    assert "该账户已暂时锁定" in main(html)
    assert SESSION_KEY not in c.session
    assert AuditEvent.objects.filter(action="locked_out", actor="county1").exists()


def test_the_admin_login_sends_to_the_sites_login_keeping_next(world: dict[str, Any]) -> None:
    response = Client().get("/admin/login/?next=/admin/registry/")
    assert response.status_code == 302 and response["Location"] == LOGIN + "?next=%2Fadmin%2Fregistry%2F"
    assert Client().get("/admin/")["Location"].startswith(LOGIN + "?next=")


def test_it_signs_out_by_post_only(world: dict[str, Any]) -> None:
    c = signed_in(world["reviewer"])
    assert c.get("/accounts/logout/").status_code == 405
    html = c.post("/accounts/logout/").content.decode()
    assert "您已安全退出" in main(html) and 'href="/accounts/login/"' in header(html)
    assert SESSION_KEY not in c.session
    assert AuditEvent.objects.filter(action="logout", actor="inspector").count() == 1


def test_the_header_links_the_sites_own_pages(world: dict[str, Any]) -> None:
    html = header(signed_in(world["reporter"]).get("/").content.decode())
    assert 'action="/accounts/logout/"' in html and 'href="/accounts/password/"' in html
    assert "/admin/login/" not in html and "/admin/logout/" not in html
    assert 'href="/accounts/login/"' in header(Client().get("/").content.decode())


@pytest.mark.parametrize("role", ["reporter", "leadership"])
def test_it_changes_the_password_and_ends_the_other_sessions(world: dict[str, Any], role: str) -> None:
    user = with_password(world[role])
    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        assert post_login(c, user.username).status_code == 302
    form = here.get(reverse("accounts:password_change")).content.decode()
    assert "<header>" in form and "修改密码" in main(form)
    new = "Tz-calibration-5n7x-lab"
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    assert "密码已修改" in main(here.get(response["Location"]).content.decode())  # this session goes on
    assert elsewhere.get("/home/")["Location"].startswith(LOGIN)  # the other one has ended
    user.refresh_from_db()
    assert user.check_password(new)


def test_it_refuses_a_weak_new_password_with_the_rule_in_chinese(world: dict[str, Any]) -> None:
    user = with_password(world["reporter"])
    c = signed_in(user)
    response = c.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Qwerty-lab-x", "new_password2": "Qwerty-lab-x"},
    )
    html = main(response.content.decode())
    assert response.status_code == 200 and "键盘、字母或数字顺序" in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_page_needs_a_login(world: dict[str, Any]) -> None:
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN + "?next=")
