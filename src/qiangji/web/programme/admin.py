"""Programme admin (the city's staff only). A training plan is proposed, edited and adopted on the plan
page (``programme:plan``), so it is read-only here."""

from django.contrib import admin

from qiangji.web.accounts.admin_policy import ViewOnlyAdmin
from qiangji.web.programme import models as m


@admin.register(m.Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["name", "metric", "target_kind", "target", "baseline_on", "deadline", "is_active"]


@admin.register(m.TrainingTopic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "discipline", "default_hours"]


class TrainerInline(admin.TabularInline):
    model = m.TrainerAvailability
    extra = 0


@admin.register(m.TrainingYear)
class YearAdmin(admin.ModelAdmin):
    list_display = ["year", "needs_deadline", "sessions_per_quarter", "capacity_online", "capacity_offline"]
    inlines = [TrainerInline]


@admin.register(m.TrainingNeed)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["institution", "year", "topic", "headcount", "preferred_mode", "priority", "submitted_on"]
    list_filter = ["year", "institution"]


class PlannedInline(admin.TabularInline):
    model = m.PlannedSession
    extra = 0


@admin.register(m.TrainingPlan)
class PlanAdmin(ViewOnlyAdmin):
    list_display = ["year", "status", "objective", "total_demand", "adopted_on"]
    inlines = [PlannedInline]


class AttendanceInline(admin.TabularInline):
    model = m.Attendance
    extra = 0
    autocomplete_fields = ["staff"]


@admin.register(m.TrainingSession)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "mode", "hours", "capacity"]
    list_filter = ["year", "quarter", "mode"]
    inlines = [AttendanceInline]


@admin.register(m.RMExamPass)
class ExamPassAdmin(admin.ModelAdmin):
    list_display = ["staff", "level", "exam_year", "passed_on"]
    autocomplete_fields = ["staff"]
