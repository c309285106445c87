"""Steering records in the admin (the city's staff only): partners, agreements, projects, exchanges,
research applications, assistance actions, the plan with its assignments and targets, duty lists."""

from django.contrib import admin

from qiangji.web.steering import models as m


@admin.register(m.Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "speciality"]
    list_filter = ["kind"]


@admin.register(m.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "partner", "document_no", "signed_on", "expires_on"]
    list_filter = ["institution"]


@admin.register(m.JointProject)
class JointProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "partner", "kind", "agreement", "started_on", "ended_on"]
    list_filter = ["institution", "kind"]


@admin.register(m.Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = [
        "institution",
        "partner",
        "kind",
        "direction",
        "staff",
        "person",
        "started_on",
        "ended_on",
    ]


@admin.register(m.ResearchApplication)
class ResearchApplicationAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "funding_level", "status", "submitted_on", "decided_on"]
    list_filter = ["status", "institution"]


@admin.register(m.AssistanceAction)
class AssistanceActionAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "provider", "kind", "started_on", "ended_on", "indicator"]
    list_filter = ["kind", "institution"]


class AssignmentInline(admin.StackedInline):
    model = m.PlanAssignment
    extra = 0
    filter_horizontal = ["base_items", "speciality_items"]


@admin.register(m.CapabilityPlan)
class CapabilityPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "adopted_on", "target_on"]
    inlines = [AssignmentInline]


class TargetInline(admin.TabularInline):
    model = m.PlanTarget
    extra = 0


@admin.register(m.PlanAssignment)
class PlanAssignmentAdmin(admin.ModelAdmin):
    list_display = ["institution", "plan", "positioning"]
    filter_horizontal = ["base_items", "speciality_items"]
    inlines = [TargetInline]


@admin.register(m.DutyListItem)
class DutyListItemAdmin(admin.ModelAdmin):
    list_display = ["division", "year", "item", "population", "source_document"]
    list_filter = ["year", "division"]
