"""The stored evaluation of a round, per point and per laboratory, and the corrective actions it opens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.comparisons.columns import Verdict, result_columns_model
from qiangji.web.comparisons.models.rounds import ComparisonRound, MeasurementPoint, Participant, Submission
from qiangji.web.registry.models import Institution, SupervisionFinding


class Evaluation(models.Model):
    """The reference value of one point and everything needed to show and replay its calculation.

    ``inputs`` holds the exact arrays given to the core (lab codes, x, u, included, dates, pilot checks)
    so that :func:`qiangji.web.comparisons.evaluate.recompute` can rebuild the numbers bit for bit;
    ``trail`` holds the method's diagnostics (χ² test, Birge ratio, τ, Algorithm A's iterations, drift
    line). Floats that are NaN are stored as ``null``.
    """

    round = models.ForeignKey(
        ComparisonRound, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("比对")
    )
    point = models.OneToOneField(
        MeasurementPoint, on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("测量点")
    )
    method = models.CharField(_("参考值方法"), max_length=32, choices=ComparisonRound.METHOD_CHOICES)
    options = models.JSONField(_("方法参数"), default=dict)
    value = models.FloatField(_("参考值"), null=True)
    u = models.FloatField(_("参考值标准不确定度"), null=True)
    doe_form = models.CharField(_("等效度不确定度形式"), max_length=20)
    inputs = models.JSONField(_("输入数据"))
    trail = models.JSONField(_("计算过程"))
    code_version = models.CharField(_("程序版本"), max_length=20)
    evaluated_at = models.DateTimeField(_("评价时间"))
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("评价人")
    )

    class Meta:
        verbose_name = _("比对评价")
        verbose_name_plural = pgettext_lazy("plural", "比对评价")
        ordering = ["round", "point__order"]

    def __str__(self) -> str:
        return f"{self.round.code} {self.point}: {self.value}"

    @property
    def U(self) -> float | None:
        return None if self.u is None else 2.0 * self.u


class LabResult(result_columns_model(__name__)):  # type: ignore[misc]
    """One laboratory's outcome at one point: x, U, x_ref, d = x − x_ref, U(d), En, ζ, z and the verdict.

    Its fields after the three links are generated from the core's declaration ``RESULT_COLUMNS``, one per
    column (``columns.result_columns_model``); ``tests/web/comparisons/test_columns.py`` checks them.
    """

    Verdict = Verdict

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="results", verbose_name=_("比对评价")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="results", verbose_name=_("参比实验室")
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="results", verbose_name=_("比对结果")
    )

    class Meta:
        verbose_name = _("实验室比对结论")
        verbose_name_plural = pgettext_lazy("plural", "实验室比对结论")
        ordering = ["evaluation", "participant__lab_code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "participant"], name="cmp_labresult_unique")
        ]

    def __str__(self) -> str:
        return f"{self.participant.lab_code} {self.evaluation.point}: En={self.en}"


class CorrectiveAction(models.Model):
    """The link from a round's unsatisfactory results (|En| > 1) to the finding opened for the institution.

    The finding itself is a registry :class:`SupervisionFinding` (sub-dimension C3, a due date), so that it
    appears in the institution's findings register and in the closure-rate indicator like any other
    nonconformity; this row records which round and which results opened it.
    """

    round = models.ForeignKey(
        ComparisonRound, on_delete=models.CASCADE, related_name="corrective_actions", verbose_name=_("比对")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="comparison_actions", verbose_name=_("机构")
    )
    finding = models.OneToOneField(
        SupervisionFinding,
        on_delete=models.PROTECT,
        related_name="comparison_action",
        verbose_name=_("整改项"),
    )
    results = models.ManyToManyField(
        LabResult, related_name="corrective_actions", verbose_name=_("不满意结果")
    )

    class Meta:
        verbose_name = _("比对整改项")
        verbose_name_plural = pgettext_lazy("plural", "比对整改项")
        constraints = [
            models.UniqueConstraint(fields=["round", "institution"], name="cmp_action_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round.code} {self.institution}"
