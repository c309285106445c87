from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (``{{ row.dimensions|get:code }}``)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def change_arrow(change: int | None, previous: Any = None) -> SafeString:
    """↑n / ↓n / — against the previous publication; 新 when there was one but the unit was not in it."""
    if change is None and not previous:
        return format_html('<span class="same" title="{}">—</span>', _("无上期排名"))
    if change is None:
        return format_html('<span class="same" title="{}">{}</span>', _("上期未排名"), _("新"))
    if change > 0:
        return format_html('<span class="up" title="{}">↑{}</span>', _("上升"), change)
    if change < 0:
        return format_html('<span class="down" title="{}">↓{}</span>', _("下降"), -change)
    return format_html('<span class="same" title="{}">—</span>', _("不变"))
