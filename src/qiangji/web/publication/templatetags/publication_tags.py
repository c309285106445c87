from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from qiangji.web.assessment.models.periods import period_code_label
from qiangji.web.publication import standing
from qiangji.web.publication.exports.wording import change_text
from qiangji.web.stored_texts import in_language

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


#: The framework files' units, for the catalogue (``pgettext("unit", …)``; others pass as they are).
UNITS = (
    pgettext_lazy("unit", "项"),
    pgettext_lazy("unit", "台件"),
    pgettext_lazy("unit", "件"),
    pgettext_lazy("unit", "人"),
    pgettext_lazy("unit", "个"),
    pgettext_lazy("unit", "家"),
    pgettext_lazy("unit", "份"),
    pgettext_lazy("unit", "学时/人"),
    pgettext_lazy("unit", "level 0–3"),
)


#: Units that a framework file writes in English (frozen with its hash): their Chinese for Chinese pages.
UNITS_ZH = {"level 0–3": "级（0–3）"}


def unit_in_language(unit: str) -> str:
    """``"台件"`` → 台件 / instruments."""
    if not _english() and unit in UNITS_ZH:
        return UNITS_ZH[unit]
    return pgettext("unit", unit) if unit else ""


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def local_name(item: Any) -> str:
    """A dimension's or indicator's name as stored in the content (``name``, ``name_en``) in the request's
    language: the framework file carries both; an English name missing falls back to the Chinese."""
    if _english() and item.get("name_en"):
        return str(item["name_en"])
    return str(item.get("name", ""))


@register.filter
def period_label(code: str) -> str:
    """``"2025Q4"`` → 2025年第4季度 / Q4 2025 (the content's stored label is always Chinese)."""
    return period_code_label(str(code))


@register.filter
def tier_label(tier: int) -> str:
    """Tier 1, 2, 3 … → 第一方阵… / Tier 1…, in the request's language (any tier count)."""
    if _english():
        return f"Tier {int(tier)}"
    return standing.tier_label(int(tier))


@register.simple_tag
def publication_title(content: Any) -> str:
    """The publication's title: as published (``content.title``) in Chinese; in another language the
    standard title of its period, translated."""
    if not _english():
        return str(content["title"])
    label = period_code_label(content["period"]["code"])
    return _("%(period)s计量技术机构能力建设指数排行榜") % {"period": label}


@register.filter
def stored_text(text: str) -> str:
    """A Chinese sentence stored in a publication's content or a run's snapshot (the tier rule, a derived
    value's method and detail) in the request's language: the stored words stay as they were published or
    computed; another language shows their translation, numbers and names filled in (`stored_texts`)."""
    return in_language(text)


@register.filter
def gate_reason(fired: Any, framework_sha256: str | None) -> str:
    """A fired gate rule's reason in the request's language (the content stores the framework's Chinese)."""
    return standing.gate_words(fired, framework_sha256)[0]


@register.filter
def gate_cap(fired: Any, framework_sha256: str | None) -> str:
    """What a fired gate rule did (total or tier capped) in the request's language."""
    return standing.gate_words(fired, framework_sha256)[1]


@register.filter
def unit_label(unit: str) -> str:
    """An indicator's unit (项, 台件, 学时/人…) in the request's language."""
    return unit_in_language(str(unit or ""))


@register.filter
def indicator_name(code: str, content: Any) -> str:
    """The name of indicator ``code`` in the request's language, from a publication's content; "" when the
    page has no content (the template then falls back to the name it holds)."""
    if not content:
        return ""
    found = next((i for i in content.get("indicators", []) if i["code"] == code), None)
    return local_name(found) if found else ""


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
