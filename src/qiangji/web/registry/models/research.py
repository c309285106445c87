"""Research projects, key labs / innovation platforms and research outputs (dimension D5)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, before_cutoff, ordered
from qiangji.web.registry.models.institution import Institution


class FundingLevel(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    PROVINCIAL = "provincial", _("省级")
    NATIONAL = "national", _("国家级")
    OTHER = "other", _("其他")


class ResearchProject(Timestamped):
    """An approved research project (科研项目立项)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="research_projects", verbose_name=_("机构")
    )
    title = models.CharField(_("项目名称"), max_length=300)
    funding_level = models.CharField(_("立项级别"), max_length=12, choices=FundingLevel.choices)
    funder = models.CharField(_("立项部门"), max_length=200, blank=True)
    approved_on = models.DateField(_("立项日期"))
    finished_on = models.DateField(_("结题日期"), null=True, blank=True)
    amount_cny = models.DecimalField(_("经费（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    approval_doc = models.CharField(_("立项文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("科研项目")
        verbose_name_plural = pgettext_lazy("plural", "科研项目")
        ordering = ["institution", "-approved_on"]
        constraints = [
            ordered("approved_on", "finished_on", strict=False, name="proj_finished_after_approved")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.finished_on and self.approved_on and self.finished_on < self.approved_on:
            raise ValidationError({"finished_on": _("结题日期不能早于立项日期。")})
        if self.amount_cny is not None and self.amount_cny < 0:
            raise ValidationError({"amount_cny": _("经费不能为负数。")})


class LabPlatformQuerySet(models.QuerySet["LabPlatform"]):
    def active_on(self, day: dt.date) -> LabPlatformQuerySet:
        """Platforms recognised on ``day``: ``approved_on <= day < revoked_on`` (revocation exclusive)."""
        return self.filter(before_cutoff(day, "approved_on", "revoked_on"))


class LabPlatform(Timestamped):
    """A key laboratory or innovation platform. An institution without one has level 0 (none)."""

    class Level(models.IntegerChoices):
        MUNICIPAL = 1, _("市级")
        PROVINCIAL = 2, _("省级")
        NATIONAL = 3, _("国家级")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="platforms", verbose_name=_("机构")
    )
    name = models.CharField(_("平台名称"), max_length=300)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    approved_on = models.DateField(_("认定日期"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True, help_text=_("自该日起不再有效。"))
    approval_doc = models.CharField(_("认定文件"), max_length=200, blank=True)

    objects = LabPlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点实验室/平台")
        verbose_name_plural = pgettext_lazy("plural", "重点实验室/平台")
        ordering = ["institution", "-level"]
        constraints = [
            ordered("approved_on", "revoked_on", strict=True, name="lab_revoked_after_approved"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="lab_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

    def clean(self) -> None:
        if self.revoked_on and self.approved_on and self.revoked_on <= self.approved_on:
            raise ValidationError({"revoked_on": _("撤销日期必须晚于认定日期。")})

    @staticmethod
    def highest_level_on(institution: Institution, day: dt.date) -> int:
        """Ordinal 0–3 (none/municipal/provincial/national) of the best platform active on ``day``."""
        levels = LabPlatform.objects.active_on(day).filter(institution=institution)
        return max(levels.values_list("level", flat=True), default=0)


class ResearchOutput(Timestamped):
    """A paper, patent, drafted specification/regulation or other research output."""

    class Kind(models.TextChoices):
        PAPER = "paper", _("论文")
        PATENT = "patent", _("专利")
        SPECIFICATION = "specification", _("起草规程/规范")
        STANDARD = "standard", _("起草标准")
        SOFTWARE = "software", _("软件著作权")
        OTHER = "other", _("其他")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="research_outputs", verbose_name=_("机构")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=300)
    published_on = models.DateField(_("发表/授权日期"))
    reference = models.CharField(_("刊物/专利号/标准号"), max_length=200, blank=True)
    project = models.ForeignKey(
        ResearchProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outputs",
        verbose_name=_("所属项目"),
    )

    class Meta:
        verbose_name = _("科研成果")
        verbose_name_plural = pgettext_lazy("plural", "科研成果")
        ordering = ["institution", "-published_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.project_id and self.institution_id and self.project.institution_id != self.institution_id:
            raise ValidationError({"project": _("所属项目必须属于同一机构。")})
