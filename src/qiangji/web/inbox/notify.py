"""Creating notifications (once per user and event) and emailing them.

`notify` stores the message for each recipient unless that user already has one with the same event key;
`send_pending` emails every stored message not yet emailed whose recipient has an email address. A send
that fails is logged and left pending (``emailed_at`` empty) for the next `qiangji remind` run; it never
reaches the workflow step that caused the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from qiangji.web.inbox.models import Notification

log = logging.getLogger("qiangji.inbox")


@dataclass(frozen=True)
class Message:
    """What every recipient of one event is told."""

    kind: str
    event_key: str
    subject: str
    body: str
    link: str = ""


def notify(recipients: Iterable[Any], message: Message) -> list[Notification]:
    """Store ``message`` for each recipient who has not had this event yet; returns the new ones."""
    users = list(recipients)
    if not users:
        return []
    told = set(
        Notification.objects.filter(event_key=message.event_key, recipient__in=users).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for user in users:
        if user.pk in told:
            continue
        made = _create(user, message)
        if made is not None:
            created.append(made)
    return created


def _create(user: Any, message: Message) -> Notification | None:
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate must not spoil the caller's work
            return Notification.objects.create(
                recipient=user,
                kind=message.kind,
                event_key=message.event_key,
                subject=message.subject[:200],
                body=message.body,
                link=message.link[:300],
            )
    except IntegrityError:
        return None  # the same event reached this user through another process a moment ago


def absolute(link: str) -> str:
    """``link`` with the site's address (``QIANGJI["SITE_URL"]``) in front, for emails."""
    site = str(settings.QIANGJI.get("SITE_URL", "") or "")
    return f"{site}{link}" if link.startswith("/") and site else link


def _email(note: Notification) -> EmailMessage:
    body = note.body
    if note.link:
        body = f"{body}\n\n{absolute(note.link)}"
    body += "\n\n——强基行动平台（本邮件由系统自动发送，请勿直接回复）"
    return EmailMessage(f"【强基行动】{note.subject}", body, None, [note.recipient.email])


def pending_email() -> QuerySet[Notification]:
    """Stored messages whose recipient has an email address and that have not been emailed yet."""
    return (
        Notification.objects.filter(emailed_at__isnull=True, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("created_at", "pk")
    )


def send_pending(ids: Iterable[int] | None = None) -> int:
    """Email the pending messages (only ``ids`` if given); returns how many went out."""
    notes = pending_email()
    if ids is not None:
        notes = notes.filter(pk__in=list(ids))
    sent = 0
    connection = None
    for note in notes:
        try:
            connection = connection or get_connection(fail_silently=False)
            connection.send_messages([_email(note)])
        except Exception:  # SMTP, DNS, socket, TLS: whatever it is, log it and retry on the next run
            log.exception(
                "email of notification %s to %s failed; kept for the next run", note.pk, note.recipient
            )
            connection = None
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def send_after_commit(notes: list[Notification]) -> None:
    """Email ``notes`` once the surrounding transaction has committed (never for a rolled-back step)."""
    if notes:
        ids = [n.pk for n in notes]
        transaction.on_commit(lambda: send_pending(ids))
