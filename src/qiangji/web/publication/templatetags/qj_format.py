"""Template filters for numbers and dates (``{% load qj_format %}``): :mod:`qiangji.web.formatting`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import get_language

from qiangji.web import formatting

register = template.Library()


@register.filter
def count(value: Any) -> str:
    """``{{ 33706.0|count }}`` → 33,706."""
    return formatting.count(value)


@register.filter
def score(value: Any, digits: int = 2) -> str:
    """``{{ 88.461538|score }}`` → 88.46 (``|score:1`` for one decimal)."""
    return formatting.score(value, digits)


@register.filter
def decimal(value: Any, digits: int = 2) -> str:
    """``{{ 0.81234|decimal:3 }}`` → 0.812 (a statistic such as r or α; thousands separated)."""
    return formatting.decimal(value, digits)


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """``{{ 54.545455|percent }}`` → 54.5% (the value is in percent)."""
    return formatting.percent(value, digits)


@register.filter
def ratio_percent(value: Any, digits: int = 1) -> str:
    """``{{ 0.545|ratio_percent }}`` → 54.5%."""
    return formatting.ratio_percent(value, digits)


@register.filter
def quantity(value: Any, unit: str = "") -> str:
    """``{{ 30.0|quantity:"项" }}`` → 30 项; ``{{ 2.345|quantity }}`` → 2.35."""
    return formatting.quantity(value, unit or "")


@register.filter
def yes_no(value: Any) -> str:
    """``{{ 1.0|yes_no }}`` → 是."""
    return formatting.yes_no(value)


@register.filter
def cn_date(value: Any) -> str:
    """``{{ "2026-01-17"|cn_date }}`` → 2026年1月17日."""
    return formatting.cn_date(value)


@register.filter
def join_names(values: Any) -> str:
    """``{{ names|join_names }}`` → 甲、乙、丙."""
    return formatting.join_names(values)


@register.filter
def local_date(value: Any) -> str:
    """A date on a page: 2026年1月17日 in Chinese, 17 January 2026 in English (documents use `cn_date`)."""
    if not (get_language() or "").startswith("en"):
        return formatting.cn_date(value)
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]) if value else None
    return "" if day is None else f"{day.day} {day:%B %Y}"


@register.filter
def node_name(node: Any) -> str:
    """A framework node's (dimension's, indicator's) name in the request's language (the framework file
    carries Chinese and English names; a missing English name falls back to the Chinese)."""
    return str(node.label("en" if (get_language() or "").startswith("en") else "zh"))


@register.filter
def unit_name(unit: Any) -> str:
    """An indicator's unit (项, 台件, level 0–3…) in the request's language."""
    from qiangji.web.publication.templatetags.publication_tags import unit_in_language

    return unit_in_language(str(unit or ""))
