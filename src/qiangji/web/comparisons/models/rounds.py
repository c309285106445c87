"""A comparison round (JJF 1117): protocol, pilot, transfer standard, points, participants and submissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.core.comparison import METHOD_LABELS, OPTION_NAMES
from qiangji.web import plausible
from qiangji.web.comparisons.labels import method_choices
from qiangji.web.registry.models import Institution
from qiangji.web.registry.models.base import Timestamped, ordered

#: Options a round may store for its evaluation (the core's ``evaluate_point`` options); anything else is
#: rejected by :meth:`ComparisonRound.clean`.
REFERENCE_OPTION_KEYS = frozenset(OPTION_NAMES)


class ComparisonRound(Timestamped):
    """One comparison (比对) organised by a pilot laboratory, with its protocol and reference method."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已截止")
        EVALUATED = "evaluated", _("已评价")
        REPORTED = "reported", _("已出报告")

    #: Reference-value methods: the core's ``REFERENCE_METHODS`` with their labels (``METHOD_LABELS``).
    METHOD_CHOICES = method_choices()

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    quantity = models.CharField(_("被测量"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20)
    protocol = models.FileField(_("比对实施方案"), upload_to="comparisons/protocols/", blank=True)
    protocol_ref = models.CharField(_("方案编号"), max_length=100, blank=True)
    pilot = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="piloted_rounds", verbose_name=_("主导实验室")
    )
    transfer_standard = models.TextField(_("传递标准"), help_text=_("名称、型号、编号、稳定性说明。"))
    mandatory = models.BooleanField(
        _("必须参加"), default=True, help_text=_("受邀机构未提交结果时，C3.2 计为 0。")
    )
    deadline = models.DateTimeField(_("提交截止时间"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    reference_method = models.CharField(
        _("参考值方法"), max_length=32, choices=METHOD_CHOICES, default="pilot"
    )
    reference_options = models.JSONField(
        _("参考值方法参数"),
        default=dict,
        blank=True,
        help_text=_('如 {"alpha": 0.05, "U_ts": 0.0, "correlated": "auto", "seed": 0}。'),
    )
    corrective_days = models.PositiveSmallIntegerField(
        _("整改期限（天）"), default=30, validators=[MinValueValidator(1)]
    )
    closed_at = models.DateTimeField(_("截止操作时间"), null=True, blank=True)
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("比对计划")
        verbose_name_plural = pgettext_lazy("plural", "比对计划")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.reference_method not in METHOD_LABELS:
            raise ValidationError({"reference_method": _("未知的参考值方法。")})
        opts = self.reference_options
        if not isinstance(opts, dict):
            raise ValidationError({"reference_options": _("参数必须是 JSON 对象。")})
        unknown = sorted(set(opts) - REFERENCE_OPTION_KEYS)
        if unknown:
            raise ValidationError(
                {"reference_options": _("未知参数：%(keys)s") % {"keys": ", ".join(unknown)}}
            )

    @property
    def results_released(self) -> bool:
        """Participants may see each other's results once the pilot has closed the round."""
        return self.status in {self.Status.CLOSED, self.Status.EVALUATED, self.Status.REPORTED}

    def accepts_submissions(self, now: Any = None) -> bool:
        return self.status == self.Status.OPEN and (now or timezone.now()) <= self.deadline


class MeasurementPoint(models.Model):
    """A nominal value (测量点) at which every participant reports a result."""

    round = models.ForeignKey(
        ComparisonRound, on_delete=models.CASCADE, related_name="points", verbose_name=_("比对")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    label = models.CharField(_("测量点"), max_length=60)
    nominal = models.FloatField(_("标称值"), null=True, blank=True)
    sigma_pt = models.FloatField(
        _("能力评定标准差 σpt"), null=True, blank=True, help_text=_("给出时另计算 z（或 z′）值。")
    )

    class Meta:
        verbose_name = _("测量点")
        verbose_name_plural = pgettext_lazy("plural", "测量点")
        ordering = ["round", "order"]
        constraints = [models.UniqueConstraint(fields=["round", "order"], name="cmp_point_unique_order")]

    def __str__(self) -> str:
        return self.label


class Participant(models.Model):
    """An institution taking part, with its planned slot in the circulation schedule (传递路线)."""

    round = models.ForeignKey(
        ComparisonRound, on_delete=models.CASCADE, related_name="participants", verbose_name=_("比对")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="comparison_participations",
        verbose_name=_("机构"),
    )
    lab_code = models.CharField(_("实验室代码"), max_length=16, help_text=_("报告中使用的代号。"))
    planned_from = models.DateField(_("计划接收日期"), null=True, blank=True)
    planned_to = models.DateField(_("计划送出日期"), null=True, blank=True)
    included = models.BooleanField(
        _("参与参考值计算"), default=True, help_text=_("由主导实验室在评价前决定。")
    )

    class Meta:
        verbose_name = _("参比实验室")
        verbose_name_plural = pgettext_lazy("plural", "参比实验室")
        ordering = ["round", "planned_from", "lab_code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "institution"], name="cmp_participant_unique"),
            models.UniqueConstraint(fields=["round", "lab_code"], name="cmp_labcode_unique"),
            ordered("planned_from", "planned_to", strict=False, name="cmp_schedule_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.lab_code} {self.institution}"

    @property
    def is_pilot(self) -> bool:
        return self.institution_id == self.round.pilot_id


class Submission(Timestamped):
    """One participant's result at one point: value x, expanded uncertainty U and coverage factor k."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("参比实验室")
    )
    point = models.ForeignKey(
        MeasurementPoint, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("测量点")
    )
    x = models.FloatField(_("测量结果 x"))
    U = models.FloatField(_("扩展不确定度 U"), validators=[MinValueValidator(0.0)])
    k = models.FloatField(_("包含因子 k"), default=2.0)
    measured_on = models.DateField(_("测量日期"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("提交人")
    )

    class Meta:
        verbose_name = _("比对结果")
        verbose_name_plural = pgettext_lazy("plural", "比对结果")
        ordering = ["point", "participant"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "point"], name="cmp_submission_unique"),
            models.CheckConstraint(condition=Q(U__gt=0), name="cmp_submission_U_pos"),
            models.CheckConstraint(condition=Q(k__gt=0), name="cmp_submission_k_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.participant.lab_code} {self.point}: {self.x} ± {self.U} (k={self.k})"

    @property
    def u(self) -> float:
        """Standard uncertainty U/k."""
        return self.U / self.k

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.U is not None and self.U <= 0:
            errors["U"] = _("扩展不确定度必须大于 0。")
        if self.k is not None and self.k <= 0:
            errors["k"] = _("包含因子必须大于 0。")
        errors = plausible.result_errors(self.x, self.U, self.k, self.measured_on) | errors
        if errors:
            raise ValidationError(errors)


class PilotCheck(models.Model):
    """The pilot's measurement of the transfer standard on a date, for the drift line (JJF 1117 ring/star)."""

    point = models.ForeignKey(
        MeasurementPoint, on_delete=models.CASCADE, related_name="pilot_checks", verbose_name=_("测量点")
    )
    measured_on = models.DateField(_("测量日期"))
    x = models.FloatField(_("测量结果 x"))
    U = models.FloatField(_("扩展不确定度 U"))
    k = models.FloatField(_("包含因子 k"), default=2.0)

    class Meta:
        verbose_name = _("主导实验室核查测量")
        verbose_name_plural = pgettext_lazy("plural", "主导实验室核查测量")
        ordering = ["point", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["point", "measured_on"], name="cmp_pilotcheck_unique"),
            models.CheckConstraint(condition=Q(U__gt=0) & Q(k__gt=0), name="cmp_pilotcheck_U_k_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.measured_on}: {self.x}"

    def clean(self) -> None:
        errors = plausible.result_errors(self.x, self.U, self.k, self.measured_on)
        if errors:
            raise ValidationError(errors)

    @property
    def u(self) -> float:
        return self.U / self.k
