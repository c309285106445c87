"""Comparison rounds: list, detail with the participant's submission form, pilot actions, exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts.locking import CONFLICT_MESSAGE, VERSION_FIELD, EditConflict, version_token
from qiangji.web.comparisons import access
from qiangji.web.comparisons.columns import page_columns
from qiangji.web.comparisons.evaluate import EvaluationError, evaluate_round
from qiangji.web.comparisons.forms import EvaluateForm, SubmissionForm
from qiangji.web.comparisons.labels import translated
from qiangji.web.comparisons.models import ComparisonRound, Evaluation, Submission
from qiangji.web.comparisons.reports.common import sigma_pt

Status = ComparisonRound.Status
TRANSITIONS = {"open": (Status.DRAFT, Status.OPEN), "close": (Status.OPEN, Status.CLOSED)}


def _round(request: HttpRequest, code: str) -> ComparisonRound:
    rnd = get_object_or_404(ComparisonRound.objects.select_related("pilot"), code=code)
    if not access.can_view(request.user, rnd):
        raise PermissionDenied
    return rnd


def _pilot_round(request: HttpRequest, code: str) -> ComparisonRound:
    rnd = _round(request, code)
    if not access.is_pilot(request.user, rnd):
        raise PermissionDenied
    return rnd


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = access.visible_rounds(request.user).prefetch_related("points")
    return render(request, "comparisons/round_list.html", {"rounds": rounds})


def _forms(request: HttpRequest, rnd: ComparisonRound, data: Any = None) -> list[tuple[Any, SubmissionForm]]:
    own = access.submits_for(request.user, rnd)
    if own is None or not rnd.accepts_submissions():
        return []
    mine = {s.point_id: s for s in own.submissions.all()}
    return [
        (p, SubmissionForm(data, instance=mine.get(p.pk), prefix=f"p{p.order}")) for p in rnd.points.all()
    ]


def _context(request: HttpRequest, rnd: ComparisonRound, forms: Any) -> dict[str, Any]:
    pilot = access.is_pilot(request.user, rnd)
    evaluations = Evaluation.objects.filter(round=rnd).prefetch_related("results__participant")
    for ev in evaluations:
        value, source = sigma_pt(ev)
        ev.sigma_pt, ev.sigma_pt_source = value, translated(source)  # type: ignore[attr-defined]
        ev.columns = page_columns(ev.results.all())  # type: ignore[attr-defined]
    return {
        "round": rnd,
        "points": rnd.points.all(),
        "participants": rnd.participants.select_related("institution"),
        "lab_names": access.lab_names(request.user, rnd),
        "submissions": access.visible_submissions(request.user, rnd).order_by("point__order", "participant"),
        "forms": forms,
        "is_pilot": pilot,
        "own": access.participant_of(request.user, rnd),
        "evaluations": evaluations if access.can_view_report(request.user, rnd) else [],
        "evaluate_form": EvaluateForm(initial={"method": rnd.reference_method, **rnd.reference_options})
        if pilot
        else None,
        "can_report": access.can_view_report(request.user, rnd),
        "actions": rnd.corrective_actions.select_related("institution", "finding")
        if pilot or access.reads_all(request.user)
        else [],
    }


@login_required
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    rnd = _round(request, code)
    return render(request, "comparisons/round_detail.html", _context(request, rnd, _forms(request, rnd)))


@login_required
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    rnd = _round(request, code)
    own = access.submits_for(request.user, rnd)
    if own is None:
        raise PermissionDenied
    if not rnd.accepts_submissions():
        messages.error(request, _("本轮比对已截止，不能再提交或修改结果。"))
        return redirect("comparisons:round", code=rnd.code)
    pairs = _forms(request, rnd, request.POST)
    filled = [(p, f) for p, f in pairs if _has_data(f)]
    valid = [f.is_valid() for _, f in filled]
    if any(not ok and _stale(f) for ok, (_, f) in zip(valid, filled, strict=True)):
        messages.error(request, str(CONFLICT_MESSAGE % {"who": _("其他用户")}))
        return redirect("comparisons:round", code=rnd.code)  # nothing saved; the stored values are shown
    if not filled or not all(valid):
        return render(request, "comparisons/round_detail.html", _context(request, rnd, pairs), status=400)
    try:
        with transaction.atomic():
            for point, form in filled:
                sub: Submission = form.instance
                sub.participant, sub.point, sub.submitted_by = own, point, request.user
                form.save()  # an edit re-checks its version under a row lock (VersionedModelForm)
    except EditConflict as exc:
        messages.error(request, exc.messages[0])
        return redirect("comparisons:round", code=rnd.code)
    messages.success(request, _("已保存 %(n)d 个测量点的结果。") % {"n": len(filled)})
    return redirect("comparisons:round", code=rnd.code)


def _stale(form: SubmissionForm) -> bool:
    """Was the stored result changed since the form was loaded (the version it carries is not current)?"""
    stored = form.instance.pk is not None and not form.instance._state.adding
    return stored and version_token(form.instance) != form.data.get(form.add_prefix(VERSION_FIELD))


def _has_data(form: SubmissionForm) -> bool:
    names = (name for name in form.fields if name != VERSION_FIELD)
    return any(form.data.get(form.add_prefix(name), "").strip() for name in names)


@login_required
@require_POST
def transition(request: HttpRequest, code: str, action: str) -> HttpResponse:
    rnd = _pilot_round(request, code)
    if action == "report":
        if rnd.status != Status.EVALUATED:
            raise PermissionDenied
        rnd.status, rnd.reported_on = Status.REPORTED, timezone.localdate()
    elif action in TRANSITIONS and rnd.status == TRANSITIONS[action][0]:
        rnd.status = TRANSITIONS[action][1]
        rnd.closed_at = timezone.now() if action == "close" else rnd.closed_at
    else:
        messages.error(request, _("当前状态下不能执行该操作。"))
        return redirect("comparisons:round", code=rnd.code)
    rnd.save()
    return redirect("comparisons:round", code=rnd.code)


@login_required
@require_POST
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    rnd = _pilot_round(request, code)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评价参数有误：%(e)s") % {"e": form.errors.as_text()})
        return redirect("comparisons:round", code=rnd.code)
    try:
        evaluate_round(rnd, method=form.cleaned_data["method"], options=form.options(), user=request.user)
    except EvaluationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评价完成。"))
    return redirect("comparisons:round", code=rnd.code)


@login_required
def protocol(request: HttpRequest, code: str) -> FileResponse:
    """The round's protocol document, as an attachment, to the users of access.can_download_protocol."""
    rnd = get_object_or_404(ComparisonRound, code=code)
    if not access.can_download_protocol(request.user, rnd):
        raise PermissionDenied
    if not rnd.protocol or not rnd.protocol.storage.exists(rnd.protocol.name):
        raise Http404
    name = rnd.protocol.name.rsplit("/", 1)[-1]
    return FileResponse(rnd.protocol.open("rb"), as_attachment=True, filename=name)


@login_required
def submissions_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    from qiangji.web.comparisons.reports.excel import submissions_workbook

    rnd = _round(request, code)
    body = submissions_workbook(rnd, access.visible_submissions(request.user, rnd))
    return _file(body, f"{rnd.code}-results.xlsx", XLSX)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(body: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _report_round(request: HttpRequest, code: str) -> ComparisonRound:
    rnd = _round(request, code)
    if not access.can_view_report(request.user, rnd):
        raise PermissionDenied
    return rnd


@login_required
def report_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    from qiangji.web.comparisons.reports.excel import report_workbook

    rnd = _report_round(request, code)
    body = report_workbook(rnd, access.lab_names(request.user, rnd))
    return _file(body, f"{rnd.code}-report.xlsx", XLSX)


@login_required
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from qiangji.web.comparisons.reports.pdf import report_pdf as build

    rnd = _report_round(request, code)
    body = build(rnd, access.lab_names(request.user, rnd))
    return _file(body, f"{rnd.code}-report.pdf", "application/pdf")


@login_required
def chart_svg(request: HttpRequest, code: str, order: int) -> HttpResponse:
    from qiangji.web.comparisons.reports.chart import doe_chart_svg

    rnd = _report_round(request, code)
    ev = get_object_or_404(Evaluation, round=rnd, point__order=order)
    return HttpResponse(doe_chart_svg(ev), content_type="image/svg+xml")
