"""The publication workflow: draft → 公示 (public notice, objections) → final (frozen, hashed).

* `create_draft(period, run)`: a draft ranking of the period (not public).
* `start_notice(pub, today)`: public notice; objections may be lodged until ``notice_ends_on``, the
  ``OBJECTION_PERIOD_WORKING_DAYS``-th working day after ``today`` (weekends and the dates listed in
  ``settings.QIANGJI["HOLIDAYS"]`` do not count).
* `lodge_objection(pub, …)`: logs an objection (only while the notice runs).
* `reply_objection(obj, outcome, reply, corrected_inputs=…)`: an upheld objection needs corrected inputs;
  a corrected run is computed and the notice starts again (re-notice) with the corrected ranking.
* `finalise(pub, today)`: after the objection period, with every objection answered; the content is
  frozen and hashed. From then on the publication is immutable (`models.Publication`).

Every step is logged in `PublicationEvent` with who and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qiangji.core.canonical import canonical_json
from qiangji.web.publication.content import build_content, content_hash
from qiangji.web.publication.models import IndexRun, Objection, Publication, PublicationEvent
from qiangji.web.publication.runs import InputsLike, create_run

Status = Publication.Status


class WorkflowError(ValueError):
    """A workflow step that is not allowed in the publication's current state (message in Chinese)."""


def add_working_days(start: dt.date, n: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count).

    >>> add_working_days(dt.date(2025, 1, 3), 5)  # a Friday → the next Friday
    datetime.date(2025, 1, 10)
    """
    if n < 0:
        raise ValueError(f"n must be a non-negative number of working days, got {n}")
    off = set(holidays)
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            n -= 1
    return day


def _holidays() -> list[dt.date]:
    return [dt.date.fromisoformat(str(d)) for d in settings.QIANGJI.get("HOLIDAYS", ())]


def log_event(pub: Publication, action: Any, user: Any, detail: str = "") -> None:
    """Record a step of ``pub`` in its event log."""
    actor = user if getattr(user, "pk", None) else None
    PublicationEvent.objects.create(publication=pub, action=action, actor=actor, detail=detail)


def _require(pub: Publication, *allowed: Any) -> None:
    if pub.status not in allowed:
        labels = pgettext("list separator", "、").join(str(Status(s).label) for s in allowed)
        message = _("发布状态为“%(status)s”，此操作只能在“%(allowed)s”状态下进行。")
        raise WorkflowError(message % {"status": pub.get_status_display(), "allowed": labels})


@transaction.atomic
def create_draft(period: Any, run: IndexRun, *, user: Any = None, title: str = "") -> Publication:
    """A draft publication of ``period`` showing ``run``."""
    if run.period_id != period.pk:
        raise WorkflowError(
            _("指数计算 #%(run)s 不属于期次 %(code)s。") % {"run": run.pk, "code": period.code}
        )
    if Publication.objects.filter(period=period).exists():
        raise WorkflowError(_("期次 %(code)s 已有发布记录。") % {"code": period.code})
    pub = Publication.objects.create(
        period=period, run=run, title=title or f"{period.label_zh}计量技术机构能力建设指数排行榜"
    )
    pub.runs_history.add(run)
    log_event(pub, PublicationEvent.Action.CREATED, user, f"run #{run.pk}")
    return pub


@transaction.atomic
def start_notice(pub: Publication, today: dt.date, *, user: Any = None) -> Publication:
    """Publish the draft for public notice; objections are accepted until ``notice_ends_on``."""
    _require(pub, Status.DRAFT)
    _open_notice(pub, today)
    log_event(pub, PublicationEvent.Action.NOTICE, user, f"异议截止 {pub.notice_ends_on}")
    return pub


def notice_ends_on(start: dt.date) -> dt.date:
    """The last day for objections to a notice starting on ``start`` (``OBJECTION_PERIOD_WORKING_DAYS``
    working days later; weekends and ``HOLIDAYS`` do not count)."""
    return add_working_days(start, int(settings.QIANGJI["OBJECTION_PERIOD_WORKING_DAYS"]), _holidays())


def _open_notice(pub: Publication, today: dt.date) -> None:
    pub.status = Status.NOTICE
    pub.notice_started_on = today
    pub.notice_ends_on = notice_ends_on(today)
    pub.save()


@transaction.atomic
def lodge_objection(
    pub: Publication,
    *,
    text: str,
    submitted_by: str,
    received_on: dt.date,
    institution: Any = None,
    user: Any = None,
) -> Objection:
    """Log an objection received on ``received_on`` (only during the notice period)."""
    _require(pub, Status.NOTICE)
    assert pub.notice_started_on and pub.notice_ends_on
    if not pub.notice_started_on <= received_on <= pub.notice_ends_on:
        message = _("异议须在公示期内（%(start)s 至 %(end)s）提出，收到日期为 %(received)s。")
        raise WorkflowError(
            message % {"start": pub.notice_started_on, "end": pub.notice_ends_on, "received": received_on}
        )
    if not text.strip() or not submitted_by.strip():
        raise WorkflowError(_("异议内容和提出人不能为空。"))
    obj = Objection.objects.create(
        publication=pub,
        text=text,
        submitted_by=submitted_by,
        received_on=received_on,
        institution=institution,
    )
    log_event(pub, PublicationEvent.Action.OBJECTION, user, f"objection #{obj.pk}: {submitted_by}")
    return obj


@transaction.atomic
def reply_objection(
    obj: Objection,
    *,
    outcome: str,
    reply: str,
    today: dt.date,
    user: Any = None,
    corrected_inputs: InputsLike | None = None,
    seed: int | None = None,
) -> Objection:
    """Answer an objection; an upheld one gives a corrected run and a new notice period."""
    pub = obj.publication
    _require(pub, Status.NOTICE)
    if obj.outcome != Objection.Outcome.PENDING:
        message = _("异议 #%(pk)s 已处理（%(outcome)s）。")
        raise WorkflowError(message % {"pk": obj.pk, "outcome": obj.get_outcome_display()})
    if outcome not in (Objection.Outcome.UPHELD, Objection.Outcome.REJECTED):
        raise WorkflowError(
            _("处理结果只能是“成立”或“不成立”，收到 %(outcome)s。") % {"outcome": repr(outcome)}
        )
    if not reply.strip():
        raise WorkflowError(_("答复内容不能为空。"))
    if outcome == Objection.Outcome.UPHELD:
        if corrected_inputs is None:
            raise WorkflowError(_("异议成立时须提供更正后的数据并重新计算。"))
        obj.corrected_run = _correct(pub, obj, corrected_inputs, today, user, seed)
    obj.outcome, obj.reply, obj.replied_at = outcome, reply, timezone.now()
    obj.replied_by = user if getattr(user, "pk", None) else None
    obj.save()
    log_event(pub, PublicationEvent.Action.REPLY, user, f"objection #{obj.pk}: {outcome}")
    return obj


def _correct(
    pub: Publication, obj: Objection, inputs: InputsLike, today: dt.date, user: Any, seed: int | None
) -> IndexRun:
    old = pub.run
    run = create_run(
        pub.period,
        old.framework_version,
        inputs,
        seed=old.seed if seed is None else seed,
        runs=old.runs,
        user=user,
        note=f"异议 #{obj.pk} 成立后更正",
        corrects=old,
    )
    pub.run = run
    _open_notice(pub, today)
    pub.runs_history.add(run)
    log_event(
        pub,
        PublicationEvent.Action.CORRECTED,
        user,
        f"run #{old.pk} → #{run.pk}; 异议截止 {pub.notice_ends_on}",
    )
    return run


@transaction.atomic
def finalise(pub: Publication, today: dt.date, *, user: Any = None) -> Publication:
    """Freeze the ranking after the objection period; every objection must be answered."""
    _require(pub, Status.NOTICE)
    assert pub.notice_ends_on is not None
    if today <= pub.notice_ends_on:
        raise WorkflowError(_("公示期至 %(end)s 结束，之后方可正式发布。") % {"end": pub.notice_ends_on})
    pending = pub.objections.filter(outcome=Objection.Outcome.PENDING).count()
    if pending:
        raise WorkflowError(_("尚有 %(n)s 条异议未处理，不能正式发布。") % {"n": pending})
    content = build_content(pub, final_on=today)
    pub.content_json = canonical_json(content)
    pub.content_sha256 = content_hash(content)
    pub.status = Status.FINAL
    pub.finalised_at = timezone.now()
    pub.finalised_by = user if getattr(user, "pk", None) else None
    pub.save()
    log_event(pub, PublicationEvent.Action.FINAL, user, f"sha256 {pub.content_sha256}")
    return pub
