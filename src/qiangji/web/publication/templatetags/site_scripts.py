"""``{% script_src "charts" %}``: the URL of one of the site's scripts with its content digest, so a changed
file is fetched again although the browser may cache the URL for a week."""

from __future__ import annotations

import hashlib
from functools import cache

from django import template
from django.urls import reverse

from qiangji.web.publication.views import SCRIPTS, SCRIPTS_DIR

register = template.Library()


@cache
def _digest(name: str) -> str:
    return hashlib.sha256((SCRIPTS_DIR / f"{name}.js").read_bytes()).hexdigest()[:12]


@register.simple_tag
def script_src(name: str) -> str:
    if name not in SCRIPTS:
        raise template.TemplateSyntaxError(f"`name` must be one of {sorted(SCRIPTS)}, got {name!r}")
    return f"{reverse('publication:script', args=[name])}?v={_digest(name)}"
