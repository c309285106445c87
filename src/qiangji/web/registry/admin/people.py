"""Admin of the registered-metrologist pipeline records and of the professional-item mapping (city staff)."""

from __future__ import annotations

from django.contrib import admin

from qiangji.web.registry.forms import RMCredentialForm
from qiangji.web.registry.models import (
    ContinuingEducation,
    ExamSubjectPass,
    ProfessionalItemMapping,
    RMCredential,
)


class ExamSubjectPassInline(admin.TabularInline):
    model = ExamSubjectPass
    extra = 0


class RMCredentialInline(admin.TabularInline):
    model = RMCredential
    form = RMCredentialForm
    extra = 0


class ContinuingEducationInline(admin.TabularInline):
    model = ContinuingEducation
    extra = 0


@admin.register(ExamSubjectPass)
class ExamSubjectPassAdmin(admin.ModelAdmin):
    list_display = ["staff", "level", "subject", "exam_year", "basis"]
    list_filter = ["level", "subject", "exam_year", "staff__institution"]
    search_fields = ["staff__name", "staff__staff_no"]
    list_select_related = ["staff__institution"]


@admin.register(RMCredential)
class RMCredentialAdmin(admin.ModelAdmin):
    form = RMCredentialForm
    list_display = ["staff", "kind", "level", "cert_no", "issued_on", "valid_to"]
    list_filter = ["kind", "staff__institution"]
    search_fields = ["staff__name", "cert_no"]
    list_select_related = ["staff__institution"]


@admin.register(ContinuingEducation)
class ContinuingEducationAdmin(admin.ModelAdmin):
    list_display = ["staff", "completed_on", "hours", "provider", "topic"]
    list_filter = ["staff__institution"]
    search_fields = ["staff__name", "provider", "topic"]
    date_hierarchy = "completed_on"


@admin.register(ProfessionalItemMapping)
class ProfessionalItemMappingAdmin(admin.ModelAdmin):
    list_display = ["registration_item", "catalogue_item", "jjf1022_code", "note"]
    list_filter = ["catalogue_item__level1_name"]
    search_fields = ["registration_item", "catalogue_item__level2_name", "jjf1022_code"]
    autocomplete_fields = ["catalogue_item"]
