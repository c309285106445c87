"""The audit trail on the site's own pages, for the roles that read it (programme admin, leadership).

Leadership does not use the Django admin (it is for the city's staff), so the trail is read here: filters
by action, app, data type, source, actor or object text and date range, 100 events a page, and the same
filtered events as CSV or Excel (each export is itself an ``export`` audit event).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qiangji.web.accounts import audit, export, policy
from qiangji.web.accounts import audit_labels as labels
from qiangji.web.accounts.decorators import staff_required
from qiangji.web.accounts.models import AuditEvent

#: Exact-match filters (query parameter = model field).
FILTERS = ("action", "app_label", "model", "source")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readers_only(request: HttpRequest) -> None:
    if not policy.can_view_model(request.user, AuditEvent):
        raise PermissionDenied("your role may not read the audit trail")


def _date(request: HttpRequest, name: str, problems: list[str]) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        rule = _("“%(field)s”须为日期（YYYY-MM-DD），收到 %(value)s。")
        problems.append(rule % {"field": name, "value": raw})
        return None


def filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], list[str]]:
    """The events the query parameters select, and a message per parameter that was not understood."""
    problems: list[str] = []
    events = AuditEvent.objects.all()
    for name in FILTERS:
        value = request.GET.get(name, "").strip()
        if value:
            events = events.filter(**{name: value})
    text = request.GET.get("q", "").strip()
    if text:
        match = Q(actor__icontains=text) | Q(object_repr__icontains=text) | Q(object_id=text)
        if _is_ip(text):  # PostgreSQL's inet column refuses a comparison with other text
            match |= Q(ip=text)
        events = events.filter(match | Q(request_id=text))
    since, until = _date(request, "since", problems), _date(request, "until", problems)
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-pk"), problems


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    events, problems = filtered(request)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    for e in page:  # the codes the event stores, named in the request's language
        e.model_label = labels.model_label(e.app_label, e.model)  # type: ignore[attr-defined]
        fields = labels.field_labels(e.app_label, e.model, e.changed or [])
        e.field_labels = pgettext("list separator", "、").join(fields)  # type: ignore[attr-defined]
        e.source_label = labels.source_label(e.source)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "problems": problems,
        "query": query.urlencode(),
        "actions": AuditEvent.Action.choices,
        "values": _choices(),
        "current": {name: request.GET.get(name, "") for name in (*FILTERS, "q", "since", "until")},
    }
    return render(request, "accounts/audit.html", context)


def _distinct(name: str) -> list[str]:
    return sorted(v for v in AuditEvent.objects.values_list(name, flat=True).distinct() if v)


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The filters' options as (stored code, name shown); a data type named with its app's models."""
    pairs = AuditEvent.objects.exclude(model="").values_list("app_label", "model").distinct()
    models = {m: labels.model_label(a, m) for a, m in sorted(pairs)}
    return {
        "app_label": [(v, labels.app_label(v)) for v in _distinct("app_label")],
        "model": sorted(models.items(), key=lambda kv: (kv[1], kv[0])),
        "source": [(v, labels.source_label(v)) for v in _distinct("source")],
    }


def _download(request: HttpRequest, body: bytes, kind: str, mime: str) -> HttpResponse:
    audit.record(AuditEvent.Action.EXPORT, model="auditevent", app_label="accounts", after=dict(request.GET))
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="audit.{kind}"'
    return response


@staff_required
def audit_csv(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    events, _problems = filtered(request)
    return _download(request, export.to_csv(events.iterator()), "csv", "text/csv; charset=utf-8")


@staff_required
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    events, _problems = filtered(request)
    return _download(request, export.to_xlsx(events.iterator()), "xlsx", XLSX)
