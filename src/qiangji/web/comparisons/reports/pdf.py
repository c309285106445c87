"""PDF report (WeasyPrint, A4, Noto CJK): round data, reference values, results, trail, DoE charts."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from qiangji.web.comparisons.labels import method_zh
from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.comparisons.reports.chart import doe_chart_svg
from qiangji.web.comparisons.reports.common import (
    HIDDEN,
    RESULT_HEADERS,
    RULES,
    algorithm_a_rows,
    all_names,
    conclusions,
    evaluations,
    result_rows,
    result_text_rows,
    sigma_pt,
    trail_lines,
)


def report_html(rnd: ComparisonRound, names: Mapping[str, str] | None = None) -> str:
    """The report as HTML; ``names`` is the lab code → institution mapping the reader may see (default:
    all, for the pilot and the city; a participant's report names only its own institution)."""
    names = all_names(rnd) if names is None else names
    points = [
        {
            "ev": ev,
            "trail": trail_lines(ev),
            "sigma_pt": sigma_pt(ev)[0],
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
            "rows": result_text_rows(result_rows(rnd, names)),
            "points": points,
            "participants": [
                {"p": p, "name": names.get(p.lab_code, HIDDEN)}
                for p in rnd.participants.select_related("institution")
            ],
            "method": method_zh(rnd.reference_method),
            "conclusions": conclusions(rnd, names),
            "rules": RULES,
            "prepared_by": _prepared_by(rnd),
        },
    )


def _prepared_by(rnd: ComparisonRound) -> str:
    """Who evaluated the round (编制), as the system recorded it; the signatures are written by hand."""
    ev = rnd.evaluations.select_related("evaluated_by").order_by("-evaluated_at").first()
    user = ev.evaluated_by if ev is not None else None
    return "" if user is None else (user.get_full_name() or user.get_username())


def report_pdf(rnd: ComparisonRound, names: Mapping[str, str] | None = None) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=report_html(rnd, names)).write_pdf()
    return pdf
