"""Supervision visits: list and plan, the scored checklist, findings and their rectification to closure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import (
    ensure_can_edit,
    ensure_can_view,
    role_required,
    staff_required,
    step_required,
)
from qiangji.web.accounts.locking import VERSION_FIELD, EditConflict, check_version, version_token
from qiangji.web.assessment.forms import (
    ChecklistFormSet,
    FindingForm,
    RectificationForm,
    ReviewRectificationForm,
    VisitForm,
)
from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.models import Period, Rectification, SupervisionVisit
from qiangji.web.registry.models import SupervisionFinding


@role_required(*policy.READ_ALL_ROLES)
def visit_list(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    if request.method == "POST" and not policy.can_inspect(request.user):
        raise PermissionDenied("only city inspectors plan visits")
    form = VisitForm(request.POST or None, initial={"visited_on": period.end})
    form.fields["institution"].queryset = form.fields["institution"].queryset.filter(
        pk__in=[i.pk for i in ranked_institutions(period)]
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = SupervisionVisit.create_with_checklist(
                period=period, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            return redirect("assessment:visit", pk=visit.pk)
    visits = (
        SupervisionVisit.objects.filter(period=period).select_related("institution").prefetch_related("items")
    )
    rows = [{"visit": v, "scores": v.sub_dimension_scores()} for v in visits]
    return render(request, "assessment/visits.html", {"period": period, "rows": rows, "form": form})


@staff_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(SupervisionVisit.objects.select_related("period", "institution"), pk=pk)
    ensure_can_view(request.user, visit)
    if request.method == "POST" and not policy.can_inspect(request.user):
        raise PermissionDenied("only city inspectors score a visit")
    formset = ChecklistFormSet(request.POST or None, queryset=visit.items.all(), prefix="items")
    if request.method == "POST" and (formset.is_valid() or _conflict(formset)):
        try:
            _save_scores(request, visit, formset)
        except EditConflict as exc:
            messages.error(request, exc.messages[0])  # nothing saved; the page shows the stored values
        else:
            messages.success(request, _("督导评分已保存。"))
        return redirect("assessment:visit", pk=visit.pk)
    findings = list(visit.findings.prefetch_related("rectifications"))
    for fd in findings:  # the versions the rectification and review forms were loaded at
        fd.row_version = version_token(fd)
        fd.rectifiable = policy.may(request.user, "rectify") and policy.can_edit(
            request.user, Rectification(finding=fd)
        )
        for r in fd.rectifications.all():
            r.row_version = version_token(r)
    context = {
        "visit": visit,
        "visit_version": version_token(visit),
        "formset": formset,
        "scores": visit.sub_dimension_scores(),
        "findings": findings,
        "finding_form": FindingForm(visit=visit),
        "rect_form": RectificationForm(),
        "review_form": ReviewRectificationForm(),
        "today": timezone.localdate(),
    }
    return render(request, "assessment/visit.html", context)


def _conflict(formset: Any) -> bool:
    """Is any item's stored row newer than the version its form was loaded at?"""
    return any(version_token(f.instance) != f.data.get(f.add_prefix(VERSION_FIELD)) for f in formset.forms)


@transaction.atomic
def _save_scores(request: HttpRequest, visit: SupervisionVisit, formset: Any) -> None:
    """Save the scores and the visit under row locks, or none if the visit or any item changed since the
    page was loaded (:func:`check_version`; each item form checks its own version again on save)."""
    check_version(visit, request.POST.get("visit_version"))
    for form in formset.forms:
        check_version(form.instance, form.data.get(form.add_prefix(VERSION_FIELD)))
    if not formset.is_valid():  # a conflict the locks no longer show (the row changed back): reload anyway
        raise EditConflict(visit)
    formset.save()
    visit.summary = request.POST.get("summary", visit.summary)
    if request.POST.get("complete"):
        visit.status = SupervisionVisit.Status.COMPLETED
    visit.save()


@step_required("inspect")
@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(SupervisionVisit, pk=pk)
    form = FindingForm(request.POST, visit=visit)
    if form.is_valid():
        with transaction.atomic():
            finding = form.save()
            visit.findings.add(finding)
        messages.success(request, _("已登记发现问题。"))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("assessment:visit", pk=visit.pk)


@staff_required
@require_POST
def submit_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(SupervisionFinding, pk=pk)
    ensure_can_edit(request.user, Rectification(finding=finding))  # the county of the finding, or the city
    form = RectificationForm(request.POST)
    if finding.closed_on is not None:
        messages.error(request, _("该问题已关闭。"))
    elif form.is_valid():
        try:
            with transaction.atomic():  # a finding changed since the page was loaded is read again first
                check_version(finding, request.POST.get(VERSION_FIELD))
                Rectification.objects.create(
                    finding=finding,
                    measures=form.cleaned_data["measures"],
                    submitted_on=timezone.localdate(),
                    submitted_by=request.user,
                )
        except EditConflict as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("整改报告已提交，待验证。"))
    else:
        problems = "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, _("整改报告未提交：%(problems)s") % {"problems": problems})
    return _back_to_visit(finding)


@step_required("review_rectification")
@require_POST
def review_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    rect = get_object_or_404(Rectification.objects.select_related("finding"), pk=pk)
    form = ReviewRectificationForm(request.POST)
    if rect.status != Rectification.Status.SUBMITTED or not form.is_valid():
        messages.error(request, _("该整改报告不能再验证。"))
    else:
        try:
            with transaction.atomic():
                check_version(rect, request.POST.get(VERSION_FIELD))
                close_by_review(
                    rect, request.user, accept=form.cleaned_data["accept"], note=form.cleaned_data["note"]
                )
        except EditConflict as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("验证结果已记录。"))
    return _back_to_visit(rect.finding)


def _back_to_visit(finding: SupervisionFinding) -> HttpResponse:
    visit = finding.visits.order_by("-visited_on").first()
    return redirect("assessment:visit", pk=visit.pk) if visit else redirect("assessment:periods")


@transaction.atomic
def close_by_review(rect: Rectification, user: object, *, accept: bool, note: str) -> None:
    """Record the city's verification; an accepted rectification closes its finding that day."""
    today = timezone.localdate()
    rect.status = Rectification.Status.ACCEPTED if accept else Rectification.Status.REJECTED
    rect.reviewed_on, rect.reviewed_by, rect.review_note = today, user, note
    rect.save()
    if accept:
        finding = rect.finding
        finding.closed_on = max(today, finding.found_on)
        finding.full_clean()
        finding.save()
