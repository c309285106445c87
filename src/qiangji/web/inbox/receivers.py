"""Signal receivers: the workflows write their trail rows (report transitions, the publication log, the
period's opening) and these turn them into notifications, so the workflow modules need not know about
notifications at all. Connected in :meth:`InboxConfig.ready`.

A notification must never break the step that caused it: each receiver works inside a savepoint and logs
(with the traceback) instead of raising; emails go out only after the step's transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from qiangji.web.assessment.models import Period, ReportTransition
from qiangji.web.inbox import events
from qiangji.web.inbox.models import Notification
from qiangji.web.inbox.notify import send_after_commit
from qiangji.web.publication.models import PublicationEvent
from qiangji.web.registry.models import RegistryProposal
from qiangji.web.registry.signals import proposal_decided

log = logging.getLogger("qiangji.inbox")


def _safely(build: Callable[[Any], list[Notification]], instance: Any) -> None:
    try:
        with transaction.atomic():
            made = build(instance)
    except Exception:  # a message must never undo or block the workflow step; the log keeps the cause
        log.exception("notifications for %s %s failed", type(instance).__name__, instance.pk)
        return
    send_after_commit(made)


def _transition_saved(sender: Any, instance: ReportTransition, created: bool, raw: bool, **_: Any) -> None:
    if created and not raw and instance.to_status == "returned":
        _safely(events.value_returned, instance)


def _publication_event_saved(
    sender: Any, instance: PublicationEvent, created: bool, raw: bool, **_: Any
) -> None:
    if not created or raw:
        return
    if instance.action in (PublicationEvent.Action.NOTICE, PublicationEvent.Action.CORRECTED):
        _safely(events.notice_started, instance)
    elif instance.action == PublicationEvent.Action.REPLY:
        _safely(events.objections_answered, instance)


def _period_saved(sender: Any, instance: Period, raw: bool, update_fields: Any = None, **_: Any) -> None:
    if raw or instance.opened_at is None:
        return
    if update_fields is not None and "opened_at" not in update_fields:
        return  # e.g. the lock: not an opening
    _safely(events.period_opened, instance)


def _proposal_decided(sender: Any, proposal: RegistryProposal, **_: Any) -> None:
    _safely(events.proposal_decided, proposal)


def connect() -> None:
    proposal_decided.connect(_proposal_decided, dispatch_uid="inbox_proposal_decided")
    post_save.connect(_transition_saved, sender=ReportTransition, dispatch_uid="inbox_returned")
    post_save.connect(_publication_event_saved, sender=PublicationEvent, dispatch_uid="inbox_publication")
    post_save.connect(_period_saved, sender=Period, dispatch_uid="inbox_period_opened")
