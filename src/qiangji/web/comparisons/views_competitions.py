"""Skills competitions (public to signed-in users) and the institution results fragment for scorecards
(its institution's reporters and the city side only: :func:`access.can_view_institution_results`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from qiangji.web.comparisons import access
from qiangji.web.comparisons.competitions import institution_entries, item_table, team_totals
from qiangji.web.comparisons.models import Competition, LabResult
from qiangji.web.registry.models import Institution


@login_required
def competition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "comparisons/competition_list.html", {"competitions": Competition.objects.all()})


@login_required
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comp = get_object_or_404(Competition, pk=pk)
    items = [(item, item_table(item)) for item in comp.items.all()]
    return render(
        request,
        "comparisons/competition_detail.html",
        {"competition": comp, "items": items, "teams": team_totals(comp)},
    )


def institution_results_context(institution: Institution) -> dict[str, Any]:
    """What the scorecard's fragment shows: released comparison results and competition entries."""
    results = (
        LabResult.objects.filter(participant__institution=institution, evaluation__round__status="reported")
        .select_related("evaluation__round", "evaluation__point")
        .order_by("-evaluation__round__year", "evaluation__round__code", "evaluation__point__order")
    )
    return {"institution": institution, "lab_results": results, "entries": institution_entries(institution)}


@login_required
def institution_results(request: HttpRequest, code: str) -> HttpResponse:
    """A page in the site's layout; for htmx, the fragment alone (as included on the scorecard)."""
    if not access.can_view_institution_results(request.user, code):
        raise PermissionDenied
    inst = get_object_or_404(Institution, code=code)
    fragment = bool(getattr(request, "htmx", False))  # django_htmx's HtmxDetails: true for an htmx request
    template = f"comparisons/{'_' if fragment else ''}institution_results.html"
    return render(request, template, institution_results_context(inst))
