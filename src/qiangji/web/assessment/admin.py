"""Admin of the assessment app (the city's staff only). Reported values, supervision visits and
rectifications move only through the workflow pages (submit, review, lock; score and complete a visit;
the city's verification of a rectification), so they are read-only here, with a link to the page that
changes them; a framework version that an index run has used is read-only and cannot be deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import policy
from qiangji.web.accounts.admin_policy import ViewOnlyAdmin, ViewOnlyInline
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
    """A period's window, framework version and lock are set by its lifecycle steps (never typed in here);
    creating or deleting one is opening a period, the programme admin's step (:func:`policy.may`)."""

    list_display = ["code", "kind", "start", "end", "as_of", "opens_on", "deadline", "locked_at"]
    list_filter = ["kind", "year"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_open_period(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_open_period(request.user) and super().has_delete_permission(request, obj)


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


class TransitionInline(ViewOnlyInline):
    model = ReportTransition
    readonly_fields = ["from_status", "to_status", "actor", "at", "reason", "value"]


@admin.register(ReportedValue)
class ReportedValueAdmin(ViewOnlyAdmin):
    list_display = ["period", "institution", "indicator", "value", "status", "updated_at"]
    list_filter = ["period", "status", "indicator"]
    inlines = [TransitionInline]


class ChecklistInline(ViewOnlyInline):
    model = ChecklistItem


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(ViewOnlyAdmin):
    list_display = ["institution", "period", "visited_on", "status", "page"]
    list_filter = ["period", "status"]
    readonly_fields = ["page"]
    inlines = [ChecklistInline]

    @admin.display(description=_("评分与整改页面"))
    def page(self, obj: SupervisionVisit) -> str:
        return format_html('<a href="{}">{}</a>', reverse("assessment:visit", args=[obj.pk]), _("打开"))


@admin.register(Rectification)
class RectificationAdmin(ViewOnlyAdmin):
    """The city's verification is recorded on the visit page (review_rectification, city only)."""

    list_display = ["finding", "submitted_on", "submitted_by", "status", "reviewed_on", "reviewed_by", "page"]
    list_filter = ["status"]
    readonly_fields = ["page"]
    list_select_related = ["finding__institution", "submitted_by", "reviewed_by"]

    @admin.display(description=_("验证页面"))
    def page(self, obj: Rectification) -> str:
        visit = obj.finding.visits.order_by("-visited_on").first()
        if visit is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("assessment:visit", args=[visit.pk]), _("打开"))
