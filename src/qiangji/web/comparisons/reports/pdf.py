"""PDF report (WeasyPrint, A4, Noto CJK): round data, reference values, results, trail, DoE charts."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.comparisons.reports.chart import doe_chart_svg
from qiangji.web.comparisons.reports.common import (
    RESULT_HEADERS,
    algorithm_a_rows,
    evaluations,
    result_rows,
    trail_lines,
)


def report_html(rnd: ComparisonRound) -> str:
    points = [
        {
            "ev": ev,
            "trail": trail_lines(ev),
            "algorithm_a": algorithm_a_rows(ev),
            "chart": mark_safe(
                doe_chart_svg(ev).decode("utf-8").split("?>", 1)[-1]
            ),  # our own SVG, text escaped
        }
        for ev in evaluations(rnd)
    ]
    return render_to_string(
        "comparisons/report_pdf.html",
        {
            "round": rnd,
            "issuing_unit": settings.QIANGJI["ISSUING_UNIT"],
            "today": timezone.localdate(),
            "headers": RESULT_HEADERS,
            "rows": result_rows(rnd),
            "points": points,
            "participants": rnd.participants.select_related("institution"),
        },
    )


def report_pdf(rnd: ComparisonRound) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(rnd)).write_pdf()
    return pdf
