"""Admin for rounds (with points, participants, pilot checks), evaluations, and competitions (the city's
staff only).

A round's status moves only through the pilot's actions on the round page (open, close, evaluate, issue
the report); results are submitted by each participant on that page, before the deadline, and evaluations
are computed there: so status, results and evaluations are read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qiangji.core.comparison import RESULT_COLUMNS
from qiangji.web.accounts.admin_policy import ViewOnlyAdmin
from qiangji.web.comparisons import models as m
from qiangji.web.comparisons.columns import TABLE_COLUMNS
from qiangji.web.comparisons.competitions import rank_item


class _ProtocolLink:
    """What the file widget shows for a stored protocol: its name, linked to the permission-checked view."""

    def __init__(self, file: Any) -> None:
        self.name, self.url = file.name, reverse("comparisons:protocol", args=[file.instance.code])

    def __str__(self) -> str:
        return str(self.name)


class ProtocolInput(forms.ClearableFileInput):
    """Media files are never served directly: the "currently" link goes through comparisons:protocol."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            context["widget"]["value"] = _ProtocolLink(value)
        return context


class PointInline(admin.TabularInline):
    model = m.MeasurementPoint
    extra = 1


class ParticipantInline(admin.TabularInline):
    model = m.Participant
    extra = 1
    autocomplete_fields = ["institution"]


@admin.register(m.ComparisonRound)
class ComparisonRoundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year", "pilot", "deadline", "status", "reference_method"]
    list_filter = ["status", "year", "reference_method", "mandatory"]
    search_fields = ["code", "name", "quantity"]
    inlines = [PointInline, ParticipantInline]
    formfield_overrides = {models.FileField: {"widget": ProtocolInput}}
    readonly_fields = ["status", "closed_at", "reported_on", "page"]

    @admin.display(description=_("比对页面（主导实验室操作）"))
    def page(self, obj: m.ComparisonRound) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("comparisons:round", args=[obj.code]), obj.code)


@admin.register(m.PilotCheck)
class PilotCheckAdmin(admin.ModelAdmin):
    list_display = ["point", "measured_on", "x", "U", "k"]


@admin.register(m.Submission)
class SubmissionAdmin(ViewOnlyAdmin):
    """A participant's own result, submitted on the round page while the round accepts results."""

    list_display = ["participant", "point", "x", "U", "k", "measured_on", "submitted_by"]
    list_filter = ["participant__round"]


class LabResultInline(admin.TabularInline):
    model = m.LabResult
    extra = 0
    can_delete = False
    # every declared result column (``RESULT_COLUMNS``); a qualifier (z or z′) is read with its score
    readonly_fields = ["participant", *(c.name for c in TABLE_COLUMNS)]
    exclude = ["submission", *(c.name for c in RESULT_COLUMNS if c.qualifies)]


@admin.register(m.Evaluation)
class EvaluationAdmin(ViewOnlyAdmin):
    list_display = ["round", "point", "method", "value", "u", "evaluated_at"]
    readonly_fields = [f.name for f in m.Evaluation._meta.fields]
    inlines = [LabResultInline]


@admin.register(m.CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["round", "institution", "finding"]


class ItemInline(admin.TabularInline):
    model = m.CompetitionItem
    extra = 1


class TeamInline(admin.TabularInline):
    model = m.Team
    extra = 1


@admin.register(m.Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "held_from"]
    inlines = [ItemInline, TeamInline]


class ScoreInline(admin.StackedInline):
    model = m.Score
    readonly_fields = ["total", "rank"]


@admin.register(m.Contestant)
class ContestantAdmin(admin.ModelAdmin):
    list_display = ["staff", "institution", "item", "team"]
    list_filter = ["item__competition", "item"]
    inlines = [ScoreInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        rank_item(form.instance.item)  # totals, ranks and awards follow every score change
