"""Admin of regulations, measurement standards, standard instruments and their certificates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.admin.common import as_of_today_filter, show_warnings, today
from qiangji.web.registry.forms import MeasurementStandardForm
from qiangji.web.registry.models import (
    InstrumentCertificate,
    MeasurementStandard,
    PreviousAssessment,
    Regulation,
    StandardInstrument,
)
from qiangji.web.registry.validators import measurement_standard_warnings


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "effective_from", "superseded_on", "superseded_by", "in_force_today"]
    list_filter = [as_of_today_filter(_("今日现行"), "in_force_on"), "kind", "year"]
    search_fields = ["code", "title", "number"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["superseded_by"]

    @admin.display(boolean=True, description=_("今日现行"))
    def in_force_today(self, obj: Regulation) -> bool:
        return obj.is_in_force_on(today())


class PreviousAssessmentInline(admin.TabularInline):
    model = PreviousAssessment
    extra = 0


class StandardInstrumentInline(admin.TabularInline):
    model = StandardInstrument
    extra = 0
    show_change_link = True


@admin.register(MeasurementStandard)
class MeasurementStandardAdmin(admin.ModelAdmin):
    form = MeasurementStandardForm
    list_display = [
        "name", "institution", "jjf1022_code", "discipline", "is_public", "assessment_cert_no",
        "assessment_expires_on", "reexam_applied_on", "status", "staff_count", "valid_today",
    ]  # fmt: skip
    list_filter = [
        as_of_today_filter(_("今日有效"), "valid_on"), "institution", "is_public", "status",
    ]  # fmt: skip
    search_fields = ["name", "jjf1022_code", "assessment_cert_no", "institution__name"]
    date_hierarchy = "assessment_expires_on"
    list_select_related = ["institution"]
    autocomplete_fields = ["regulations", "responsible_staff"]
    inlines = [StandardInstrumentInline, PreviousAssessmentInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("responsible_staff", "previous_assessments")

    @admin.display(description=_("专业"), ordering="jjf1022_code")
    def discipline(self, obj: MeasurementStandard) -> str:
        return obj.discipline_code

    @admin.display(description=_("负责人员数"))
    def staff_count(self, obj: MeasurementStandard) -> int:
        return len(obj.responsible_staff.all())

    @admin.display(boolean=True, description=_("今日有效"))
    def valid_today(self, obj: MeasurementStandard) -> bool:
        return obj.is_valid_on(today())

    def save_model(self, request: HttpRequest, obj: MeasurementStandard, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        show_warnings(request, obj, measurement_standard_warnings(obj))


@admin.register(PreviousAssessment)
class PreviousAssessmentAdmin(admin.ModelAdmin):
    list_display = ["cert_no", "standard", "issued_on", "expires_on"]
    list_filter = ["standard__institution"]
    search_fields = ["cert_no", "standard__name"]
    autocomplete_fields = ["standard"]


class InstrumentCertificateInline(admin.TabularInline):
    model = InstrumentCertificate
    extra = 0


@admin.register(StandardInstrument)
class StandardInstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "model", "serial_no", "standard", "institution", "is_main", "valid_today"]
    list_filter = ["is_main", "standard__institution"]
    search_fields = ["name", "model", "serial_no", "standard__name"]
    list_select_related = ["standard__institution"]
    autocomplete_fields = ["standard"]
    inlines = [InstrumentCertificateInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("certificates")  # valid_today column

    @admin.display(description=_("机构"))
    def institution(self, obj: StandardInstrument) -> str:
        return str(obj.standard.institution)

    @admin.display(boolean=True, description=_("今日溯源有效"))
    def valid_today(self, obj: StandardInstrument) -> bool:
        return obj.is_valid_on(today())


@admin.register(InstrumentCertificate)
class InstrumentCertificateAdmin(admin.ModelAdmin):
    list_display = ["cert_no", "instrument", "kind", "issuer", "valid_from", "valid_to", "valid_today"]
    list_filter = [as_of_today_filter(_("今日有效"), "valid_on"), "kind", "issuer"]
    search_fields = ["cert_no", "issuer", "instrument__name", "instrument__serial_no"]
    date_hierarchy = "valid_to"
    autocomplete_fields = ["instrument"]

    @admin.display(boolean=True, description=_("今日有效"))
    def valid_today(self, obj: InstrumentCertificate) -> bool:
        return obj.valid_from <= today() <= obj.valid_to
