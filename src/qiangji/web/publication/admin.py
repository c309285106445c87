"""Programme-office admin: runs (read-only), publications with the workflow as actions, objections."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.web.publication import admin_objections, workflow
from qiangji.web.publication.models import IndexRun, Objection, Publication, PublicationEvent

__all__ = ["admin_objections"]  # imported to register ObjectionAdmin


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndexRun)
class IndexRunAdmin(ReadOnly):
    list_display = [
        "pk",
        "period",
        "framework_version",
        "seed",
        "runs",
        "inputs_sha256",
        "code_version",
        "created_at",
    ]
    list_filter = ["period"]
    exclude = ["inputs_json", "results_json"]


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    fields = ["received_on", "submitted_by", "institution", "text", "outcome", "reply", "replied_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = PublicationEvent
    extra = 0
    fields = ["at", "action", "actor", "detail"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _step(request: HttpRequest, queryset: QuerySet[Publication], step: Any) -> None:
    today = timezone.localdate()
    for pub in queryset:
        try:
            step(pub, today, user=request.user)
        except workflow.WorkflowError as exc:
            messages.error(request, f"{pub}: {exc}")
        else:
            messages.success(request, f"{pub}: {pub.get_status_display()}")


@admin.action(description=_("开始公示"))
def start_notice(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Publication]) -> None:
    _step(request, queryset, workflow.start_notice)


@admin.action(description=_("正式发布（公示期满且异议均已处理）"))
def finalise(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Publication]) -> None:
    _step(request, queryset, workflow.finalise)


@admin.register(Publication)
class PublicationAdmin(ReadOnly):
    list_display = ["title", "period", "status", "notice_started_on", "notice_ends_on", "content_sha256"]
    list_filter = ["status"]
    exclude = ["content_json"]
    inlines = [ObjectionInline, EventInline]
    actions = [start_notice, finalise]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # the list (for actions), never the edit form
