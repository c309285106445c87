"""Programme-office admin of the publication app (the city's staff only): index runs, publications and
objections, all read-only.

Publishing happens on the site's own page (``/publish/<period>/``): compute, start the notice, answer the
objections, publish final — the programme admin's steps (:func:`policy.can_publish`), through
:mod:`qiangji.web.publication.service`. Objections are lodged there and on ``/publish/<period>/objection/``.
The admin shows the rows and links to that page; it has no second way of taking a step.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.admin_policy import ViewOnlyAdmin, ViewOnlyInline
from qiangji.web.publication.models import IndexRun, Objection, Publication, PublicationEvent


def _publish_link(period_code: str) -> str:
    url = reverse("publication:publish", args=[period_code])
    return format_html('<a href="{}">{}</a>', url, _("在发布页面办理"))


@admin.register(IndexRun)
class IndexRunAdmin(ViewOnlyAdmin):
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


class ObjectionInline(ViewOnlyInline):
    model = Objection
    fields = ["received_on", "submitted_by", "institution", "text", "outcome", "reply", "replied_at"]
    readonly_fields = fields


class EventInline(ViewOnlyInline):
    model = PublicationEvent
    fields = ["at", "action", "actor", "detail"]
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(ViewOnlyAdmin):
    """Compute, notice and final are taken on the publishing page (:func:`_publish_link`)."""

    list_display = [
        "title", "period", "status", "notice_started_on", "notice_ends_on", "content_sha256", "page",
    ]  # fmt: skip
    list_filter = ["status"]
    exclude = ["content_json"]
    readonly_fields = ["page"]
    inlines = [ObjectionInline, EventInline]
    actions = None

    @admin.display(description=_("发布页面"))
    def page(self, obj: Publication) -> str:
        return _publish_link(obj.period.code)


@admin.register(Objection)
class ObjectionAdmin(ViewOnlyAdmin):
    """Lodged by a county on ``/publish/<period>/objection/`` (or recorded there by the office) and answered
    on the publishing page: an upheld answer recomputes with its corrections and restarts the notice."""

    list_display = [
        "publication", "received_on", "submitted_by", "institution", "outcome", "replied_at", "page",
    ]  # fmt: skip
    list_filter = ["outcome"]
    readonly_fields = ["page"]
    list_select_related = ["publication__period", "institution"]
    actions = None

    @admin.display(description=_("发布页面"))
    def page(self, obj: Objection) -> str:
        return _publish_link(obj.publication.period.code)
