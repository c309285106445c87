"""A period's lifecycle: 未开放 → 填报中 → 审核中 → 已锁定 → (publication) 已计算 → 公示中 → 已发布.

The stage itself is derived (:meth:`Period.stage`); this module holds the steps that move it and the one
rule every writer of a reported value asks (:func:`ensure_reportable`):

* `open_period(code, deadline=…, opens=…, framework=…)` creates (or re-dates, while nothing is locked) the
  period with its reporting window and its framework version, chosen once: a period whose values exist keeps
  its version.
* `extend(period, institution, until=…, reason=…)`: the city reopens one institution's reporting after the
  deadline, with a recorded reason.
* `ensure_reportable(period, institution)`: a county may enter, change, attach evidence to or submit a
  value only inside the window (or its extension); a returned value may be corrected until the period is
  locked; after locking nothing changes a value of the period (corrections after publication go through an
  objection and a corrected run, :mod:`qiangji.web.publication.service`).
* `lock(period)` refuses while any value awaits a decision (submitted or returned), naming each; it locks
  every approved value and the period. Values never submitted do not count and are named in the result.

Every refusal is a :class:`LifecycleError` (a ``ValidationError``, so forms, the Excel upload and the API
show its message as they show any other rule) with one sentence saying why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qiangji.web import plausible
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue, ReportingExtension
from qiangji.web.assessment.models.periods import parse_period_code

Stage = Period.Stage
PENDING = (ReportedValue.Status.SUBMITTED, ReportedValue.Status.RETURNED)


class LifecycleError(ValidationError):
    """A lifecycle step or a change that the period's stage does not allow (message in Chinese)."""

    def __str__(self) -> str:
        return "；".join(self.messages)


@dataclass(frozen=True)
class LockResult:
    """What `lock` did: the values it locked and the ones that were never submitted (they do not count)."""

    locked: int
    not_submitted: list[str] = field(default_factory=list)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _version(framework: str | FrameworkVersion | None) -> FrameworkVersion:
    if isinstance(framework, FrameworkVersion):
        return framework
    if framework:
        found = FrameworkVersion.objects.filter(version=framework).first()
        if found is None:
            known = "、".join(FrameworkVersion.objects.values_list("version", flat=True)) or _("无")
            message = _("指标框架版本 %(version)s 不存在（已有：%(known)s）。")
            raise LifecycleError(message % {"version": framework, "known": known})
        return found
    newest = FrameworkVersion.objects.order_by("-created_at", "-pk").first()
    if newest is None:
        raise LifecycleError(_("尚未载入任何指标框架版本，请先运行 qiangji manage loadframework。"))
    return newest


def _check_code(code: str) -> None:
    """Refuse a period code of the wrong form, or of an implausible year."""
    try:
        year = parse_period_code(code)[0]
    except ValueError:
        message = _("期次代码应为“2026Q1”或“2026”的形式，收到 %(code)s。")
        raise LifecycleError(message % {"code": repr(code)}) from None
    implausible = plausible.year_error(year)  # `period open 9999Q1` made a period whose pages then failed
    if implausible:
        raise LifecycleError(
            _("期次 %(code)s：%(problem)s") % {"code": code.strip().upper(), "problem": implausible}
        )


@transaction.atomic
def open_period(
    code: str,
    *,
    deadline: dt.date,
    opens: dt.date | None = None,
    framework: str | FrameworkVersion | None = None,
    user: Any = None,
    today: dt.date | None = None,
) -> Period:
    """Open ``code`` for reporting from ``opens`` to ``deadline`` inclusive.

    ``opens`` defaults to the date already set (re-dating an open period keeps its start) or today;
    ``framework`` defaults to the version already chosen, else the newest.
    """
    _check_code(code)
    period = Period.for_code(code)
    period = Period.objects.select_for_update().get(pk=period.pk)
    opens = opens or period.opens_on or _today(today)
    if deadline < opens:
        raise LifecycleError(
            _("填报截止日期 %(deadline)s 早于开始日期 %(opens)s。") % {"deadline": deadline, "opens": opens}
        )
    stage = period.stage(today)
    if stage in (Stage.LOCKED, Stage.COMPUTED, Stage.NOTICE, Stage.PUBLISHED):
        message = _("期次 %(code)s %(stage)s，不能重新开放填报。")
        raise LifecycleError(message % {"code": period.code, "stage": period.stage_label(today)})
    version = _version(framework or period.framework_version)
    if period.reports.exists() and period.framework_version_id not in (None, version.pk):
        message = _("期次 %(code)s 已有填报数据，指标框架版本 %(version)s 不能再更换。")
        raise LifecycleError(message % {"code": period.code, "version": period.framework_version})
    period.framework_version, period.opens_on, period.deadline = version, opens, deadline
    if period.opened_at is None:
        period.opened_at = timezone.now()
        period.opened_by = user if getattr(user, "pk", None) else None
    period.save()
    return period


@transaction.atomic
def extend(
    period: Period,
    institution: Any,
    *,
    until: dt.date,
    reason: str,
    user: Any = None,
    today: dt.date | None = None,
) -> ReportingExtension:
    """Reopen reporting of ``period`` for ``institution`` until ``until`` (the city only; a reason needed)."""
    if not reason.strip():
        raise LifecycleError(_("补报许可必须填写理由。"))
    stage = period.stage(today)
    if stage not in (Stage.REPORTING, Stage.REVIEW):
        message = _("期次 %(code)s %(stage)s，不能再补报。")
        raise LifecycleError(message % {"code": period.code, "stage": period.stage_label(today)})
    if until < _today(today):
        raise LifecycleError(_("补报截止日期 %(until)s 已经过去。") % {"until": until})
    actor = user if getattr(user, "pk", None) else None
    return ReportingExtension.objects.create(
        period=period, institution=institution, until=until, reason=reason.strip(), granted_by=actor
    )


def reporting_refusal(
    period: Period, institution: Any, *, report: ReportedValue | None = None, today: dt.date | None = None
) -> str | None:
    """Why a county may not enter or change a value of ``period`` now, or ``None`` when it may."""
    day = _today(today)
    stage = period.stage(day)
    if stage == Stage.REPORTING:
        return None
    if stage == Stage.NOT_OPEN:
        if period.opens_on is not None and day < period.opens_on:
            return _("%(period)s的填报将于 %(date)s 开始。") % {
                "period": period.label,
                "date": period.opens_on,
            }
        return _("%(period)s尚未开放填报。") % {"period": period.label}
    if stage == Stage.REVIEW:
        if report is not None and report.status == ReportedValue.Status.RETURNED:
            return None  # a returned value may be corrected until the period is locked
        if period.extensions.filter(institution=institution, until__gte=day).exists():
            return None
        message = _("%(period)s的填报已于 %(date)s 截止；如需补报，请联系市计量院开放补报。")
        return message % {"period": period.label, "date": period.deadline}
    if stage == Stage.PUBLISHED:
        return _("%(period)s的排行榜已发布，数据不能再修改。") % {"period": period.label}
    if stage in (Stage.NOTICE, Stage.COMPUTED):
        message = _("%(period)s的排行榜%(stage)s，数据不能再修改；如有异议，请在公示期内提出。")
        return message % {"period": period.label, "stage": period.stage_label(day)}
    return _("%(period)s已锁定，数据不能再修改。") % {"period": period.label}


def ensure_reportable(
    period: Period, institution: Any, *, report: ReportedValue | None = None, today: dt.date | None = None
) -> None:
    """Raise :class:`LifecycleError` unless a county may enter or change a value of ``period`` now."""
    reason = reporting_refusal(period, institution, report=report, today=today)
    if reason:
        raise LifecycleError(reason)


def ensure_reviewable(period: Period, today: dt.date | None = None) -> None:
    """Approving or returning is possible while the period is open or in review, never after locking."""
    if period.stage(today) not in (Stage.REPORTING, Stage.REVIEW):
        message = _("%(period)s%(stage)s，不能再审核。")
        raise LifecycleError(message % {"period": period.label, "stage": period.stage_label(today)})


def pending_reports(period: Period) -> list[ReportedValue]:
    """Values of ``period`` that await a decision (submitted or returned)."""
    qs = period.reports.filter(status__in=PENDING).select_related("institution")
    return list(qs.order_by("institution__code", "indicator"))


def _command_reason() -> str:
    """The trail's reason for a lock by a command: who ran it (the audit trail's actor)."""
    from qiangji.web.accounts.context import current

    return f"期次锁定（命令行：{current().username or '系统'}）"


def _describe(report: ReportedValue) -> str:
    status = report.get_status_display()
    return _("%(code)s %(indicator)s（%(status)s）") % {
        "code": report.institution.code,
        "indicator": report.indicator,
        "status": status,
    }


@transaction.atomic
def lock(period: Period, user: Any = None, *, today: dt.date | None = None) -> LockResult:
    """Lock ``period`` after its deadline, refusing while any value awaits a decision."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    stage = period.stage(today)
    if stage == Stage.REPORTING:
        message = _("%(period)s的填报截止日为 %(date)s，截止之后方可锁定。")
        raise LifecycleError(message % {"period": period.label, "date": period.deadline})
    if stage != Stage.REVIEW:
        message = _("%(period)s%(stage)s，不能锁定。")
        raise LifecycleError(message % {"period": period.label, "stage": period.stage_label(today)})
    running = period.extensions.filter(until__gte=_today(today)).select_related("institution")
    if running:
        until = _("%(code)s（至 %(until)s）")
        names = pgettext("list separator", "、").join(
            until % {"code": e.institution.code, "until": e.until} for e in running
        )
        raise LifecycleError(_("尚有补报许可未到期，不能锁定：%(names)s。") % {"names": names})
    pending = pending_reports(period)
    if pending:
        names = pgettext("list separator", "、").join(_describe(r) for r in pending[:20])
        more = _(" 等共 %(n)s 项") if len(pending) > 20 else _("，共 %(n)s 项")
        message = _("尚有未审核通过的数据，不能锁定：%(names)s%(more)s。")
        raise LifecycleError(message % {"names": names, "more": more % {"n": len(pending)}})
    drafts = period.reports.filter(status=ReportedValue.Status.DRAFT).select_related("institution")
    from qiangji.web.assessment import workflow  # workflow asks this module first (ensure_reportable)

    actor = user if getattr(user, "pk", None) else None
    locked = workflow.lock_period(period, actor, "" if actor else _command_reason())
    period.locked_at = timezone.now()
    period.locked_by = user if getattr(user, "pk", None) else None
    period.save(update_fields=["locked_at", "locked_by"])
    return LockResult(locked, [f"{r.institution.code} {r.indicator}" for r in drafts])
