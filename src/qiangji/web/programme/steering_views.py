"""Steering pages: A级 readiness of the candidate institutions, the registered-metrologist pipeline of each
county with its coverage forecast, and the 考前辅导 sessions' named candidates.

Who: the readiness page is the city's and leadership's (the city names candidates, ``flag_a_candidate``);
the pipeline overview likewise; a county's pipeline page is also its own reporters' (who name their own
candidates, ``name_rm_candidate``); sessions link to candidates by the city (``link_prep_session``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import ensure_can_view, role_required, staff_required, step_required
from qiangji.web.programme.candidacy import AGradeCandidate, RMCandidate
from qiangji.web.programme.criteria import load_checklist
from qiangji.web.programme.forms import AGradeCandidateForm, RMCandidateForm
from qiangji.web.programme.models import TrainingSession, TrainingTopic
from qiangji.web.programme.pipeline import county_forecast, programme_deadline
from qiangji.web.programme.readiness import all_readiness
from qiangji.web.programme.views import _as_of
from qiangji.web.registry.models import Institution


@role_required(*policy.READ_ALL_ROLES)
def readiness(request: HttpRequest) -> HttpResponse:
    day, how = _as_of(request)
    form = AGradeCandidateForm(initial={"named_on": timezone.localdate()})
    if request.method == "POST":
        if not policy.may(request.user, "flag_a_candidate"):
            raise PermissionDenied("only the programme office names A级 candidates")
        existing = AGradeCandidate.objects.filter(institution_id=request.POST.get("institution")).first()
        form = AGradeCandidateForm(request.POST, instance=existing)
        if form.is_valid():
            form.save()
            messages.success(request, _("A级培育机构已保存。"))
            return redirect("programme:readiness")
    return render(request, "programme/readiness.html", {
        "day": day, "how": how, "year": day.year, "rows": all_readiness(day), "checklist": load_checklist(),
        "form": form,
        "can_flag": policy.may(request.user, "flag_a_candidate"),
    })  # fmt: skip


def _counties(day: dt.date) -> list[Institution]:
    return list(Institution.objects.active_on(day).filter(level=Institution.Level.COUNTY).order_by("code"))


@staff_required
def rm_overview(request: HttpRequest) -> HttpResponse:
    if not policy.reads_all(request.user):
        own = policy.institution_of(request.user)
        if own is None:
            raise PermissionDenied("your account is not linked to an institution")
        return redirect("programme:rm_county", code=own.code)
    day, how = _as_of(request)
    deadline, why = programme_deadline(day)
    rows = [county_forecast(inst, day, deadline) for inst in _counties(day)]
    return render(request, "programme/rm_overview.html", {
        "day": day, "how": how, "year": day.year, "deadline": deadline, "why": why, "rows": rows,
    })  # fmt: skip


@staff_required
def rm_county(request: HttpRequest, code: str) -> HttpResponse:
    inst = get_object_or_404(Institution, code=code)
    ensure_can_view(request.user, inst)  # a reporter: its own institution only
    day, how = _as_of(request)
    own = policy.is_city(request.user) or policy.institution_id_of(request.user) == inst.pk
    may_name = policy.may(request.user, "name_rm_candidate") and own
    form = RMCandidateForm(institution=inst, day=day)
    if request.method == "POST":
        if not may_name:
            raise PermissionDenied("only the institution's reporters and the city name its candidates")
        done = _candidate_action(request, inst, day)
        if done is not None:
            return done
        form = RMCandidateForm(request.POST, institution=inst, day=day)
        if _save_candidate(request, form):
            return redirect("programme:rm_county", code=code)
    deadline, why = programme_deadline(day)
    return render(request, "programme/rm_county.html", {
        "inst": inst, "day": day, "how": how, "year": day.year, "deadline": deadline, "why": why,
        "form": form,
        "f": county_forecast(inst, day, deadline), "may_name": may_name,
    })  # fmt: skip


def _candidate_action(request: HttpRequest, inst: Institution, day: dt.date) -> HttpResponse | None:
    """Ending a candidacy (kept, marked inactive: its history stays); None when the post names a new one."""
    end = request.POST.get("end")
    if not end:
        return None
    cand = get_object_or_404(RMCandidate, pk=end, staff__institution=inst)
    cand.is_active = False
    cand.save()
    messages.success(request, _("已结束 %(name)s 的候选。") % {"name": cand.staff.name})
    return redirect("programme:rm_county", code=inst.code)


def _save_candidate(request: HttpRequest, form: RMCandidateForm) -> bool:
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else field}：{'；'.join(errs)}"
            )
        return False
    cand = form.save(commit=False)
    cand.named_on, cand.named_by = timezone.localdate(), request.user
    if cand.target_date < cand.named_on:
        messages.error(request, _("计划注册日期不能早于今天。"))
        return False
    try:
        with transaction.atomic():
            cand.save()
    except IntegrityError:
        messages.error(request, _("该人员已是该级别的候选人。"))
        return False
    messages.success(request, _("已列 %(name)s 为候选人。") % {"name": cand.staff.name})
    return True


@step_required("link_prep_session")
def link_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The city links a 考前辅导 session to the named candidates it prepares (replacing the earlier set)."""
    session = get_object_or_404(TrainingSession, pk=pk)
    if request.method != "POST":
        return redirect("programme:session", pk=pk)
    if session.topic.kind != TrainingTopic.Kind.EXAM:
        messages.error(request, _("只有注册计量师考前辅导场次可关联候选人。"))
        return redirect("programme:session", pk=pk)
    chosen = RMCandidate.objects.filter(pk__in=request.POST.getlist("candidates"), is_active=True)
    session.candidates.set(chosen)
    messages.success(request, _("已关联候选人 %(n)s 名。") % {"n": chosen.count()})
    return redirect("programme:session", pk=pk)
