"""The review queue (filters, previous values, flags, evidence previews), bulk approval or return with a
confirmation step, single decisions, and locking the period with a confirmation.

The officer's journey stays short: approving a whole institution, an indicator, a selection or everything
filtered is one POST that shows the confirmation page (what will be approved, what is left out and why)
and one POST that does it; locking is one page and one POST.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts.decorators import step_required
from qiangji.web.assessment import changes, lifecycle, workflow
from qiangji.web.assessment.inputs import Counting
from qiangji.web.assessment.models import Period, ReportedValue
from qiangji.web.assessment.reporting import period_framework
from qiangji.web.assessment.views.reports import preview_type
from qiangji.web.registry.models import Institution

Status = ReportedValue.Status
STATUS_FILTERS = {
    "submitted": (gettext_lazy("待审核"), (Status.SUBMITTED,)),
    "returned": (gettext_lazy("已退回"), (Status.RETURNED,)),
    "approved": (gettext_lazy("已通过"), (Status.APPROVED,)),
    "locked": (gettext_lazy("已锁定"), (Status.LOCKED,)),
    "all": (
        gettext_lazy("全部（不含未提交的草稿）"),
        (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.LOCKED),
    ),
}
#: Statuses a bulk action may start from (workflow.ALLOWED).
FROM = {"approve": (Status.SUBMITTED,), "return": (Status.SUBMITTED, Status.APPROVED)}
ACTION_LABELS = {"approve": gettext_lazy("通过"), "return": gettext_lazy("退回")}


def filters_of(params: QueryDict, prefix: str = "") -> dict[str, str]:
    """The queue's filters (institution code, indicator code, status) from GET or from hidden fields."""
    status = params.get(prefix + "status", "submitted")
    return {
        "inst": params.get(prefix + "inst", "").strip(),
        "indicator": params.get(prefix + "indicator", "").strip(),
        "status": status if status in STATUS_FILTERS else "submitted",
    }


def filtered(period: Period, filters: dict[str, str]) -> QuerySet[ReportedValue]:
    qs = ReportedValue.objects.filter(period=period, status__in=STATUS_FILTERS[filters["status"]][1])
    if filters["inst"]:
        qs = qs.filter(institution__code=filters["inst"])
    if filters["indicator"]:
        qs = qs.filter(indicator=filters["indicator"])
    return qs


def review_refusal(period: Period) -> str | None:
    """Why no value of the period can be approved or returned now (``None``: review is open)."""
    try:
        lifecycle.ensure_reviewable(period)
    except lifecycle.LifecycleError as exc:
        return str(exc)
    return None


def _queue_url(period: Period, filters: dict[str, str]) -> str:
    return reverse("assessment:review", args=[period.code]) + "?" + urlencode(filters)


@step_required("review")
def review_queue(request: HttpRequest, code: str) -> HttpResponse:
    period = get_object_or_404(Period, code=code)
    filters = filters_of(request.GET)
    reports = list(
        filtered(period, filters)
        .select_related("institution", "updated_by")
        .prefetch_related("evidence", "transitions__actor")
        .order_by("institution__code", "indicator")
    )
    context = {
        "period": period,
        "filters": filters,
        "back": urlencode(filters),
        "rows": _rows(period, reports),
        "status_choices": [(k, v[0]) for k, v in STATUS_FILTERS.items()],
        "institutions": Institution.objects.filter(reported_values__period=period)
        .distinct()
        .order_by("code"),
        "indicators": sorted(period_framework(period).indicators),
        "by_institution": _pending(period, "institution__code", "institution__name"),
        "by_indicator": _pending(period, "indicator"),
        "refusal": review_refusal(period),
        "stage": period.stage(),
        "pending_total": period.reports.filter(status=Status.SUBMITTED).count(),
    }
    return render(request, "assessment/review.html", context)


def _pending(period: Period, *fields: str) -> list[dict[str, Any]]:
    """Submitted values per institution or per indicator (the bulk-approval buttons)."""
    qs = period.reports.filter(status=Status.SUBMITTED).values(*fields).annotate(n=Count("pk"))
    return list(qs.order_by(fields[0]))


def _rows(period: Period, reports: list[ReportedValue]) -> list[dict[str, Any]]:
    """Each report with the value that counts, the earlier values, the change, flags and previews."""
    fw = period_framework(period)
    nodes = {c: fw.node(c) for c in fw.indicators}
    counting = Counting(period, list({r.institution_id: r.institution for r in reports}.values()))
    found = changes.changes(period, reports, nodes)
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    return [
        {
            "report": r,
            "name": nodes[r.indicator].label(lang) if r.indicator in nodes else r.indicator,
            "unit": nodes[r.indicator].unit if r.indicator in nodes else "",
            "which": counting.of(r.institution, r.indicator),
            "change": found.get(r.pk),
            "evidence": [(e, preview_type(e.original_name)) for e in r.evidence.all()],
            "last": _last(r),
        }
        for r in reports
    ]


def _last(report: ReportedValue) -> Any:
    steps = list(report.transitions.all())
    return steps[-1] if steps else None


def _submitter_id(report: ReportedValue) -> int | None:
    submitted = [t for t in report.transitions.all() if t.to_status == Status.SUBMITTED]
    return submitted[-1].actor_id if submitted else None


@step_required("review")
@require_POST
def review_bulk(request: HttpRequest, code: str) -> HttpResponse:
    """Approve or return many values: a first POST shows what will happen, a second (``confirm``) does it."""
    period = get_object_or_404(Period, code=code)
    filters = filters_of(request.POST, "f_")
    action, scope = _bulk_choice(request.POST)
    if action not in FROM:
        messages.error(request, _("未知操作。"))
        return redirect(_queue_url(period, filters))
    refusal = review_refusal(period)
    if refusal:
        messages.error(request, refusal)
        return redirect(_queue_url(period, filters))
    chosen, left_out = _resolve(request, period, action, scope, filters)
    if not chosen:
        messages.error(
            request, _("没有可%(a)s的数据。") % {"a": ACTION_LABELS[action]} + _left_out_text(left_out)
        )
        return redirect(_queue_url(period, filters))
    reason = request.POST.get("reason", "").strip()
    error = ""
    if request.POST.get("confirm") == "1":
        if left_out:  # the confirmed list changed meanwhile: show the new one instead of doing less
            error = _("确认期间有数据状态发生变化，未作任何更改，请重新确认。") + _left_out_text(left_out)
        elif action == "return" and not reason:
            error = _("批量退回必须填写理由。")
        else:
            error = _apply(request, chosen, action, reason)
        if not error:
            _announce(request, chosen, action)
            return redirect(_queue_url(period, filters))
    context = {
        "period": period,
        "action": action,
        "action_label": ACTION_LABELS[action],
        "rows": _rows(period, chosen),
        "left_out": left_out,
        "filters": filters,
        "reason": reason,
        "error": error,
        "back": _queue_url(period, filters),
    }
    return render(request, "assessment/review_confirm.html", context, status=400 if error else 200)


def _bulk_choice(post: QueryDict) -> tuple[str, str]:
    """(action, scope) from the queue's buttons (``bulk="approve|inst:A"``) or the confirmation's fields."""
    if post.get("bulk"):
        action, _sep, scope = post["bulk"].partition("|")
        return action, scope or "selection"
    return post.get("action", ""), post.get("scope", "selection")


def _resolve(
    request: HttpRequest, period: Period, action: str, scope: str, filters: dict[str, str]
) -> tuple[list[ReportedValue], list[tuple[ReportedValue, str]]]:
    """The values a bulk action applies to (by selection, institution, indicator or the filters) and
    the ones left out with the reason (status, or the four-eyes rule)."""
    qs = period.reports.exclude(status=Status.DRAFT)
    if scope.startswith("inst:"):
        qs = qs.filter(institution__code=scope[5:], status=Status.SUBMITTED)
    elif scope.startswith("indicator:"):
        qs = qs.filter(indicator=scope[10:], status=Status.SUBMITTED)
    elif scope == "filtered":
        qs = filtered(period, filters)
    else:
        qs = qs.filter(pk__in=[int(p) for p in request.POST.getlist("ids") if p.isdigit()])
    reports = qs.select_related("institution").prefetch_related("evidence", "transitions__actor")
    chosen, left_out = [], []
    for r in reports.order_by("institution__code", "indicator"):
        if r.status not in FROM[action]:
            left_out.append((r, _("当前状态“%(s)s”") % {"s": r.get_status_display()}))
        elif action == "approve" and _submitter_id(r) == request.user.pk:
            left_out.append((r, _("本人提交的数据须由他人审核通过（四眼原则）")))
        else:
            chosen.append(r)
    return chosen, left_out


def _left_out_text(left_out: list[tuple[ReportedValue, str]]) -> str:
    if not left_out:
        return ""
    names = "、".join(f"{r.institution.code} {r.indicator}（{why}）" for r, why in left_out[:10])
    return _("未计入：%(names)s。") % {"names": names}


def _apply(request: HttpRequest, chosen: list[ReportedValue], action: str, reason: str) -> str:
    """Approve or return every chosen value, all or none; the refusal's message, or "" on success."""
    try:
        with transaction.atomic():
            for report in chosen:
                try:
                    if action == "approve":
                        workflow.approve(report, request.user)
                    else:
                        workflow.return_report(report, request.user, reason)
                except ValidationError as exc:
                    raise ValidationError(
                        f"{report.institution.code} {report.indicator}：" + "；".join(exc.messages)
                    ) from None
    except ValidationError as exc:
        return _("未作任何更改：%(e)s") % {"e": "；".join(exc.messages)}
    return ""


def _announce(request: HttpRequest, chosen: list[ReportedValue], action: str) -> None:
    per_inst: dict[str, int] = {}
    for r in chosen:
        per_inst[r.institution.code] = per_inst.get(r.institution.code, 0) + 1
    detail = "、".join(_("%(code)s %(n)s 项") % {"code": code, "n": n} for code, n in per_inst.items())
    messages.success(
        request,
        _("已%(a)s %(n)s 项：%(d)s。") % {"a": ACTION_LABELS[action], "n": len(chosen), "d": detail},
    )


@step_required("review")
@require_POST
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One value approved or returned (with its reason) from its row of the queue."""
    report = get_object_or_404(ReportedValue.objects.select_related("period", "institution"), pk=pk)
    action = request.POST.get("action")
    back = request.POST.get("back", "")
    try:
        if action == "approve":
            workflow.approve(report, request.user)
        elif action == "return":
            workflow.return_report(report, request.user, request.POST.get("reason", ""))
        else:
            raise ValidationError(_("未知操作。"))
        messages.success(request, _("%(r)s：%(s)s") % {"r": _name(report), "s": report.get_status_display()})
    except ValidationError as exc:
        messages.error(request, f"{_name(report)}：" + "；".join(exc.messages))
    url = reverse("assessment:review", args=[report.period.code])
    return redirect(f"{url}?{back}" if back else url)


def _name(report: ReportedValue) -> str:
    return f"{report.institution.code} {report.indicator}"


@step_required("lock")
def lock_period(request: HttpRequest, code: str) -> HttpResponse:
    """Locking asks for confirmation, names what is not yet approved and what was never submitted."""
    period = get_object_or_404(Period, code=code)
    error = ""
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            result = lifecycle.lock(period, request.user)
        except lifecycle.LifecycleError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("%(p)s 已锁定：%(n)s 项已通过的数据已锁定。") % {"p": period.label, "n": result.locked},
            )
            if result.not_submitted:
                messages.warning(
                    request,
                    _("以下草稿从未提交审核，不计入：%(names)s。")
                    % {"names": "、".join(result.not_submitted)},
                )
            return redirect("assessment:overview", code=period.code)
    stage = period.stage()
    context = {
        "period": period,
        "stage": stage,
        "lockable": stage == Period.Stage.REVIEW,
        "pending": lifecycle.pending_reports(period),
        "drafts": period.reports.filter(status=Status.DRAFT)
        .select_related("institution")
        .order_by("institution__code", "indicator"),
        "approved": period.reports.filter(status=Status.APPROVED).count(),
        "error": error,
    }
    return render(request, "assessment/lock.html", context, status=400 if error else 200)
