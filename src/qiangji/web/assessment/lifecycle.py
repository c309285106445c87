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
            known = "、".join(FrameworkVersion.objects.values_list("version", flat=True)) or "无"
            raise LifecycleError(f"指标框架版本 {framework} 不存在（已有：{known}）。")
        return found
    newest = FrameworkVersion.objects.order_by("-created_at", "-pk").first()
    if newest is None:
        raise LifecycleError("尚未载入任何指标框架版本，请先运行 qiangji manage loadframework。")
    return newest


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
    try:
        year = parse_period_code(code)[0]
    except ValueError:
        raise LifecycleError(f"期次代码应为“2026Q1”或“2026”的形式，收到 {code!r}。") from None
    implausible = plausible.year_error(year)  # `period open 9999Q1` made a period whose pages then failed
    if implausible:
        raise LifecycleError(f"期次 {code.strip().upper()}：{implausible}")
    period = Period.for_code(code)
    period = Period.objects.select_for_update().get(pk=period.pk)
    opens = opens or period.opens_on or _today(today)
    if deadline < opens:
        raise LifecycleError(f"填报截止日期 {deadline} 早于开始日期 {opens}。")
    stage = period.stage(today)
    if stage in (Stage.LOCKED, Stage.COMPUTED, Stage.NOTICE, Stage.PUBLISHED):
        raise LifecycleError(f"期次 {period.code} {period.stage_label(today)}，不能重新开放填报。")
    version = _version(framework or period.framework_version)
    if period.reports.exists() and period.framework_version_id not in (None, version.pk):
        raise LifecycleError(
            f"期次 {period.code} 已有填报数据，指标框架版本 {period.framework_version} 不能再更换。"
        )
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
        raise LifecycleError("补报许可必须填写理由。")
    stage = period.stage(today)
    if stage not in (Stage.REPORTING, Stage.REVIEW):
        raise LifecycleError(f"期次 {period.code} {period.stage_label(today)}，不能再补报。")
    if until < _today(today):
        raise LifecycleError(f"补报截止日期 {until} 已经过去。")
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
            return f"{period.label}的填报将于 {period.opens_on} 开始。"
        return f"{period.label}尚未开放填报。"
    if stage == Stage.REVIEW:
        if report is not None and report.status == ReportedValue.Status.RETURNED:
            return None  # a returned value may be corrected until the period is locked
        if period.extensions.filter(institution=institution, until__gte=day).exists():
            return None
        return f"{period.label}的填报已于 {period.deadline} 截止；如需补报，请联系市计量院开放补报。"
    if stage == Stage.PUBLISHED:
        return f"{period.label}的排行榜已发布，数据不能再修改。"
    if stage in (Stage.NOTICE, Stage.COMPUTED):
        return (
            f"{period.label}的排行榜{period.stage_label(day)}，数据不能再修改；如有异议，请在公示期内提出。"
        )
    return f"{period.label}已锁定，数据不能再修改。"


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
        raise LifecycleError(f"{period.label}{period.stage_label(today)}，不能再审核。")


def pending_reports(period: Period) -> list[ReportedValue]:
    """Values of ``period`` that await a decision (submitted or returned)."""
    qs = period.reports.filter(status__in=PENDING).select_related("institution")
    return list(qs.order_by("institution__code", "indicator"))


def _command_reason() -> str:
    """The trail's reason for a lock by a command: who ran it (the audit trail's actor)."""
    from qiangji.web.accounts.context import current

    return f"期次锁定（命令行：{current().username or '系统'}）"


def _describe(report: ReportedValue) -> str:
    return f"{report.institution.code} {report.indicator}（{report.get_status_display()}）"


@transaction.atomic
def lock(period: Period, user: Any = None, *, today: dt.date | None = None) -> LockResult:
    """Lock ``period`` after its deadline, refusing while any value awaits a decision."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    stage = period.stage(today)
    if stage == Stage.REPORTING:
        raise LifecycleError(f"{period.label}的填报截止日为 {period.deadline}，截止之后方可锁定。")
    if stage != Stage.REVIEW:
        raise LifecycleError(f"{period.label}{period.stage_label(today)}，不能锁定。")
    running = period.extensions.filter(until__gte=_today(today)).select_related("institution")
    if running:
        names = "、".join(f"{e.institution.code}（至 {e.until}）" for e in running)
        raise LifecycleError(f"尚有补报许可未到期，不能锁定：{names}。")
    pending = pending_reports(period)
    if pending:
        names = "、".join(_describe(r) for r in pending[:20])
        more = f" 等共 {len(pending)} 项" if len(pending) > 20 else f"，共 {len(pending)} 项"
        raise LifecycleError(f"尚有未审核通过的数据，不能锁定：{names}{more}。")
    drafts = period.reports.filter(status=ReportedValue.Status.DRAFT).select_related("institution")
    from qiangji.web.assessment import workflow  # workflow asks this module first (ensure_reportable)

    actor = user if getattr(user, "pk", None) else None
    locked = workflow.lock_period(period, actor, "" if actor else _command_reason())
    period.locked_at = timezone.now()
    period.locked_by = user if getattr(user, "pk", None) else None
    period.save(update_fields=["locked_at", "locked_by"])
    return LockResult(locked, [f"{r.institution.code} {r.indicator}" for r in drafts])
