"""指数编制说明 as a PDF (WeasyPrint, A4, Noto CJK embedded): the page's own text (the shared template
``publication/_methodology_body.html``), with the address of the page it was printed from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML


def methodology_pdf(ctx: Mapping[str, Any]) -> bytes:
    """The PDF of `methodology.methodology_context` plus ``page_url`` (where the page is on the site)."""
    pub = ctx["publication"]
    page = {**ctx, "c": {"issuing_unit": ctx["issuing_unit"], "status": pub.status}}
    html = render_to_string("publication/pdf/methodology.html", page)
    return bytes(HTML(string=html).write_pdf())
