"""A county's proposed correction of its own registry, verified by the city (issue 18).

The proposal stores the proposed values of the fields it changes, keyed by the form field names of the
declared kind (:mod:`qiangji.web.directory.proposals`), and, for a change of an existing row, those fields'
values when it was proposed: accepting it refuses a field that someone else changed meanwhile.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped
from qiangji.web.registry.models.institution import Institution


class RegistryProposal(Timestamped):
    """One proposed addition, change or retirement of a registry row of one institution."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        RETIRE = "retire", _("注销")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("机构")
    )
    model_label = models.CharField(_("数据类型"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("记录编号"), null=True, blank=True)
    object_repr = models.CharField(_("记录"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    values = models.JSONField(_("提议的值"), default=dict, blank=True)
    before = models.JSONField(_("提议时的原值"), default=dict, blank=True)
    note = models.TextField(_("说明与依据"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("登记更正申请")
        verbose_name_plural = pgettext_lazy("plural", "登记更正申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "institution"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected", reason=""), name="proposal_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="proposal_decision_has_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(action="create") | Q(object_id__isnull=False), name="proposal_change_has_object"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.institution.code} {self.get_action_display()} {self.object_repr}".strip()
