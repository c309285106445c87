"""Admin of the assessment app. Reported values move only through the workflow pages, so they are
read-only here; a framework version that an index run has used is read-only and cannot be deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qiangji.web.assessment.forms import FrameworkVersionForm
from qiangji.web.assessment.models import (
    ChecklistItem,
    FrameworkVersion,
    Period,
    Rectification,
    ReportedValue,
    ReportTransition,
    SupervisionVisit,
)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "start", "end", "as_of"]
    list_filter = ["kind", "year"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    form = FrameworkVersionForm
    list_display = ["version", "code", "name", "based_on", "used", "created_at"]
    readonly_fields = ["code", "name", "sha256", "used_at", "created_at", "created_by"]
    actions = ["copy_as_new_version"]

    @admin.display(boolean=True, description=_("已使用"))
    def used(self, obj: FrameworkVersion) -> bool:
        return obj.is_used

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_used:
            return [*self.readonly_fields, "version", "source", "based_on", "note"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_used)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("复制为新版本（版本号加“-draft”，再修改）"))
    def copy_as_new_version(self, request: HttpRequest, queryset: Any) -> None:
        for fv in queryset:
            new = fv.new_version(f"{fv.version}-draft", note=f"源自 {fv.version}", user=request.user)
            messages.success(request, _("已创建 %(v)s。") % {"v": new.version})


class TransitionInline(admin.TabularInline):
    model = ReportTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "reason", "value"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportedValue)
class ReportedValueAdmin(admin.ModelAdmin):
    list_display = ["period", "institution", "indicator", "value", "status", "updated_at"]
    list_filter = ["period", "status", "indicator"]
    inlines = [TransitionInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(admin.ModelAdmin):
    list_display = ["institution", "period", "visited_on", "status"]
    list_filter = ["period", "status"]
    inlines = [ChecklistInline]
    filter_horizontal = ["findings"]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ["finding", "submitted_on", "status", "reviewed_on"]
    list_filter = ["status"]
