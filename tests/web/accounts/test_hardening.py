"""Login throttling, password rules, cookies and headers, the production settings and check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from qiangji.web.accounts.models import AuditEvent, LoginFailure

PASSWORD = "a-long-unguessable-passphrase"


def login(c: Client, username: str, password: str, ip: str = "10.0.0.1") -> str:
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


def test_it_locks_a_username_after_five_failures_from_one_address(county1: Any) -> None:
    c = Client()
    for _ in range(5):
        assert "登录失败次数过多" not in login(c, "county1", "wrong-password-xyz")
    page = login(c, "county1", PASSWORD)  # even the right password is refused while locked
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert "_auth_user_id" not in c.session
    assert AuditEvent.objects.filter(action="locked_out", actor="county1", ip="10.0.0.1").exists()
    other = Client()  # another address may still sign in (the per-user limit is higher)
    login(other, "county1", PASSWORD, ip="10.0.0.2")
    assert other.session["_auth_user_id"] == str(county1.pk)


def test_it_forgets_failures_after_a_successful_login(county1: Any) -> None:
    c = Client()
    for _ in range(4):
        login(c, "county1", "wrong-password-xyz")
    login(c, "county1", PASSWORD)
    assert not LoginFailure.objects.filter(username="county1", ip="10.0.0.1").exists()


def test_it_locks_a_username_attacked_from_many_addresses(county1: Any) -> None:
    for i in range(20):
        login(Client(), "county1", "wrong-password-xyz", ip=f"10.1.0.{i}")
    assert "登录失败次数过多" in login(Client(), "county1", PASSWORD, ip="10.2.0.1")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pw1xx", "password_too_short"),  # 11 < 12 characters
        ("12345678901234", "password_entirely_numeric"),
        ("qwerty123456", "password_too_common"),
        ("county1x", "password_too_similar"),
    ],
)
def test_it_refuses_weak_passwords(county1: Any, password: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, county1)
    assert code in [e.code for e in refused.value.error_list]


def test_it_sends_security_headers_and_protected_cookies(county1: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    page = c.get(reverse("accounts:login"))
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "object-src 'none'" in page["Content-Security-Policy"]
    assert "camera=()" in page["Permissions-Policy"]
    assert page.cookies["csrftoken"]["httponly"] and page.cookies["csrftoken"]["samesite"] == "Lax"
    refused = c.post(reverse("accounts:login"), {"username": "county1", "password": PASSWORD})
    assert refused.status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    ok = c.post(
        reverse("accounts:login"), {"username": "county1", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 302
    session = ok.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert "no-store" in c.get(reverse("admin:index"))["Cache-Control"]


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production process is configured by its own environment only: none of the test run's settings, nor
    # the test-only DJANGO_ALLOW_ASYNC_UNSAFE that the browser tests set while a browser is open.
    ours = ("QIANGJI_", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    base.update(env, DJANGO_SETTINGS_MODULE="qiangji.web.settings")
    cmd = [sys.executable, "-m", "django", *args]
    return subprocess.run(cmd, env=base, capture_output=True, text=True, timeout=120, check=False)


PRODUCTION = {
    "QIANGJI_ENV": "production",
    "SECRET_KEY": "t" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
    "ALLOWED_HOSTS": "qiangji.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://qiangji.example.gov.cn",
}


def test_it_passes_check_deploy_without_a_warning_in_production(tmp_path: Any) -> None:
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_check_deploy_in_development_settings(tmp_path: Any) -> None:
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], {"DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "security.W009" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "at least 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_it_refuses_to_start_in_production_without_secrets_from_the_environment(
    tmp_path: Any, env: dict[str, str], message: str
) -> None:
    result = _django(["check"], {**PRODUCTION, **env, "DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and message in result.stderr


def test_it_lets_roles_sign_in_and_refuses_a_bare_staff_flag(world: dict[str, Any], settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    bare = world["users"]["no_role"]
    bare.set_password(PASSWORD)
    bare.save()
    c = Client()
    login(c, "staff_without_role", PASSWORD)
    assert "_auth_user_id" not in c.session
    assert not world["users"]["reporter"].is_staff  # pages that still ask is_staff refuse a county reporter
