"""Industrial service records (D4) and supervision findings (D6 / C1.2)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web import plausible
from qiangji.web.registry.models.base import Timestamped, ordered
from qiangji.web.registry.models.institution import Institution


class IndustryService(Timestamped):
    """Calibration/testing service to one enterprise in one quarter (aggregated per service type)."""

    class ServiceType(models.TextChoices):
        CALIBRATION = "calibration", _("校准")
        TESTING = "testing", _("检测")
        VERIFICATION = "verification", _("检定")
        CONSULTING = "consulting", _("技术咨询")
        TRAINING = "training", _("技术培训")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="industry_services", verbose_name=_("机构")
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    enterprise = models.CharField(_("企业名称"), max_length=200)
    cluster_tag = models.CharField(_("块状产业"), max_length=50, blank=True)
    service_type = models.CharField(_("服务类型"), max_length=16, choices=ServiceType.choices)
    certificates = models.PositiveIntegerField(_("证书报告数（份）"), default=0)
    revenue_cny = models.DecimalField(_("收入（元）"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("产业计量服务")
        verbose_name_plural = pgettext_lazy("plural", "产业计量服务")
        ordering = ["institution", "-year", "-quarter", "enterprise"]
        indexes = [models.Index(fields=["institution", "year", "quarter"])]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="svc_quarter_1_4"),
            models.CheckConstraint(condition=Q(revenue_cny__gte=0), name="svc_revenue_nonneg"),
            models.UniqueConstraint(
                fields=["institution", "year", "quarter", "enterprise", "service_type"], name="svc_unique_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}Q{self.quarter}"

    def clean(self) -> None:
        if self.revenue_cny is not None and self.revenue_cny < 0:
            raise ValidationError({"revenue_cny": _("收入不能为负数。")})


class SupervisionFindingQuerySet(models.QuerySet["SupervisionFinding"]):
    def open_on(self, day: dt.date) -> SupervisionFindingQuerySet:
        """Findings open at the end of ``day``: found on or before it, not closed on or before it."""
        return self.filter(Q(found_on__lte=day), Q(closed_on__isnull=True) | Q(closed_on__gt=day))

    def overdue_on(self, day: dt.date) -> SupervisionFindingQuerySet:
        """Open on ``day`` although the due date has passed (due date itself is still in time)."""
        return self.open_on(day).filter(due_on__lt=day)

    def due_between(self, start: dt.date, end: dt.date) -> SupervisionFindingQuerySet:
        return self.filter(due_on__gte=start, due_on__lte=end)


class SupervisionFinding(Timestamped):
    """A nonconformity found by internal audit or city supervision, with its rectification dates."""

    class SubDimension(models.TextChoices):
        C1 = "C1", _("C1 管理体系运行有效性")
        C2 = "C2", _("C2 能力建设覆盖性")
        C3 = "C3", _("C3 检测行为规范性")
        C4 = "C4", _("C4 证书数据可追溯性")

    class Rule(models.TextChoices):
        NONE = "", _("无")
        TR1 = "TR-1", _("TR-1 计量标准考核证书有效")
        TR2 = "TR-2", _("TR-2 标准器溯源证书有效")
        TR3 = "TR-3", _("TR-3 签字人员资质")
        TR4 = "TR-4", _("TR-4 规程现行有效")
        TR5 = "TR-5", _("TR-5 环境条件")
        TR6 = "TR-6", _("TR-6 有效期不超过检定周期")
        TR7 = "TR-7", _("TR-7 记录与证书编号")
        TR8 = "TR-8", _("TR-8 授权范围")

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        MAJOR = "major", _("严重")
        CRITICAL = "critical", _("重大")

    class Source(models.TextChoices):
        SUPERVISION = "supervision", _("市级督导")
        INTERNAL_AUDIT = "internal_audit", _("内部审核")
        OTHER = "other", _("其他")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="findings", verbose_name=_("机构")
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.SUPERVISION)
    found_on = models.DateField(_("发现日期"))
    sub_dimension = models.CharField(_("子维度"), max_length=2, choices=SubDimension.choices)
    rule = models.CharField(_("规则"), max_length=4, choices=Rule.choices, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("问题描述"))
    due_on = models.DateField(_("整改期限"))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)

    objects = SupervisionFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导发现问题")
        verbose_name_plural = pgettext_lazy("plural", "督导发现问题")
        ordering = ["institution", "-found_on"]
        indexes = [models.Index(fields=["institution", "found_on", "closed_on"])]
        constraints = [
            ordered("found_on", "due_on", strict=False, name="finding_due_after_found"),
            ordered("found_on", "closed_on", strict=False, name="finding_closed_after_found"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} {self.found_on} {self.get_sub_dimension_display()}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.found_on and self.due_on and self.due_on < self.found_on:
            errors["due_on"] = _("整改期限不能早于发现日期。")
        if self.found_on and self.closed_on and self.closed_on < self.found_on:
            errors["closed_on"] = _("关闭日期不能早于发现日期。")
        for name in ("due_on", "closed_on"):  # a due date of 9999-12-31 reached the public scorecard
            problem = plausible.date_error(getattr(self, name))
            if problem and name not in errors:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def closed_in_time(self) -> bool | None:
        """``True``/``False`` once closed (closed on the due date counts as in time); ``None`` while open."""
        if self.closed_on is None:
            return None
        return self.closed_on <= self.due_on
