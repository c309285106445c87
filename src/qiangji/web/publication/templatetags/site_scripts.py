"""``{% script_src "charts" %}`` and ``{% plotly_src %}``: script URLs with the file's content digest
(``?v=``), so a changed file is fetched at once although the browser caches a digest URL for a year."""

from __future__ import annotations

from django import template
from django.urls import reverse

from qiangji.web.publication.views import PLOTLY_JS, SCRIPTS, SCRIPTS_DIR, file_digest

register = template.Library()


@register.simple_tag
def script_src(name: str) -> str:
    if name not in SCRIPTS:
        raise template.TemplateSyntaxError(f"`name` must be one of {sorted(SCRIPTS)}, got {name!r}")
    return f"{reverse('publication:script', args=[name])}?v={file_digest(SCRIPTS_DIR / f'{name}.js')}"


@register.simple_tag
def plotly_src() -> str:
    return f"{reverse('publication:plotly_js')}?v={file_digest(PLOTLY_JS)}"
