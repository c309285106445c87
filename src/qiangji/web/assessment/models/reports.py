"""Reported indicator values, their evidence and the 填报 → 审核 → 退回/通过 → 锁定 audit trail."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.assessment.models.periods import Period
from qiangji.web.registry.models import Institution

log = logging.getLogger(__name__)
SIX_PLACES = Decimal("0.000001")


class ReportLocked(Exception):
    """Raised when a locked reported value would be changed or deleted."""


class ReportedValue(models.Model):
    """One institution's reported value of one indicator for one period.

    Percentages are never typed in: the reporter gives ``numerator`` and ``denominator`` and the platform
    computes ``value`` = 100 · numerator / denominator (rounded to 6 decimals). Only approved or locked
    values enter the index (:func:`qiangji.web.assessment.inputs.build_inputs`).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")
        LOCKED = "locked", _("已锁定")

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="reports", verbose_name=_("期次")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="reported_values", verbose_name=_("机构")
    )
    indicator = models.CharField(_("指标代码"), max_length=16)
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=18, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=18, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    class Meta:
        verbose_name = _("填报数值")
        verbose_name_plural = pgettext_lazy("plural", "填报数值")
        ordering = ["period", "institution", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["period", "institution", "indicator"], name="report_unique"),
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
                name="report_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.code} {self.institution.code} {self.indicator}"

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.numerator is None) != (self.denominator is None):
            errors["denominator"] = _("分子和分母必须同时填写。")
        elif self.denominator is not None and self.denominator <= 0:
            errors["denominator"] = _("分母必须大于0。")
        elif self.numerator is not None and self.denominator is not None:
            if self.numerator < 0 or self.numerator > self.denominator:
                errors["numerator"] = _("分子必须在0与分母之间。")
        elif self.value is None:
            errors["value"] = _("请填写数值。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and self._stored_status() == self.Status.LOCKED:
            log.warning("refused change of locked reported value %s (pk %s)", self, self.pk)
            raise ReportLocked(f"reported value {self} is locked")
        self.compute_value()
        super().save(*args, **kwargs)

    def compute_value(self) -> None:
        """A ratio's value is computed, never typed: 100 · numerator / denominator to six places."""
        if self.numerator is not None and self.denominator:
            self.value = (Decimal(100) * self.numerator / self.denominator).quantize(SIX_PLACES)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_status() in (self.Status.LOCKED, self.Status.APPROVED):
            raise ReportLocked(f"reported value {self} is {self.status} and cannot be deleted")
        return super().delete(*args, **kwargs)

    def _stored_status(self) -> str | None:
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def counts(self) -> bool:
        """Whether the value enters the index (approved or locked)."""
        return self.status in (self.Status.APPROVED, self.Status.LOCKED)


class ReportTransition(models.Model):
    """One step of a report's workflow: who moved it from which status to which, when and why."""

    report = models.ForeignKey(
        ReportedValue, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("填报数值")
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ReportedValue.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ReportedValue.Status.choices)
    # None: a step taken by a command (``qiangji period lock``); the reason names the operating-system
    # account and the audit trail records it as the event's actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("理由"), blank=True)
    value = models.DecimalField(_("当时数值"), max_digits=18, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("填报流转记录")
        verbose_name_plural = pgettext_lazy("plural", "填报流转记录")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.from_status} → {self.to_status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    report = instance.report
    return f"evidence/{report.period.code}/{report.institution.code}/{report.indicator}/{filename}"


class Evidence(models.Model):
    """An evidence attachment of a reported value, stored under MEDIA_ROOT and served only after login."""

    report = models.ForeignKey(
        ReportedValue, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("填报数值")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "佐证材料")
        ordering = ["report", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
