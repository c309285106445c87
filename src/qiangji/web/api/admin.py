"""Tokens in the admin: created here (the secret is shown once, in a message), revoked, never edited.

A token created here belongs to the signed-in user (a token made for someone else would let its creator
act as them in the audit trail); service accounts get theirs from ``manage.py createapitoken`` on the
server. Every token expires: 90 days proposed, at most 365. Token administration is the programme admin's:
it lists and revokes everyone's tokens; a city reviewer sees and revokes only its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import policy
from qiangji.web.api.models import DEFAULT_DAYS, MAX_DAYS, ApiToken, default_expiry

ADD_FIELDS = ["name", "expires_at"]


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    """The add form: purpose and a required expiry, later than now and at most :data:`MAX_DAYS` ahead."""

    class Meta:
        model = ApiToken
        fields = ADD_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("expires_at")
        if field is not None:
            field.required = True
            field.initial = default_expiry
            field.help_text = _("必填：默认 %(default)s 天后，最长 %(max)s 天。") % {
                "default": DEFAULT_DAYS,
                "max": MAX_DAYS,
            }
            field.error_messages["required"] = _(
                "请填写失效时间：接口令牌必须有有效期（最长 %(max)s 天）。"
            ) % {"max": MAX_DAYS}

    def clean_expires_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["expires_at"]
        now = timezone.now()
        if value <= now:
            raise ValidationError(_("失效时间必须晚于当前时间。"), code="past")
        latest = now + dt.timedelta(days=MAX_DAYS)
        if value > latest:
            raise ValidationError(
                _("失效时间最长为 %(max)s 天之后（不晚于 %(latest)s）。"),
                code="too_long",
                params={"max": MAX_DAYS, "latest": date_format(timezone.localtime(latest), "Y-m-d H:i")},
            )
        return value


def _administers_tokens(request: HttpRequest) -> bool:
    """Only the programme admin manages other people's tokens (a reviewer could otherwise cut the
    programme admin's integrations off)."""
    return policy.role_of(request.user) == policy.ADMIN


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "hint"]
    fields = ["user", "name", "expires_at", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    form = ApiTokenForm

    def get_queryset(self, request: HttpRequest) -> Any:
        tokens = super().get_queryset(request)
        return tokens if _administers_tokens(request) else tokens.filter(user=request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        mine = obj is None or obj.user_id == request.user.pk
        return (mine or _administers_tokens(request)) and super().has_view_permission(request, obj)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return list(ADD_FIELDS) if obj is None else super().get_fields(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return super().get_fieldsets(request, obj)
        note = _(
            "令牌属于当前登录的用户本人（%(user)s），以其权限调用接口。服务账号的令牌请在服务器上用命令创建："
            "qiangji manage createapitoken 用户名 --name 用途 --days 天数。"
        ) % {"user": request.user.get_username()}
        return [(None, {"fields": list(ADD_FIELDS), "description": note})]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: a token's row stays as a record of who could call the API

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        row, secret = ApiToken.issue(request.user, obj.name, obj.expires_at)  # only ever one's own
        obj.user = request.user
        obj.pk, obj.hint, obj.digest = row.pk, row.hint, row.digest
        messages.warning(request, _("新令牌（只显示这一次，请立即保存）：%(token)s") % {"token": secret})

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one by one, not queryset.update(): each revocation enters the audit trail
            token.revoke()
        messages.info(request, _("已吊销 %(n)s 个令牌。") % {"n": len(tokens)})
