"""Assistance beyond training (on-site guidance, help building standards, instrument lending, pairing).

Each action names what it addresses — a supervision finding, an unsatisfactory comparison result, a weak
index indicator, or an exam topic — and :mod:`qiangji.web.steering.effects` computes from the later
records whether it helped (before/after values; never typed in).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.comparisons.models import LabResult
from qiangji.web.programme.models import TrainingTopic
from qiangji.web.registry.models import Institution, SupervisionFinding
from qiangji.web.registry.models.base import Timestamped, ordered
from qiangji.web.steering.models.capability import indicator_codes
from qiangji.web.steering.models.periods import period_errors


class AssistanceAction(Timestamped):
    class Kind(models.TextChoices):
        ONSITE = "onsite", _("现场指导")
        STANDARD = "standard", _("计量标准建标帮扶")
        LENDING = "lending", _("仪器设备借用")
        PAIRING = "pairing", _("结对帮扶")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="assistance_received", verbose_name=_("受援机构")
    )
    provider = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="assistance_given",
        verbose_name=_("帮扶机构"),
    )
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("内容"), max_length=200)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), help_text=_("成效从此日之后的记录判断。"))
    finding = models.ForeignKey(
        SupervisionFinding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance",
        verbose_name=_("针对的督导问题"),
    )
    lab_result = models.ForeignKey(
        LabResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance",
        verbose_name=_("针对的比对结果"),
    )
    indicator = models.CharField(
        _("针对的薄弱指标"), max_length=10, blank=True, help_text=_("指标代码，如 D2.3。")
    )
    exam_topic = models.ForeignKey(
        TrainingTopic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("针对的考核主题"),
        help_text=_("以该主题培训结业考试成绩判断成效。"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("帮扶行动")
        verbose_name_plural = pgettext_lazy("plural", "帮扶行动")
        ordering = ["-started_on"]
        constraints = [ordered("started_on", "ended_on", strict=False, name="assist_end_after_start")]

    def __str__(self) -> str:
        return f"{self.institution.name} {self.get_kind_display()}：{self.title}"

    def clean(self) -> None:
        errors = period_errors(self.started_on, self.ended_on)
        if self.institution_id and self.institution_id == self.provider_id:
            errors["provider"] = _("帮扶机构不能是受援机构本身。")
        if not (self.finding_id or self.lab_result_id or self.indicator or self.exam_topic_id):
            errors["indicator"] = _("须至少指明一项针对的问题：督导问题、比对结果、薄弱指标或考核主题。")
        if self.indicator and self.indicator not in indicator_codes():
            errors["indicator"] = _("未知的指标代码 %(c)s。") % {"c": self.indicator}
        if self.finding_id and self.institution_id and self.finding.institution_id != self.institution_id:
            errors["finding"] = _("督导问题须属于受援机构。")
        if (
            self.lab_result_id
            and self.institution_id
            and self.lab_result.participant.institution_id != self.institution_id
        ):
            errors["lab_result"] = _("比对结果须属于受援机构。")
        if errors:
            raise ValidationError(errors)
