"""Supervision visits (督导) with a scored checklist per compliance sub-dimension, and rectification (整改).

Findings themselves are the registry's :class:`~qiangji.web.registry.models.SupervisionFinding`; a visit
links the findings it raised, and a rectification accepted by the city closes its finding.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.assessment.models.periods import Period
from qiangji.web.registry.models import Institution, SupervisionFinding

SubDimension = SupervisionFinding.SubDimension

# (sub-dimension, indicator fed, item, points). An item tagged with an indicator code feeds that indicator
# (its points awarded / points possible, in %); untagged items count in the sub-dimension score only.
DEFAULT_CHECKLIST: tuple[tuple[str, str, str, int], ...] = (
    ("C1", "C1.1", "内部审核按年度计划完成并形成报告", 10),
    ("C1", "C1.1", "管理评审按年度计划完成并形成报告", 10),
    ("C1", "", "质量手册、程序文件现行有效并受控", 10),
    ("C2", "C2.3", "块状产业重点计量需求清单已覆盖", 10),
    ("C2", "", "计量标准与授权强检项目相匹配", 10),
    ("C3", "C3.1", "现场抽查原始记录符合规程要求", 10),
    ("C3", "C3.1", "现场抽查证书结论与原始记录一致", 10),
    ("C3", "", "检定人员持证上岗、签字规范", 10),
    ("C4", "", "证书引用的计量标准、标准器证书在有效期内", 10),
    ("C4", "", "证书记录环境条件并符合规程要求", 10),
)


class SupervisionVisit(models.Model):
    """A city supervision visit to one institution in one period."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        COMPLETED = "completed", _("已完成")

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="visits", verbose_name=_("期次")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="supervision_visits", verbose_name=_("机构")
    )
    visited_on = models.DateField(_("督导日期"))
    inspectors = models.CharField(_("督导人员"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("督导意见"), blank=True)
    findings = models.ManyToManyField(
        SupervisionFinding, verbose_name=_("发现问题"), related_name="visits", blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("督导检查")
        verbose_name_plural = pgettext_lazy("plural", "督导检查")
        ordering = ["-visited_on", "institution"]

    def __str__(self) -> str:
        return f"{self.institution} {self.visited_on}"

    def clean(self) -> None:
        if (
            self.period_id
            and self.visited_on
            and not (self.period.start <= self.visited_on <= self.period.end)
        ):
            raise ValidationError({"visited_on": _("督导日期必须在所属期次内。")})

    @classmethod
    @transaction.atomic
    def create_with_checklist(cls, **fields: Any) -> SupervisionVisit:
        """A new visit with the default checklist (items unscored)."""
        visit = cls(**fields)
        visit.full_clean()
        visit.save()
        from qiangji.web.accounts.audit import record_bulk  # accounts' models load after these

        items = ChecklistItem.objects.bulk_create(
            ChecklistItem(
                visit=visit, sub_dimension=s, indicator=i, text=t, max_points=Decimal(p), position=n
            )
            for n, (s, i, t, p) in enumerate(DEFAULT_CHECKLIST)
        )
        record_bulk("create", items)  # bulk_create sends no signals
        return visit

    def sub_dimension_scores(self) -> dict[str, Decimal | None]:
        """Score of each sub-dimension C1–C4 in % (points awarded / points of the scored items)."""
        scores: dict[str, Decimal | None] = {}
        for code in SubDimension.values:
            items = [i for i in self.items.all() if i.sub_dimension == code and i.awarded is not None]
            possible = sum((i.max_points for i in items), Decimal(0))
            got = sum((i.awarded or Decimal(0) for i in items), Decimal(0))
            scores[code] = (100 * got / possible).quantize(Decimal("0.1")) if possible else None
        return scores


class ChecklistItem(models.Model):
    """One scored item of a visit's checklist."""

    visit = models.ForeignKey(
        SupervisionVisit, on_delete=models.CASCADE, related_name="items", verbose_name=_("督导检查")
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    sub_dimension = models.CharField(_("子维度"), max_length=2, choices=SubDimension.choices)
    indicator = models.CharField(_("计入指标"), max_length=16, blank=True)
    text = models.CharField(_("检查内容"), max_length=200)
    max_points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    awarded = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("扣分说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("督导检查项")
        verbose_name_plural = pgettext_lazy("plural", "督导检查项")
        ordering = ["visit", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="checklist_points_positive"),
            models.CheckConstraint(
                condition=models.Q(awarded__isnull=True)
                | models.Q(awarded__gte=0, awarded__lte=models.F("max_points")),
                name="checklist_awarded_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.awarded is not None and not (0 <= self.awarded <= self.max_points):
            raise ValidationError({"awarded": _("得分必须在0与分值之间。")})
        if self.indicator and not self.indicator.startswith(self.sub_dimension):
            raise ValidationError({"indicator": _("计入指标必须属于本子维度。")})


class Rectification(models.Model):
    """A rectification report (整改报告) for a finding; accepting it closes the finding on that day."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待验证")
        ACCEPTED = "accepted", _("验证通过")
        REJECTED = "rejected", _("验证未通过")

    finding = models.ForeignKey(
        SupervisionFinding,
        on_delete=models.CASCADE,
        related_name="rectifications",
        verbose_name=_("发现问题"),
    )
    measures = models.TextField(_("整改措施"))
    submitted_on = models.DateField(_("提交日期"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_on = models.DateField(_("验证日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验证人"),
    )
    review_note = models.TextField(_("验证意见"), blank=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = pgettext_lazy("plural", "整改记录")
        ordering = ["finding", "submitted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.finding} {self.get_status_display()}"
