"""Login throttling (OWASP ASVS 2.2.1; 等级保护 2.0 身份鉴别: 登录失败处理).

After ``LOGIN_FAILURE_LIMIT`` failures for one username from one IP within ``LOGIN_LOCKOUT_MINUTES``
(or ``LOGIN_FAILURE_LIMIT_PER_USER`` from anywhere), further attempts are refused without checking the
password until the window has passed. ``LOGIN_FAILURE_LIMIT_PER_IP`` failures from one client address,
whatever the usernames, lock that address out too: a password spray over many accounts from one machine
stays under every per-account limit. The address is :func:`~qiangji.web.accounts.context.client_ip`'s
(behind the trusted proxy, the real client's). Failures are stored in the database, so every worker sees
them; every refusal is a ``locked_out`` audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.context import client_ip
from qiangji.web.accounts.models import AuditEvent, LoginFailure

LOCKED_MESSAGE = _("登录失败次数过多，该账户已暂时锁定。请在 %(minutes)s 分钟后再试，或联系项目管理员。")
ADDRESS_LOCKED_MESSAGE = _(
    "从您所在网络地址登录失败的次数过多，已暂时禁止从该地址登录。"
    "请在 %(minutes)s 分钟后再试，或联系项目管理员。"
)


def _conf(name: str, default: int) -> int:
    return int(getattr(settings, "QIANGJI_SECURITY", {}).get(name, default))


def window() -> dt.timedelta:
    return dt.timedelta(minutes=_conf("LOGIN_LOCKOUT_MINUTES", 15))


def _lock_end(qs: QuerySet[LoginFailure], limit: int) -> dt.datetime | None:
    """End of the lock ``limit`` failures in ``qs`` impose (the oldest of the last ``limit`` + window)."""
    times = list(qs.order_by("-at").values_list("at", flat=True)[:limit])
    return times[-1] + window() if len(times) >= limit else None


def address_locked_until(ip: str | None) -> dt.datetime | None:
    """When the lock on the client address ``ip`` ends (any username), or None if it may try now."""
    if not ip:
        return None
    since = timezone.now() - window()
    return _lock_end(
        LoginFailure.objects.filter(ip=ip, at__gte=since), _conf("LOGIN_FAILURE_LIMIT_PER_IP", 30)
    )


def locked_until(username: str, ip: str | None) -> dt.datetime | None:
    """When the lock on ``username`` (from ``ip``) ends, or None if it may try now."""
    since = timezone.now() - window()
    recent = LoginFailure.objects.filter(username=username[:150], at__gte=since)
    per_pair = recent.filter(Q(ip=ip) if ip else Q(ip__isnull=True))
    for qs, limit in (
        (per_pair, _conf("LOGIN_FAILURE_LIMIT", 5)),
        (recent, _conf("LOGIN_FAILURE_LIMIT_PER_USER", 20)),
    ):
        end = _lock_end(qs, limit)
        if end is not None:
            return end
    return None


def minutes_left(until: dt.datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds() // 60) + 1)


def record_lockout(username: str, ip: str | None, *, scope: str = "account") -> None:
    """A ``locked_out`` event; ``scope`` says which limit refused: ``account`` or ``address``."""
    from qiangji.web.accounts import audit

    audit.record(
        AuditEvent.Action.LOCKED_OUT, actor=username[:150], actor_id=None, ip=ip, after={"scope": scope}
    )


class ThrottledBackend(ModelBackend):
    """The model backend, refusing locked usernames before looking at the password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        name = username or kw.get("username") or ""
        ip = client_ip(request) if request is not None else None
        if address_locked_until(ip) is not None:
            record_lockout(name, ip, scope="address")
            raise PermissionDenied("address locked out")  # before the password is looked at
        if locked_until(name, ip) is not None:
            record_lockout(name, ip)
            raise PermissionDenied("locked out")  # stops other backends; Django reports a failed login
        user = super().authenticate(request, username=username, password=password, **kw)
        if user is None and name:
            LoginFailure.objects.create(username=name[:150], ip=ip)
        elif user is not None:
            LoginFailure.objects.filter(username=name[:150], ip=ip).delete()
        return user


class ThrottledFormMixin:
    """A clear message while an account or address is locked; only users with a role may sign in."""

    cleaned_data: dict[str, Any]
    request: HttpRequest | None
    error_messages: dict[str, Any]
    username_field: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        until = address_locked_until(ip)
        if until is not None:
            record_lockout(username, ip, scope="address")
            raise forms.ValidationError(
                ADDRESS_LOCKED_MESSAGE % {"minutes": minutes_left(until)}, code="address_locked_out"
            )
        until = locked_until(username, ip)
        if until is not None:
            record_lockout(username, ip)
            raise forms.ValidationError(LOCKED_MESSAGE % {"minutes": minutes_left(until)}, code="locked_out")
        return super().clean()  # type: ignore[misc,no-any-return]

    def confirm_login_allowed(self, user: Any) -> None:
        """Any active user with a role may sign in (each page then shows what the role allows)."""
        from qiangji.web.accounts import policy

        if policy.role_of(user) not in policy.STAFF_ROLES:  # inactive, or no role: the standard refusal
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class ThrottledLoginForm(ThrottledFormMixin, AdminAuthenticationForm):
    """The admin's login form (the admin's login URL now sends people to the site's own page)."""


class SiteLoginForm(ThrottledFormMixin, AuthenticationForm):
    """The site's own login form (``accounts:login``)."""


def _prune(sender: Any, **_: Any) -> None:
    """Failures older than a day are of no use to the throttle (the audit trail keeps them)."""
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def connect() -> None:
    from django.contrib import admin

    admin.site.login_form = ThrottledLoginForm
    auth_signals.user_logged_in.connect(_prune, dispatch_uid="qiangji_prune_login_failures")
