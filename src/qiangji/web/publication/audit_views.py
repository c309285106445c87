"""The audit page of an index run (``/publish/<period>/runs/<run>/audit/``): the programme admin and city
reviewers (:func:`policy.can_read_audit`), never the public; the office reads it before starting the notice.
The figures are computed on the first visit and stored with the run (`run_audit`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from qiangji.web.accounts.decorators import step_required
from qiangji.web.publication import audit_pages
from qiangji.web.publication.models import IndexRun


@step_required("read_audit")
@require_safe
def run_audit(request: HttpRequest, code: str, run: int) -> HttpResponse:
    found = get_object_or_404(
        IndexRun.objects.select_related("period", "framework_version"),
        pk=run,
        period__code=code.strip().upper(),
    )
    return render(request, "publication/publish/audit.html", audit_pages.context(found))
