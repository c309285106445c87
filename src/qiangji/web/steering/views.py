"""Steering pages: the capability map and plan, cooperation and research, assistance with its effect and
proposed training needs, the three-year results report (page and PDF).

Access (``accounts.policy``): city roles and leadership see every institution; a county reporter sees its
own institution's column, rows and actions; the public nothing. Importing a duty list and accepting a
proposed training need are workflow steps (``STEP_ROLES``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import role_required, staff_required, step_required
from qiangji.web.formatting import cn_date
from qiangji.web.programme.models import TrainingTopic
from qiangji.web.programme.progress import default_as_of
from qiangji.web.registry.models import Institution
from qiangji.web.steering import proposals as prop
from qiangji.web.steering.application_views import editing, own_institution
from qiangji.web.steering.capability import DUPLICATE, GAP, capability_map
from qiangji.web.steering.duties import import_duty_list
from qiangji.web.steering.effects import effects_of
from qiangji.web.steering.forms import OPEN_STATUSES, AcceptForm, ApplicationForm, DutyUploadForm
from qiangji.web.steering.models import (
    Agreement,
    AssistanceAction,
    Exchange,
    JointProject,
    Partner,
    ResearchApplication,
)
from qiangji.web.steering.results import results_report


def _as_of(request: HttpRequest) -> dt.date:
    raw = request.GET.get("as_of", "").strip()
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            messages.error(
                request, _("日期格式应为 YYYY-MM-DD，实为 %(raw)r，已使用默认日期。") % {"raw": raw}
            )
    return default_as_of()[0]


def _scope(request: HttpRequest) -> Institution | None:
    """None for the roles that read every institution; a reporter's own institution (403 without one)."""
    if policy.reads_all(request.user):
        return None
    own = policy.institution_of(request.user)
    if own is None:
        raise PermissionDenied("your account is not linked to an institution")
    return own


@staff_required
def capability(request: HttpRequest) -> HttpResponse:
    day, own = _as_of(request), _scope(request)
    cmap = capability_map(day, shown=None if own is None else [own])
    plan = cmap.plan
    assignments = (
        []
        if plan is None
        else plan.assignments.select_related("institution").prefetch_related(
            "base_items", "speciality_items", "targets"
        )
    )
    if own is not None:
        assignments = [a for a in assignments if a.institution_id == own.pk]
    return render(
        request,
        "steering/capability.html",
        {
            "m": cmap,
            "day": day,
            "own": own,
            "assignments": assignments,
            "upload": DutyUploadForm(),
            "can_import": policy.may(request.user, "import_duty_list"),
            "counts": {
                "item_gaps": len(cmap.items_with(GAP)),
                "item_dups": len(cmap.items_with(DUPLICATE)),
                "cluster_gaps": len(cmap.clusters_with(GAP)),
                "cluster_dups": len(cmap.clusters_with(DUPLICATE)),
            },
        },
    )


@require_POST
@step_required("import_duty_list")
def duties_import(request: HttpRequest) -> HttpResponse:
    form = DutyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("steering:capability")
    upload = form.cleaned_data["file"]
    result = import_duty_list(upload, upload.name)
    if result.errors:
        messages.error(request, _("导入未完成，未保存任何数据：共 %(n)s 处错误") % {"n": len(result.errors)})
        for e in result.errors:
            messages.error(request, e)
    else:
        lists = "、".join(
            _("%(code)s %(year)s年") % {"code": code, "year": year} for code, year in result.lists
        )
        messages.success(
            request,
            _("已导入强检职责清单 %(n)s 项（%(lists)s；替换原有 %(old)s 项）")
            % {"n": result.stored, "lists": lists, "old": result.replaced},
        )
    return redirect("steering:capability")


@staff_required
def cooperation(request: HttpRequest) -> HttpResponse:
    day, own = _as_of(request), _scope(request)

    def mine(qs: Any) -> Any:
        return qs if own is None else qs.filter(institution=own)

    applications = mine(ResearchApplication.objects.select_related("institution", "partner", "project"))
    return render(
        request,
        "steering/cooperation.html",
        {
            "day": day,
            "own": own,
            "partners": Partner.objects.all()
            if own is None
            else Partner.objects.filter(agreements__institution=own).distinct(),
            "agreements": mine(Agreement.objects.select_related("institution", "partner")),
            "projects": mine(JointProject.objects.select_related("institution", "partner", "agreement")),
            "exchanges": mine(Exchange.objects.select_related("institution", "partner", "staff")),
            "applications": applications,
            "pipeline": _pipeline(applications),
            **_entry(request),
        },
    )


def _entry(request: HttpRequest) -> dict[str, Any]:
    """The form of the account's own applications (`application_views`), when it may enter them."""
    mine = own_institution(request.user)
    current = editing(request, mine)
    return {
        "entry_for": mine,
        "editing": current,
        "application_form": ApplicationForm(instance=current) if mine is not None else None,
        "open_statuses": list(OPEN_STATUSES),
    }


def _pipeline(applications: Any) -> list[dict[str, Any]]:
    """Per institution: applications by status; an institution with a submitted application and no
    approved project yet is where the research goal's next breakthrough may come from."""
    rows: dict[int, dict[str, Any]] = {}
    for a in applications:
        r = rows.setdefault(
            a.institution_id, {"inst": a.institution, **{s: 0 for s in ResearchApplication.Status.values}}
        )
        r[a.status] += 1
    for r in rows.values():
        r["prospect"] = r["submitted"] > 0 and r["approved"] == 0
    return sorted(rows.values(), key=lambda r: r["inst"].code)


@staff_required
def assistance(request: HttpRequest) -> HttpResponse:
    day, own = _as_of(request), _scope(request)
    actions = AssistanceAction.objects.select_related(
        "institution", "provider", "finding", "lab_result__evaluation__round", "exam_topic"
    ).filter(started_on__lte=day)
    if own is not None:
        actions = actions.filter(institution=own)
    year = int(request.GET.get("year") or day.year + 1)
    proposals = prop.proposals(year, day) if own is None else []
    return render(
        request,
        "steering/assistance.html",
        {
            "day": day,
            "own": own,
            "year": year,
            "rows": [(a, effects_of(a, day)) for a in actions.order_by("-started_on", "pk")],
            "proposals": proposals,
            "topics": TrainingTopic.objects.order_by("code"),
            "can_accept": policy.may(request.user, "accept_training_proposal"),
        },
    )


@require_POST
@step_required("accept_training_proposal")
def accept_proposal(request: HttpRequest, year: int) -> HttpResponse:
    form = AcceptForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}：{'；'.join(errors)}")
    else:
        c = form.cleaned_data
        done = prop.accept(
            c["institution"], c["topic"], year, c["headcount"], c["reasons"], timezone.localdate()
        )
        messages.success(request, done)
    return redirect(f"{reverse('steering:assistance')}?year={year}")


@role_required(*policy.READ_ALL_ROLES)
def results(request: HttpRequest) -> HttpResponse:
    day = _as_of(request)
    return render(request, "steering/results.html", {"r": results_report(day), "day": day})


@role_required(*policy.READ_ALL_ROLES)
def results_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML

    day = _as_of(request)
    html = render_to_string(
        "steering/results_pdf.html",
        {
            "r": results_report(day),
            "day": day,
            "c": {"issuing_unit": settings.QIANGJI["ISSUING_UNIT"], "status": "final"},
            "today": cn_date(timezone.localdate()),
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="results-{day.isoformat()}.pdf"'
    return response
