"""Publishing from the site: the programme admin computes a locked period's index (a background job whose
progress the page follows), previews the draft privately next to the previous final ranking, starts the
public notice, answers the objections that institutions lodge on the site (an upheld one recomputes with
the corrections and restarts the notice), and publishes the final ranking with its bulletin.

Reading the page: the programme admin, city reviewers and leadership (a draft is never public). Every
action: whoever :func:`policy.can_publish` names (the programme admin; the API and the Django admin ask the
same), POST only; a step out of order is refused with `service`'s reason, shown on the page. Objections:
:func:`policy.can_lodge_objection` (a county reporter for its own institution, or the office recording one
received in writing).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiangji.core.index import IndexSpec
from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import role_required, step_required
from qiangji.web.assessment.models import Period
from qiangji.web.jobs import runner
from qiangji.web.publication import jobs, publish_pages, service
from qiangji.web.publication.models import Objection, Publication
from qiangji.web.publication.publish_forms import (
    CORRECTION_ROWS,
    Answer,
    ComputeForm,
    LodgeForm,
    NoticeForm,
    store_evidence,
)
from qiangji.web.publication.workflow import WorkflowError
from qiangji.web.registry.models import Institution

readers = role_required(*policy.READ_ALL_ROLES)
publishers = step_required("publish")
#: Who may lodge an objection on the site: a county reporter (its own institution) or the office.
lodgers = step_required("lodge_objection")


def _period(code: str) -> Period:
    return get_object_or_404(Period.objects.select_related("framework_version"), code=code.strip().upper())


def _back(period: Period) -> HttpResponse:
    return redirect("publication:publish", code=period.code)


@readers
@require_safe
def period_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    periods = Period.objects.select_related("publication").order_by("-end", "kind")
    rows = [{"period": p, "stage": p.stage(today), "stage_label": p.stage_label(today)} for p in periods]
    return render(request, "publication/publish/list.html", {"rows": rows})


@readers
@require_safe
def period_page(request: HttpRequest, code: str) -> HttpResponse:
    return _render(request, _period(code))


def _render(request: HttpRequest, period: Period, status: int = 200, **bound: Any) -> HttpResponse:
    ctx = publish_pages.context(period, request.user)
    pub: Publication | None = ctx["publication"]
    if ctx["can_act"]:
        ctx["compute_form"] = bound.get("compute_form") or _compute_form(pub)
        ctx["notice_form"] = bound.get("notice_form") or NoticeForm(run=pub.run if pub else None)
        if pub is not None and pub.status == Publication.Status.NOTICE:
            ctx["answers"] = _answers(pub, bound.get("answer"))
    if pub is not None and pub.status == Publication.Status.DRAFT:
        start = timezone.localdate()
        end = publish_pages.default_notice_end(start)
        ctx["notice_preview"] = {"start": start.isoformat(), "end": end.isoformat()}
    return render(request, "publication/publish/period.html", ctx, status=status)


def _compute_form(pub: Publication | None) -> ComputeForm:
    initial: dict[str, Any] = {"expected_run": str(pub.run_id) if pub else ""}
    if pub is not None:  # a recomputation keeps the settings of the draft unless changed
        initial |= {"runs": pub.run.runs, "seed": pub.run.seed}
    return ComputeForm(initial=initial)


def _answers(pub: Publication, bound: Answer | None) -> list[Answer]:
    units, framework = _correction_choices(pub)
    out = []
    for obj in pub.objections.filter(outcome=Objection.Outcome.PENDING):
        if bound is not None and bound.objection.pk == obj.pk:
            out.append(bound)
        else:
            out.append(Answer(obj, units=units, framework=framework))
    return out


def _correction_choices(pub: Publication) -> tuple[list[tuple[str, str]], Any]:
    results = pub.run.results
    units = sorted(zip(results["units"], results["names"], strict=True))
    return [(u, f"{u} {n}") for u, n in units], IndexSpec.from_json(pub.run.spec_json).framework


@publishers
@require_POST
def compute(request: HttpRequest, code: str) -> HttpResponse:
    period = _period(code)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        return _render(request, period, status=400, compute_form=form)
    running = runner.latest(jobs.key(period))
    pub = Publication.objects.filter(period=period).first()
    current = str(pub.run_id) if pub else ""
    if (running is None or not running.is_active) and form.cleaned_data["expected_run"] != current:
        text = _("本期排行榜已重新计算（计算 #%(run)s），未重复计算；请核对下方结果。")
        messages.info(request, text % {"run": current})
        return _back(period)
    try:
        job, created = jobs.start_compute(
            period, runs=form.cleaned_data["runs"], seed=form.cleaned_data["seed"], user=request.user
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(period)
    if not created:
        messages.info(
            request, _("%(job)s已在进行中（任务 #%(pk)s），未重复提交。") % {"job": job.title, "pk": job.pk}
        )
    return _back(period)


@publishers
@require_POST
def notice(request: HttpRequest, code: str) -> HttpResponse:
    period = _period(code)
    pub = Publication.objects.filter(period=period).select_related("run").first()
    form = NoticeForm(request.POST, run=pub.run if pub else None)
    if not form.is_valid():
        return _render(request, period, status=400, notice_form=form)
    try:
        done = service.start_notice(period, start=form.cleaned_data["start"], user=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        text = _("已开始公示：%(start)s 起，异议受理截止 %(end)s。")
        messages.success(request, text % {"start": done.notice_started_on, "end": done.notice_ends_on})
    return _back(period)


@publishers
@require_POST
def final(request: HttpRequest, code: str) -> HttpResponse:
    period = _period(code)
    try:
        service.finalise(period, user=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(period)s排行榜已正式发布，通报已可下载。") % {"period": period.label})
    return _back(period)


@publishers
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.select_related("publication__run", "publication__period"), pk=pk
    )
    pub = objection.publication
    period = pub.period
    units, framework = _correction_choices(pub)
    rows = CORRECTION_ROWS
    if "more" in request.POST:  # one more set of correction rows, keeping what was typed
        rows = int(request.POST.get("rows", CORRECTION_ROWS) or CORRECTION_ROWS) + CORRECTION_ROWS
        return _render(request, period, answer=Answer(objection, request.POST, units=units,
                                                      framework=framework, rows=min(rows, 30)))  # fmt: skip
    rows = min(int(request.POST.get("rows", CORRECTION_ROWS) or CORRECTION_ROWS), 30)
    bound = Answer(objection, request.POST, units=units, framework=framework, rows=rows)
    if not bound.is_valid():
        return _render(request, period, status=400, answer=bound)
    outcome, reply = bound.form.cleaned_data["outcome"], bound.form.cleaned_data["reply"]
    try:
        if outcome == Objection.Outcome.UPHELD:
            _refuse_answered(objection)
            job, created = jobs.start_answer(
                objection, outcome=outcome, reply=reply, corrections=bound.corrections(), user=request.user
            )
            if not created:
                text = _("%(job)s：本期已有计算在进行中（任务 #%(pk)s），请稍后再答复。")
                messages.info(request, text % {"job": job.title, "pk": job.pk})
        else:
            service.answer_objection(objection, outcome=outcome, reply=reply, user=request.user)
            messages.success(request, _("异议 #%(pk)s 已答复：不成立。") % {"pk": objection.pk})
    except WorkflowError as exc:
        messages.error(request, str(exc))
    return _back(period)


def _refuse_answered(objection: Objection) -> None:
    """What `workflow.reply_objection` would refuse, asked before the recomputation is queued."""
    if objection.publication.status != Publication.Status.NOTICE:
        raise WorkflowError(_("只能在公示期间答复异议。"))
    if objection.outcome != Objection.Outcome.PENDING:
        message = _("异议 #%(pk)s 已处理（%(outcome)s）。")
        raise WorkflowError(message % {"pk": objection.pk, "outcome": objection.get_outcome_display()})


@readers
@require_safe
def deadline(request: HttpRequest, code: str) -> HttpResponse:
    """The objection deadline of a notice starting on ``?start=`` (the notice form asks it as the date
    changes)."""
    period = _period(code)
    form = NoticeForm(request.GET, run=None)
    ctx: dict[str, Any] = {"period": period, "issuing_unit": settings.QIANGJI["ISSUING_UNIT"], "end": None}
    if form.is_valid():
        start = form.cleaned_data["start"]
        ctx |= {"start": start.isoformat(), "end": publish_pages.default_notice_end(start).isoformat()}
    return render(request, "publication/publish/_deadline.html", ctx)


@lodgers
def lodge(request: HttpRequest, code: str) -> HttpResponse:
    period = _period(code)
    pub = Publication.objects.filter(period=period).first()
    own = policy.institution_of(request.user) if policy.role_of(request.user) == policy.REPORTER else None
    if policy.role_of(request.user) == policy.REPORTER and own is None:
        raise PermissionDenied("a county reporter without an institution cannot lodge objections")
    choices = None if own is not None else _institution_choices()
    form = LodgeForm(request.POST or None, request.FILES or None, institutions=choices,
                     initial={"submitted_by": _contact(request.user, own)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        institution = own or _chosen(form.cleaned_data.get("institution"))
        try:
            with transaction.atomic():
                obj = service.lodge_objection(
                    period, text=form.cleaned_data["text"], submitted_by=form.cleaned_data["submitted_by"],
                    institution=institution, user=request.user,
                )  # fmt: skip
                _record_lodging(obj, request.user, form.cleaned_data.get("evidence"))
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("异议已提交（编号 #%(pk)s），市计量院将在公示期内答复。") % {"pk": obj.pk}
            )
            return redirect("publication:lodge", code=period.code)
    mine = _objections_seen_by(pub, own, request.user)
    ctx = {"period": period, "publication": pub, "form": form, "institution": own, "objections": mine,
           "in_notice": pub is not None and pub.status == Publication.Status.NOTICE}  # fmt: skip
    return render(request, "publication/publish/lodge.html", ctx, status=400 if form.errors else 200)


def _institution_choices() -> list[tuple[str, str]]:
    return [(i.code, f"{i.code} {i.name}") for i in Institution.objects.order_by("code")]


def _chosen(code: str | None) -> Institution | None:
    return Institution.objects.filter(code=code).first() if code else None


def _contact(user: Any, own: Institution | None) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name}（{own.name}）" if own is not None else str(name)


def _record_lodging(obj: Objection, user: Any, upload: Any) -> None:
    obj.lodged_by = user
    obj.save(update_fields=["lodged_by"])
    if upload:
        store_evidence(obj, upload)


def _objections_seen_by(pub: Publication | None, own: Institution | None, user: Any) -> list[Objection]:
    if pub is None:
        return []
    qs = pub.objections.select_related("institution")
    return list(qs.filter(institution=own) if own is not None else qs)


@role_required(*policy.STAFF_ROLES)
@require_safe
def objection_evidence(request: HttpRequest, pk: int) -> FileResponse:
    obj = get_object_or_404(Objection.objects.select_related("institution"), pk=pk)
    role = policy.role_of(request.user)
    own = role == policy.REPORTER and obj.institution_id is not None
    if role not in policy.READ_ALL_ROLES and not (
        own and obj.institution_id == policy.institution_id_of(request.user)
    ):
        raise PermissionDenied("this objection belongs to another institution")
    if not obj.evidence:
        raise Http404("no evidence attached")
    return FileResponse(obj.evidence.open("rb"), as_attachment=True, filename=obj.evidence_name or "evidence")
