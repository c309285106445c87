"""Admin: roles on the user page, the audit trail (read-only, filterable, exportable), login failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import audit, export, policy
from qiangji.web.accounts.models import AuditEvent, LoginFailure, Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    max_num = 1
    autocomplete_fields = ["institution"]


class QiangjiUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "last_name", "first_name", "is_active", "is_staff", "role"]
    list_select_related = ["profile", "profile__institution"]

    @admin.display(description=_("角色"))
    def role(self, user: Any) -> str:
        profile = getattr(user, "profile", None)
        return str(profile) if profile is not None else "—"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, QiangjiUserAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "app_label", "model", "object_id", "object_repr", "ip"]
    list_filter = ["action", "app_label", "model", "source", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor", "object_id", "object_repr", "request_id", "ip"]
    date_hierarchy = "at"
    change_list_template = "admin/accounts/auditevent/change_list.html"
    actions = None

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("export.csv", self.admin_site.admin_view(self.export_csv), name="accounts_auditevent_csv"),
            path(
                "export.xlsx", self.admin_site.admin_view(self.export_xlsx), name="accounts_auditevent_xlsx"
            ),
        ]
        return own + super().get_urls()

    def _filtered(self, request: HttpRequest) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied("your role may not read the audit trail")
        return self.get_changelist_instance(request).get_queryset(request)

    def _respond(self, request: HttpRequest, body: bytes, kind: str, mime: str) -> HttpResponse:
        audit.record(
            AuditEvent.Action.EXPORT, model="auditevent", app_label="accounts", after=dict(request.GET)
        )
        response = HttpResponse(body, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="audit.{kind}"'
        return response

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        body = export.to_csv(self._filtered(request).iterator())
        return self._respond(request, body, "csv", "text/csv; charset=utf-8")

    def export_xlsx(self, request: HttpRequest) -> HttpResponse:
        body = export.to_xlsx(self._filtered(request).iterator())
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return self._respond(request, body, "xlsx", mime)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "ip"]
    search_fields = ["username", "ip"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "institution"]
    list_filter = ["role", "institution"]
    search_fields = ["user__username", "institution__name", "institution__code"]
    autocomplete_fields = ["user", "institution"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.role_of(request.user) == "admin"
