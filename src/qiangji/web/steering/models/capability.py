"""The mandatory-verification duty list (强检职责清单) per division, and the city's 差异化 plan.

The duty list names, per division and year, the catalogue items under mandatory verification that the
division's legal institution must cover, with the local population of instruments in use (imported from
the bureau's list, :mod:`qiangji.web.steering.duties`). The plan (差异化、专业化协同发展总体规划) gives each
institution its 民生 base set and its specialities, and per-institution targets of index indicators.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models import Division, Institution, MVCatalogueItem
from qiangji.web.registry.models.base import Timestamped


class DutyListItem(Timestamped):
    """One catalogue item on a division's duty list of a year, with the local instrument population."""

    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="duty_items", verbose_name=_("行政区划")
    )
    year = models.PositiveSmallIntegerField(_("清单年度"), validators=[MinValueValidator(2000)])
    item = models.ForeignKey(
        MVCatalogueItem, on_delete=models.PROTECT, related_name="duties", verbose_name=_("目录项")
    )
    population = models.PositiveIntegerField(_("在用器具数量（台件）"))
    source_document = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("强检职责清单项")
        verbose_name_plural = pgettext_lazy("plural", "强检职责清单")
        ordering = ["division", "-year", "item"]
        constraints = [
            models.UniqueConstraint(fields=["division", "year", "item"], name="duty_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.division.name} {self.year} {self.item}"


class CapabilityPlanQuerySet(models.QuerySet["CapabilityPlan"]):
    def in_force_on(self, day: dt.date) -> CapabilityPlan | None:
        """The adopted plan in force on ``day``: the latest adopted on or before it."""
        return self.filter(adopted_on__isnull=False, adopted_on__lte=day).order_by("-adopted_on").first()


class CapabilityPlan(Timestamped):
    """The 差异化、专业化协同发展总体规划: one version per adoption; a draft has no adoption date."""

    name = models.CharField(_("名称"), max_length=200)
    version = models.CharField(_("版本"), max_length=20, unique=True)
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True, help_text=_("空表示草案。"))
    target_on = models.DateField(_("目标日期"), help_text=_("规划目标值应达到的日期。"))
    source_document = models.CharField(_("依据文件"), max_length=200, blank=True)

    objects = CapabilityPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("差异化发展规划")
        verbose_name_plural = pgettext_lazy("plural", "差异化发展规划")
        ordering = ["-adopted_on", "version"]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class PlanAssignment(Timestamped):
    """An institution's role in the plan: its 民生 base set of items and its specialities."""

    plan = models.ForeignKey(
        CapabilityPlan, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("规划")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="plan_roles", verbose_name=_("机构")
    )
    positioning = models.CharField(_("功能定位"), max_length=200)
    base_items = models.ManyToManyField(
        MVCatalogueItem, related_name="+", blank=True, verbose_name=_("民生计量基本项目")
    )
    speciality_items = models.ManyToManyField(
        MVCatalogueItem, related_name="+", blank=True, verbose_name=_("特色专业项目")
    )
    speciality_clusters = models.JSONField(
        _("服务的块状产业"), default=list, blank=True, help_text=_("与产业计量服务的“块状产业”标签一致。")
    )

    class Meta:
        verbose_name = _("机构定位")
        verbose_name_plural = pgettext_lazy("plural", "机构定位")
        ordering = ["plan", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "institution"], name="plan_unique_institution"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.name}：{self.positioning}"

    def clean(self) -> None:
        tags = self.speciality_clusters
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise ValidationError({"speciality_clusters": _('须为块状产业名称的列表，如 ["泵与电机"]。')})


@cache
def indicator_codes() -> frozenset[str]:
    """The indicator codes of the shipped framework (what a plan target may name)."""
    from qiangji.web.assessment.frameworks import framework_text
    from qiangji.web.assessment.models import compile_source

    return frozenset(compile_source(framework_text()).indicators)


class PlanTarget(Timestamped):
    """The plan's target of one index indicator for one institution (its own goalpost)."""

    assignment = models.ForeignKey(
        PlanAssignment, on_delete=models.CASCADE, related_name="targets", verbose_name=_("机构定位")
    )
    indicator = models.CharField(_("指标代码"), max_length=10)
    value = models.FloatField(_("目标值"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("规划目标值")
        verbose_name_plural = pgettext_lazy("plural", "规划目标值")
        ordering = ["assignment", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="plantarget_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} = {self.value:g}"

    def clean(self) -> None:
        if self.indicator not in indicator_codes():
            raise ValidationError(
                {
                    "indicator": _("未知的指标代码 %(c)s：须为指标体系中的三级指标代码，如 D1.2。")
                    % {"c": self.indicator}
                }
            )
        if self.value is not None and not self.value > 0:
            # a target is the amount the institution is expected to reach: the index divides by it
            raise ValidationError({"value": _("目标值须大于 0，实为 %(v)s。") % {"v": self.value}})
