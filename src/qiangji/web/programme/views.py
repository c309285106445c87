"""Programme pages: goals dashboard with alerts, institution page, training needs, plan, sessions.

Access follows :mod:`qiangji.web.accounts.policy`: the programme admin and city reviewers see everything
and write (plan, sessions); leadership sees everything and writes nothing; a county reporter sees its own
institution's page, needs and attendance and enters its own institution's needs; the public nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import ensure_can_view, role_required, staff_required
from qiangji.web.accounts.locking import VERSION_FIELD, EditConflict, check_version
from qiangji.web.assessment.cache import cached
from qiangji.web.programme import charts
from qiangji.web.programme.alerts import alerts_on
from qiangji.web.programme.candidacy import RMCandidate
from qiangji.web.programme.forms import NeedForm, NeedsUploadForm, PlanSessionFormSet
from qiangji.web.programme.models import Attendance, TrainingNeed, TrainingPlan, TrainingSession, TrainingYear
from qiangji.web.programme.needs_excel import import_needs
from qiangji.web.programme.plans import PlanLocked, adopt_plan, propose_plan, uncovered_rows
from qiangji.web.programme.progress import PROJECTION_METHOD, all_statuses, default_as_of
from qiangji.web.programme.readiness import all_readiness
from qiangji.web.registry.models import Institution

GOAL_APPS = ("registry", "programme")  # what the goal metrics read (goals, institutions, staff, projects)


def _institution_of(user: Any) -> Institution | None:
    return policy.institution_of(user)


def _reads_all(request: HttpRequest) -> bool:
    return policy.reads_all(request.user)


def _own_or_denied(request: HttpRequest) -> Institution | None:
    """None for roles that read every institution; a reporter's own institution (403 if it has none)."""
    if _reads_all(request):
        return None
    own = _institution_of(request.user)
    if own is None:
        raise PermissionDenied("your account is not linked to an institution")
    return own


def _as_of(request: HttpRequest) -> tuple[dt.date, str]:
    raw = request.GET.get("as_of", "").strip()
    if raw:
        try:
            return dt.date.fromisoformat(raw), _("所选日期")
        except ValueError:
            messages.error(
                request, _("日期格式应为 YYYY-MM-DD，实为 %(raw)r，已使用默认日期。") % {"raw": raw}
            )
    return default_as_of()


def _statuses(day: dt.date) -> list[Any]:
    """The goals on ``day``, kept between requests until the data change (assessment/cache.py)."""
    return cached(f"goals:{get_language()}:{day.isoformat()}", lambda: all_statuses(day), GOAL_APPS)


@role_required(*policy.READ_ALL_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    day, how = _as_of(request)
    statuses = _statuses(day)
    return render(request, "programme/dashboard.html", {
        "day": day, "how": how, "goals": [(s, charts.trajectory(s)) for s in statuses],
        "alerts": alerts_on(day), "method": PROJECTION_METHOD, "year": day.year,
        "candidates": all_readiness(day),
    })  # fmt: skip


@staff_required
def institution(request: HttpRequest, code: str) -> HttpResponse:
    inst = get_object_or_404(Institution, code=code)
    ensure_can_view(request.user, inst)  # a reporter: its own institution only
    day, how = _as_of(request)
    rows = [(s, next((r for r in s.now.institutions if r.code == code), None)) for s in _statuses(day)]
    year = day.year
    hours = Attendance.objects.attended_between(dt.date(year, 1, 1), day).filter(staff__institution=inst)
    return render(request, "programme/institution.html", {
        "inst": inst, "day": day, "how": how, "goal_rows": rows, "alerts": alerts_on(day, code),
        "attended": hours.count(), "needs": TrainingNeed.objects.filter(institution=inst, year=year),
        "year": year, "exam_passes": inst.staff.filter(rm_exam_passes__isnull=False).distinct(),
    })  # fmt: skip


@staff_required
def needs(request: HttpRequest, year: int) -> HttpResponse:
    ty = get_object_or_404(TrainingYear, year=year)
    scope = _own_or_denied(request)
    own = _institution_of(request.user)
    upload = NeedsUploadForm()
    if request.method == "POST":
        if own is None or not policy.may(request.user, "enter_needs"):
            raise PermissionDenied("only an institution's own accounts enter its training needs")
        return _submit_need(request, ty, own)
    editing = _editing(request, own, year)
    form = NeedForm(instance=editing)
    rows = TrainingNeed.objects.filter(year=year).select_related("institution", "topic")
    if scope is not None:
        rows = rows.filter(institution=scope)
    return render(request, "programme/needs.html", {
        "ty": ty, "rows": rows, "form": form, "upload": upload, "own": own, "editing": editing,
        "may_enter": own is not None and policy.may(request.user, "enter_needs"),
        "late": timezone.localdate() > ty.needs_deadline,
        "by_topic": _aggregate(rows, "topic__code", "topic__name"),
        "by_discipline": _aggregate(rows, "discipline", "discipline"),
        "by_institution": _aggregate(rows, "institution__code", "institution__name"),
    })  # fmt: skip


def _aggregate(rows: Any, key: str, label: str) -> list[dict[str, Any]]:
    return list(
        rows.values(key, label)
        .annotate(needs=Count("pk"), headcount=Sum("headcount"))
        .order_by("-headcount", key)
    )


def _submit_need(request: HttpRequest, ty: TrainingYear, inst: Institution) -> HttpResponse:
    today = timezone.localdate()
    if today > ty.needs_deadline:
        messages.error(
            request,
            _("%(year)s年度需求填报已于 %(day)s 截止。") % {"year": ty.year, "day": ty.needs_deadline},
        )
        return redirect("programme:needs", year=ty.year)
    if "file" in request.FILES:
        count, errors = import_needs(request.FILES["file"], inst, ty.year, today)
        for e in errors:
            messages.error(request, e)
        if not errors:
            messages.success(request, _("已导入 %(n)s 条需求（原有需求已替换）。") % {"n": count})
        return redirect("programme:needs", year=ty.year)
    if "delete" in request.POST:
        need = get_object_or_404(TrainingNeed, pk=request.POST["delete"], institution=inst, year=ty.year)
        need.delete()
        messages.success(request, _("已撤回需求：%(topic)s。") % {"topic": need.topic.name})
        return redirect("programme:needs", year=ty.year)
    instance = None
    if request.POST.get("need"):  # a change of one of its own needs
        instance = get_object_or_404(TrainingNeed, pk=request.POST["need"], institution=inst, year=ty.year)
    form = NeedForm(request.POST, instance=instance)
    if form.is_valid():
        need = form.save(commit=False)
        need.institution, need.year, need.submitted_on = inst, ty.year, today
        clash = TrainingNeed.objects.filter(institution=inst, year=ty.year, topic=need.topic)
        if clash.exclude(pk=need.pk).exists():
            messages.error(request, _("该主题的需求已填报，请修改原记录。"))
        else:
            need.save()
            messages.success(request, _("需求已修改。") if instance else _("需求已提交。"))
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}：{'；'.join(errs)}")
    return redirect("programme:needs", year=ty.year)


def _editing(request: HttpRequest, own: Institution | None, year: int) -> TrainingNeed | None:
    """The own need opened for a change (``?edit=<id>``), else None."""
    pk = request.GET.get("edit", "")
    if own is None or not pk.isdigit():
        return None
    return TrainingNeed.objects.filter(pk=int(pk), institution=own, year=year).first()


@role_required(*policy.READ_ALL_ROLES)
def plan(request: HttpRequest, year: int) -> HttpResponse:
    ty = get_object_or_404(TrainingYear, year=year)
    current = TrainingPlan.objects.filter(year=ty).first()
    if request.method == "POST":
        if not policy.is_city(request.user):
            raise PermissionDenied("only the programme admin and city reviewers change the plan")
        return _plan_action(request, ty, current)
    formset = PlanSessionFormSet(queryset=current.sessions.all() if current else TrainingPlan.objects.none())
    uncovered = uncovered_rows(current) if current else []
    return render(
        request,
        "programme/plan.html",
        {"ty": ty, "plan": current, "formset": formset, "uncovered": uncovered},
    )


def _plan_action(request: HttpRequest, ty: TrainingYear, current: TrainingPlan | None) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action == "propose":
            propose_plan(ty)
            messages.success(request, _("已按需求生成计划草案。"))
        elif action == "save" and current is not None:
            _save_sessions(request, current)
        elif action == "adopt" and current is not None:
            made = adopt_plan(current, request.user)
            messages.success(request, _("计划已通过，生成培训场次 %(n)s 场。") % {"n": len(made)})
    except PlanLocked:
        messages.error(request, _("计划已通过，不能再修改。"))
    return redirect("programme:plan", year=ty.year)


def _save_sessions(request: HttpRequest, current: TrainingPlan) -> None:
    if current.status == TrainingPlan.Status.ADOPTED:
        raise PlanLocked
    formset = PlanSessionFormSet(request.POST, queryset=current.sessions.all())
    try:
        with transaction.atomic():  # every loaded session still at its version, under row locks
            for form in formset.initial_forms:
                submitted = form.data.get(form.add_prefix(VERSION_FIELD))
                if form.instance.pk is None and submitted:  # the session was replaced (re-proposed)
                    raise EditConflict(current)
                check_version(form.instance, submitted)
            if not formset.is_valid():
                messages.error(request, _("修改未保存：%(errors)s") % {"errors": formset.errors})
                return
            for obj in formset.save(commit=False):
                obj.plan = current
                obj.save()
            for obj in formset.deleted_objects:
                obj.delete()
    except EditConflict as exc:
        messages.error(request, exc.messages[0])
        return
    messages.success(request, _("计划场次已保存。"))


@staff_required
def sessions(request: HttpRequest, year: int) -> HttpResponse:
    _own_or_denied(request)
    rows = (
        TrainingSession.objects.filter(year=year)
        .select_related("topic")
        .annotate(signed=Count("attendance"), present=Count("attendance", filter=_present()))
    )
    return render(request, "programme/sessions.html", {"year": year, "rows": rows})


def _present() -> Any:
    from django.db.models import Q

    return Q(attendance__attended=True)


@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(TrainingSession, pk=pk)
    scope = _own_or_denied(request)
    rows = s.attendance.select_related("staff__institution").order_by(
        "staff__institution__code", "staff__name"
    )
    if scope is not None:  # a reporter sees its own institution's attendance only
        rows = rows.filter(staff__institution=scope)
    by_inst: dict[str, list[Attendance]] = defaultdict(list)
    for a in rows:
        by_inst[a.staff.institution.name].append(a)
    linked = s.candidates.select_related("staff__institution").order_by(
        "staff__institution__code", "staff__name"
    )
    if scope is not None:
        linked = linked.filter(staff__institution=scope)
    may_link = s.topic.kind == "exam" and policy.may(request.user, "link_prep_session")
    choices = (
        RMCandidate.objects.filter(is_active=True).select_related("staff__institution") if may_link else []
    )
    return render(request, "programme/session_detail.html", {
        "s": s, "by_inst": dict(by_inst), "linked": linked, "may_link": may_link, "choices": choices,
        "linked_ids": {c.pk for c in linked},
    })  # fmt: skip
