from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qiangji.web.publication.exports.wording import change_text

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


@register.simple_tag
def rank_change(row: Any, previous: Any) -> SafeString:
    """The 较上期 cell: the arrow when the previous publication used the same framework version, else the
    previous rank alone (ranks of different versions come from different rules: no rise or fall)."""
    if previous and previous.get("comparable") is False:
        before = row.get("previous_rank")
        if before is None:
            return format_html('<span class="same" title="{}">{}</span>', _("上期未排名"), _("新"))
        title = _("上期按指标框架 %(version)s 计算，名次不作升降比较") % {
            "version": previous.get("framework_version", "")
        }
        return format_html(
            '<span class="previous-rank" title="{}">{}</span>', title, _("上期第 %(n)s 名") % {"n": before}
        )
    return change_arrow(row.get("change"), previous)


@register.filter
def comparable(previous: Any) -> bool:
    """Whether the previous publication's ranks compare with this one's (content before version 5: yes)."""
    return bool(previous) and previous.get("comparable") is not False


@register.filter(name="change_text")
def change_text_filter(row: Any) -> str:
    """`exports.wording.change_text` in the printed templates."""
    return change_text(row)
