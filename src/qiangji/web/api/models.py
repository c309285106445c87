"""API tokens: only a SHA-256 digest is stored; the token itself is shown once, when it is created.

A token is ``qj_`` followed by 43 URL-safe characters (256 random bits). Because the secret has full
entropy, a plain SHA-256 digest is enough (no salt or slow hash is needed, unlike passwords), and the
lookup by digest is a unique-index equality, so there is no timing side channel on the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TOKEN_PREFIX = "qj_"
#: Every token expires: 90 days unless chosen otherwise, never more than a year (admin form and command).
DEFAULT_DAYS, MAX_DAYS = 90, 365


def default_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=DEFAULT_DAYS)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token of one user; it acts with exactly that user's permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=100)
    hint = models.CharField(_("令牌前缀"), max_length=12, editable=False, help_text=_("用于辨认，非密钥。"))
    digest = models.CharField(_("SHA-256 摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = pgettext_lazy("plural", "接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: Any, name: str, expires_at: Any = None) -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the secret (never stored, shown once).

        Without ``expires_at`` the token lasts :data:`DEFAULT_DAYS`; the forms and the command refuse an
        expiry more than :data:`MAX_DAYS` ahead."""
        expires_at = expires_at if expires_at is not None else default_expiry()
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, hint=secret[:8], digest=digest(secret), expires_at=expires_at
        )
        return row, secret

    @classmethod
    def authenticate(cls, secret: str) -> Any:
        """The active user of a usable token, or ``None``; records the last use (at most once a minute)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            return None
        row = cls.objects.usable().select_related("user").filter(digest=digest(secret)).first()
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class CertificatePush(models.Model):
    """A certificate batch a user's system pushed and the platform accepted, under the client's idempotency
    key: the same key with the same body is answered with the stored answer and writes nothing again; the
    same key with another body is refused (409). A refused batch wrote nothing and leaves no key behind,
    so the client may correct it and send it again under the same key. The batch's body and counts are
    kept as import evidence (:class:`qiangji.web.excel.models.ImportBatch`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("用户"))
    key = models.CharField(_("幂等键"), max_length=100)
    body_sha256 = models.CharField(_("请求内容 SHA-256"), max_length=64)
    response = models.JSONField(_("应答"))
    batch = models.ForeignKey(
        "excel.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("导入记录")
    )
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书推送")
        verbose_name_plural = pgettext_lazy("plural", "证书推送")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="certificate_push_unique_key")]

    def __str__(self) -> str:
        return f"{self.user} · {self.key}"
