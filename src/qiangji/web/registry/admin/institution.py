"""Admin of divisions, institutions and their history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.admin.common import today
from qiangji.web.registry.forms import DivisionForm
from qiangji.web.registry.models import (
    Division,
    Institution,
    InstitutionGrade,
    InstitutionName,
    InstitutionSuccession,
)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    form = DivisionForm
    list_display = ["code", "name", "name_en", "kind", "industries"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_en"]

    @admin.display(description=_("块状产业"))
    def industries(self, obj: Division) -> str:
        return "、".join(obj.block_industries)


class InstitutionNameInline(admin.TabularInline):
    model = InstitutionName
    extra = 0


class InstitutionGradeInline(admin.TabularInline):
    model = InstitutionGrade
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = [
        "code", "name", "level", "legal_type", "is_ranked", "served", "grade_today", "staff_today",
        "rm_coverage_today", "dissolved_on",
    ]  # fmt: skip
    list_filter = ["level", "legal_type", "is_ranked", "divisions", "grades__grade"]
    search_fields = ["code", "name", "names__name", "authorisation_cert_no"]
    filter_horizontal = ["divisions"]
    inlines = [InstitutionNameInline, InstitutionGradeInline]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("divisions").distinct()

    @admin.display(description=_("服务区划"))
    def served(self, obj: Institution) -> str:
        return "、".join(d.name for d in obj.divisions.all())

    @admin.display(description=_("当前等级"))
    def grade_today(self, obj: Institution) -> str:
        grade = obj.grade_on(today())
        return grade.get_grade_display() if grade else "—"

    @admin.display(description=_("在岗人数"))
    def staff_today(self, obj: Institution) -> int:
        return obj.staff_on(today()).count()

    @admin.display(description=_("注册计量师覆盖率（%）"))
    def rm_coverage_today(self, obj: Institution) -> str:
        coverage = obj.rm_coverage_on(today())
        pct = coverage.percent
        return f"{pct}（{coverage.numerator}/{coverage.denominator}）" if pct is not None else "—"


@admin.register(InstitutionName)
class InstitutionNameAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "valid_from", "valid_until", "source_document"]
    list_filter = ["institution"]
    search_fields = ["name", "institution__name", "source_document"]


@admin.register(InstitutionGrade)
class InstitutionGradeAdmin(admin.ModelAdmin):
    list_display = ["institution", "grade", "effective_from", "source_document"]
    list_filter = ["grade", "institution"]
    search_fields = ["institution__name", "source_document"]
    date_hierarchy = "effective_from"


@admin.register(InstitutionSuccession)
class InstitutionSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on", "source_document"]
    list_filter = ["kind"]
    search_fields = ["predecessor__name", "successor__name", "source_document"]
