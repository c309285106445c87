"""Per-address login limit (a password spray over many usernames from one machine) and the password rule
against repeated characters and keyboard walks (security review, issue 13: L6, L9)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent, LoginFailure

PASSWORD = "a-long-unguessable-passphrase"


def login(c: Client, username: str, password: str, ip: str) -> str:
    return c.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    ).content.decode()


@pytest.fixture
def county1(world: dict[str, Any], settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast: many logins here
    user = world["users"]["reporter"]
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_locks_an_address_that_sprays_many_usernames(county1: Any, settings: Any) -> None:
    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "LOGIN_FAILURE_LIMIT_PER_IP": 30}
    c = Client()
    for i in range(100):  # one failure per username: under every per-account limit
        page = login(c, f"user{i:03d}", "Spring-2024-Password", ip="10.9.0.1")
        if "禁止从该地址登录" in page:
            break
    assert i == 30, "the 31st attempt from the address is the first one refused"
    assert LoginFailure.objects.filter(ip="10.9.0.1").count() == 30  # refused attempts are not tried
    page = login(c, "county1", PASSWORD, ip="10.9.0.1")  # even a right password, while the lock lasts
    assert "禁止从该地址登录" in page and "15 分钟" in page
    assert "_auth_user_id" not in c.session
    event = AuditEvent.objects.filter(action="locked_out", actor="county1", ip="10.9.0.1").get()
    assert event.after == {"scope": "address"}
    other = Client()  # the same user from another address is not affected
    login(other, "county1", PASSWORD, ip="10.9.0.2")
    assert other.session["_auth_user_id"] == str(county1.pk)


def test_it_counts_the_client_address_behind_the_trusted_proxy(county1: Any, settings: Any) -> None:
    """The limit is per client address as the audit trail sees it (REMOTE_ADDR, which the trusted proxy's
    server rewrites to the real client): two clients behind one proxy are counted apart."""
    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "LOGIN_FAILURE_LIMIT_PER_IP": 3}
    for i in range(3):
        login(Client(), f"spray{i}", "Spring-2024-Password", ip="192.0.2.7")
    assert "禁止从该地址登录" in login(Client(), "county1", PASSWORD, ip="192.0.2.7")
    c = Client()
    login(c, "county1", PASSWORD, ip="192.0.2.8")
    assert c.session["_auth_user_id"] == str(county1.pk)


def test_the_backend_refuses_a_locked_address_too(county1: Any, settings: Any) -> None:
    """Any login path through the authentication backend (not only the admin form) sees the lock."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    settings.QIANGJI_SECURITY = {**settings.QIANGJI_SECURITY, "LOGIN_FAILURE_LIMIT_PER_IP": 2}
    request = RequestFactory().post("/", REMOTE_ADDR="10.9.9.9")
    for name in ("a1", "a2"):
        assert authenticate(request, username=name, password="x") is None
    assert authenticate(request, username="county1", password=PASSWORD) is None
    assert AuditEvent.objects.filter(action="locked_out", ip="10.9.9.9", after={"scope": "address"}).exists()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("aaaaaaaaaaaa", "password_repeated_characters"),
        ("Tz-metro-1111-x", "password_repeated_characters"),
        ("qwertyuiopas", "password_keyboard_walk"),
        ("Lkjhgfdsa-zz9", "password_keyboard_walk"),  # a row backwards
        ("my-pass-4567-xyz", "password_keyboard_walk"),  # digits
        ("xyz-ABCDEFG-99!", "password_keyboard_walk"),  # alphabet, upper case
        ("9876543210ab", "password_keyboard_walk"),  # digits backwards
    ],
)
def test_it_refuses_repeats_and_keyboard_walks(county1: Any, password: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, county1)
    assert code in [e.code for e in refused.value.error_list]
    assert any("连续" in m for m in refused.value.messages)  # the Chinese message names the rule


@pytest.mark.parametrize("password", [PASSWORD, "Tz-metrology-2o24-lab", "qwe-asd-zxc-147"])
def test_it_accepts_passwords_without_such_patterns(county1: Any, password: str) -> None:
    validate_password(password, county1)


def test_the_password_change_page_refuses_a_repeated_character(county1: Any) -> None:
    c = Client()
    c.force_login(county1)
    response = c.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "aaaaaaaaaaaa", "new_password2": "aaaaaaaaaaaa"},
    )
    assert response.status_code == 200
    assert "连续相同的字符" in response.content.decode()
    county1.refresh_from_db()
    assert county1.check_password(PASSWORD)


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_createsuperuser_refuses_a_walk_and_asks_again(db: Any, monkeypatch: Any) -> None:
    """Interactive createsuperuser validates through the same validators: the walk is refused with the
    Chinese rule, the operator declines to bypass it, and the next (good) password is the one stored."""
    answers = iter(["qwertyuiop12", "qwertyuiop12", "n", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: next(answers))
    monkeypatch.setattr("builtins.input", lambda *a, **k: next(answers))
    err = StringIO()
    call_command(
        "createsuperuser",
        username="root",
        email="root@example.org",
        stdin=_Terminal(),
        stderr=err,
        stdout=StringIO(),
    )
    assert "键盘、字母或数字顺序" in err.getvalue()
    assert get_user_model().objects.get(username="root").check_password(PASSWORD)
