"""Tokens in the admin: created here (the secret is shown once, in a message), revoked, never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qiangji.web.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "hint"]
    fields = ["user", "name", "expires_at", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: a token's row stays as a record of who could call the API

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        row, secret = ApiToken.issue(obj.user, obj.name, obj.expires_at)
        obj.pk, obj.hint, obj.digest = row.pk, row.hint, row.digest
        messages.warning(request, _("新令牌（只显示这一次，请立即保存）：%(token)s") % {"token": secret})

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one by one, not queryset.update(): each revocation enters the audit trail
            token.revoke()
        messages.info(request, _("已吊销 %(n)s 个令牌。") % {"n": len(tokens)})
