"""A message to one user about one workflow event, shown on the site and sent by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """One user's message about one event. ``event_key`` names the event (e.g. ``returned:42``): the
    unique (recipient, event key) pair is what makes every event reach each user once, however often the
    receivers or `qiangji remind` run. ``emailed_at`` stays empty until an email has gone out (a failed
    send is retried by the next `qiangji remind`)."""

    class Kind(models.TextChoices):
        PERIOD_OPENED = "period_opened", _("期次开放填报")
        DEADLINE_NEAR = "deadline_near", _("填报即将截止")
        VALUE_RETURNED = "value_returned", _("数据被退回")
        RECTIFICATION_DUE = "rectification_due", _("整改即将到期")
        RECTIFICATION_OVERDUE = "rectification_overdue", _("整改已逾期")
        NOTICE = "notice", _("排行榜公示")
        OBJECTION_ANSWERED = "objection_answered", _("异议已答复")
        PROPOSAL_DECIDED = "proposal_decided", _("登记更正已审核")
        READINESS_SLIPPED = "readiness_slipped", _("A级培育进度滞后")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    event_key = models.CharField(_("事件标识"), max_length=120)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="inbox_notification_once")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
