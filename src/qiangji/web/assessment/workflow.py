"""The reporting workflow 填报 → 提交 → 审核 → 退回（附理由）/ 通过 → 锁定, every step recorded.

Each function checks that the step is allowed from the report's current status, saves the new status
and writes a :class:`ReportTransition` (who, when, why, the value at that moment) in one transaction.
A reviewer may not approve a value he or she submitted (four-eyes rule). The period's stage is asked
first (:mod:`~qiangji.web.assessment.lifecycle`): a county submits only inside its reporting window (a
returned value until the period is locked), the city approves or returns only until the period is locked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qiangji.web.assessment.lifecycle import ensure_reportable, ensure_reviewable
from qiangji.web.assessment.models import Period, ReportedValue, ReportTransition

DRAFT, SUBMITTED, RETURNED, APPROVED, LOCKED = "draft", "submitted", "returned", "approved", "locked"
ALLOWED: dict[str, tuple[str, ...]] = {  # target status → statuses it may be reached from
    SUBMITTED: (DRAFT, RETURNED),
    APPROVED: (SUBMITTED,),
    RETURNED: (SUBMITTED, APPROVED),
    LOCKED: (APPROVED,),
}


def _move(report: ReportedValue, to: str, user: Any, reason: str = "") -> ReportedValue:
    with transaction.atomic():
        fresh = ReportedValue.objects.select_for_update().get(pk=report.pk)
        if fresh.status not in ALLOWED[to]:
            raise ValidationError(
                _("当前状态“%(status)s”不能执行此操作。") % {"status": fresh.get_status_display()}
            )
        transition(fresh, to, user, reason).save()
        fresh.status = to
        fresh.save(update_fields=["status", "updated_at"])
    report.status = to
    return fresh


def transition(report: ReportedValue, to: str, user: Any, reason: str = "") -> ReportTransition:
    """The (unsaved) trail row of moving ``report`` from its current status to ``to``."""
    return ReportTransition(
        report=report, from_status=report.status, to_status=to, actor=user, reason=reason, value=report.value
    )


def trail(report: ReportedValue, steps: list[tuple[str, Any]]) -> list[ReportTransition]:
    """The trail rows of taking ``report`` (unsaved changes allowed) through ``steps`` of (status, user),
    each step checked against :data:`ALLOWED` and the four-eyes rule; ``report.status`` ends at the last
    step. For writing many new reports at once (the demo data); people's steps go through the functions
    below, one at a time."""
    rows: list[ReportTransition] = []
    for to, user in steps:
        if report.status not in ALLOWED[to]:
            raise ValidationError(_("当前状态“%(status)s”不能执行此操作。") % {"status": report.status})
        submitted = [r for r in rows if r.to_status == SUBMITTED]
        if to == APPROVED and submitted and submitted[-1].actor == user:
            raise ValidationError(_("不能审核通过本人提交的数据。"))
        rows.append(transition(report, to, user))
        report.status = to
    return rows


def submit(report: ReportedValue, user: Any) -> ReportedValue:
    """填报人提交审核 (draft or returned → submitted); a report needs at least one evidence file."""
    ensure_reportable(report.period, report.institution, report=report)
    report.full_clean()
    if not report.evidence.exists():
        raise ValidationError(_("提交审核前请上传佐证材料。"))
    return _move(report, SUBMITTED, user)


def approve(report: ReportedValue, user: Any) -> ReportedValue:
    ensure_reviewable(report.period)
    last = report.transitions.filter(to_status=SUBMITTED).order_by("-at", "-pk").first()
    if last is not None and last.actor_id == user.pk:
        raise ValidationError(_("不能审核通过本人提交的数据。"))
    return _move(report, APPROVED, user)


def return_report(report: ReportedValue, user: Any, reason: str) -> ReportedValue:
    """退回 with a reason (required), from submitted or (before locking) approved."""
    ensure_reviewable(report.period)
    if not reason.strip():
        raise ValidationError({"reason": _("退回时必须填写理由。")})
    return _move(report, RETURNED, user, reason.strip())


def lock(report: ReportedValue, user: Any, reason: str = "") -> ReportedValue:
    return _move(report, LOCKED, user, reason)


def lock_period(period: Period, user: Any, reason: str = "") -> int:
    """Lock every approved report of ``period``; returns how many were locked."""
    rows = list(ReportedValue.objects.filter(period=period, status=APPROVED))
    for report in rows:
        lock(report, user, reason)
    return len(rows)
