"""Admin of the catalogue, authorised items, certificates, research, services and findings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.admin.common import as_of_today_filter, show_warnings, today
from qiangji.web.registry.models import (
    IndustryService,
    InstitutionMVItem,
    LabPlatform,
    MVCatalogueItem,
    ResearchOutput,
    ResearchProject,
    SupervisionFinding,
    VerificationCertificate,
)
from qiangji.web.registry.validators import verification_certificate_warnings


@admin.register(MVCatalogueItem)
class MVCatalogueItemAdmin(admin.ModelAdmin):
    list_display = [
        "catalogue_version", "level1_no", "level1_name", "level2_no", "level2_name", "supervision_mode",
        "mv_form", "scope_note", "evidence",
    ]  # fmt: skip
    list_filter = ["catalogue_version", "supervision_mode", "mv_form", "evidence"]
    search_fields = ["level1_name", "level2_name", "scope_note"]


@admin.register(InstitutionMVItem)
class InstitutionMVItemAdmin(admin.ModelAdmin):
    list_display = [
        "institution",
        "item",
        "authorised_from",
        "authorised_to",
        "annual_volume",
        "authorised_today",
    ]
    list_filter = [
        as_of_today_filter(_("今日在授权期内"), "authorised_on"),
        "institution",
        "item__supervision_mode",
    ]
    search_fields = ["institution__name", "item__level1_name", "item__level2_name", "authorisation_doc"]
    autocomplete_fields = ["item"]
    list_select_related = ["institution", "item"]

    @admin.display(boolean=True, description=_("今日在授权期内"))
    def authorised_today(self, obj: InstitutionMVItem) -> bool:
        day = today()
        return obj.authorised_from <= day and (obj.authorised_to is None or day <= obj.authorised_to)


@admin.register(VerificationCertificate)
class VerificationCertificateAdmin(admin.ModelAdmin):
    list_display = [
        "cert_no", "institution", "kind", "verified_on", "instrument_name", "regulation", "conclusion",
        "valid_until", "verifier", "checker", "approver",
    ]  # fmt: skip
    list_filter = ["institution", "kind", "conclusion", "verified_on"]
    search_fields = ["cert_no", "record_no", "instrument_name", "instrument_serial", "client"]
    date_hierarchy = "verified_on"
    list_select_related = ["institution", "regulation", "verifier", "checker", "approver"]
    autocomplete_fields = ["regulation", "standards", "verifier", "checker", "approver", "mv_item"]

    def save_model(self, request: HttpRequest, obj: VerificationCertificate, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        show_warnings(request, obj, verification_certificate_warnings(obj))


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "institution",
        "funding_level",
        "funder",
        "approved_on",
        "finished_on",
        "amount_cny",
    ]
    list_filter = ["funding_level", "institution"]
    search_fields = ["title", "funder", "approval_doc"]
    date_hierarchy = "approved_on"


@admin.register(LabPlatform)
class LabPlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "level", "approved_on", "revoked_on", "active_today"]
    list_filter = [as_of_today_filter(_("今日有效"), "active_on"), "level", "institution"]
    search_fields = ["name", "approval_doc"]

    @admin.display(boolean=True, description=_("今日有效"))
    def active_today(self, obj: LabPlatform) -> bool:
        day = today()
        return obj.approved_on <= day and (obj.revoked_on is None or day < obj.revoked_on)


@admin.register(ResearchOutput)
class ResearchOutputAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "kind", "published_on", "reference", "project"]
    list_filter = ["kind", "institution"]
    search_fields = ["title", "reference"]
    date_hierarchy = "published_on"


@admin.register(IndustryService)
class IndustryServiceAdmin(admin.ModelAdmin):
    list_display = [
        "enterprise", "institution", "year", "quarter", "cluster_tag", "service_type", "certificates",
        "revenue_cny",
    ]  # fmt: skip
    list_filter = ["year", "quarter", "service_type", "institution", "cluster_tag"]
    search_fields = ["enterprise", "cluster_tag"]


@admin.register(SupervisionFinding)
class SupervisionFindingAdmin(admin.ModelAdmin):
    list_display = [
        "institution", "found_on", "sub_dimension", "rule", "severity", "due_on", "closed_on",
        "overdue_today",
    ]  # fmt: skip
    list_filter = [
        as_of_today_filter(_("今日未关闭"), "open_on"),
        as_of_today_filter(_("今日已逾期"), "overdue_on", "overdue"),
        "sub_dimension", "rule", "severity", "source", "institution",
    ]  # fmt: skip
    search_fields = ["description", "institution__name"]
    date_hierarchy = "found_on"
    # A finding closes when the city accepts its rectification (the visit page), not by a date typed here.
    readonly_fields = ["closed_on"]

    @admin.display(boolean=True, description=_("今日已逾期"))
    def overdue_today(self, obj: SupervisionFinding) -> bool:
        day = today()
        return obj.found_on <= day and (obj.closed_on is None or obj.closed_on > day) and obj.due_on < day
