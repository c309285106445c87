"""Pieces shared by the registry's admin classes: "as of today" filters and columns."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def as_of_today_filter(title: str, method: str, param: str = "today") -> type[admin.SimpleListFilter]:
    """A yes/no list filter that calls the queryset's as-of method (e.g. ``valid_on``) with today's date."""

    class AsOfTodayFilter(admin.SimpleListFilter):
        parameter_name = param

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
            return [("yes", _("是")), ("no", _("否"))]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            matching = getattr(queryset.model.objects, method)(timezone.localdate())
            if self.value() == "yes":
                return queryset.filter(pk__in=matching.values("pk"))
            if self.value() == "no":
                return queryset.exclude(pk__in=matching.values("pk"))
            return queryset

    AsOfTodayFilter.title = title
    return AsOfTodayFilter


def today() -> Any:
    return timezone.localdate()


def show_warnings(request: HttpRequest, obj: Any, warnings: list[tuple[str, Any]]) -> None:
    """Show accepted-but-suspicious findings of a validator to the admin user, naming the field."""
    for name, message in warnings:
        label = obj._meta.get_field(name).verbose_name
        messages.warning(request, f"{label}：{message}")
