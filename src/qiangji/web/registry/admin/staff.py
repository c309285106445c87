"""Admin of staff and registered-metrologist registrations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.admin.common import as_of_today_filter, show_warnings, today
from qiangji.web.registry.admin.people import (
    ContinuingEducationInline,
    ExamSubjectPassInline,
    RMCredentialInline,
)
from qiangji.web.registry.forms import RMRegistrationForm
from qiangji.web.registry.models import RMRegistration, Staff
from qiangji.web.registry.validators import registration_warnings


class RMRegistrationInline(admin.TabularInline):
    model = RMRegistration
    form = RMRegistrationForm
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = [
        "name", "institution", "staff_no", "title", "is_technical", "is_verification",
        "is_authorised_signatory", "hired_on", "left_on", "registered_today",
    ]  # fmt: skip
    list_filter = [
        as_of_today_filter(_("今日在岗"), "employed_on"), "institution", "is_verification",
        "is_authorised_signatory", "title", "education",
    ]  # fmt: skip
    search_fields = ["name", "staff_no", "registrations__registration_no", "institution__name"]
    date_hierarchy = "hired_on"
    list_select_related = ["institution"]
    inlines = [RMRegistrationInline, ExamSubjectPassInline, RMCredentialInline, ContinuingEducationInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("registrations")  # registered_today column

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            if isinstance(obj, RMRegistration):
                show_warnings(request, obj, registration_warnings(obj))

    @admin.display(boolean=True, description=_("今日持有效注册"))
    def registered_today(self, obj: Staff) -> bool:
        return obj.registration_on(today()) is not None


@admin.register(RMRegistration)
class RMRegistrationAdmin(admin.ModelAdmin):
    form = RMRegistrationForm
    list_display = [
        "staff", "institution", "level", "registration_no", "qualification_cert_no", "valid_from", "valid_to",
        "valid_today",
    ]  # fmt: skip
    list_filter = [as_of_today_filter(_("今日有效"), "valid_on"), "level", "staff__institution"]
    search_fields = ["staff__name", "registration_no", "qualification_cert_no"]
    date_hierarchy = "valid_to"
    list_select_related = ["staff__institution"]
    autocomplete_fields = ["staff"]

    def save_model(self, request: HttpRequest, obj: RMRegistration, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        show_warnings(request, obj, registration_warnings(obj))

    @admin.display(description=_("机构"), ordering="staff__institution__code")
    def institution(self, obj: RMRegistration) -> str:
        return str(obj.staff.institution)

    @admin.display(boolean=True, description=_("今日有效"))
    def valid_today(self, obj: RMRegistration) -> bool:
        return obj.is_valid_on(today())
