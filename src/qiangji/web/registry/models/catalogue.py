"""The mandatory-verification catalogue (reference data from a CSV) and institutions' authorised items."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, ordered, within
from qiangji.web.registry.models.institution import Institution


class MVCatalogueItemQuerySet(models.QuerySet["MVCatalogueItem"]):
    def current(self) -> MVCatalogueItemQuerySet:
        """Rows of the catalogue version in use (``settings.QIANGJI["CATALOGUE_VERSION"]``)."""
        return self.filter(catalogue_version=settings.QIANGJI["CATALOGUE_VERSION"])

    def mandatory(self) -> MVCatalogueItemQuerySet:
        """Entries under mandatory verification (supervision mode V or P+V)."""
        return self.filter(supervision_mode__in=["V", "P+V"])


class MVCatalogueItem(Timestamped):
    """A second-level entry of 《实施强制管理的计量器具目录》 (domain §2.3), one row per catalogue version."""

    class SupervisionMode(models.TextChoices):
        P = "P", _("型式批准")
        V = "V", _("强制检定")
        PV = "P+V", _("型式批准+强制检定")

    class MVForm(models.TextChoices):
        NONE = "", _("不适用")
        FIRST_ONLY_SCRAP = "first_only_scrap", _("只做首次强制检定，失准报废")
        FIRST_ONLY_ROTATE = "first_only_rotate", _("只做首次强制检定，限期使用、到期轮换")
        PERIODIC = "periodic", _("周期检定")

    class Evidence(models.TextChoices):
        CONFIRMED = "confirmed", _("已核实")
        EXPECTED = "expected", _("待核实")

    catalogue_version = models.CharField(_("目录版本"), max_length=20)
    level1_no = models.PositiveSmallIntegerField(_("一级序号"))
    level1_name = models.CharField(_("一级目录名称"), max_length=100)
    level2_no = models.PositiveSmallIntegerField(_("二级序号"))
    level2_name = models.CharField(_("二级目录名称"), max_length=100)
    supervision_mode = models.CharField(_("监管方式"), max_length=3, choices=SupervisionMode.choices)
    mv_form = models.CharField(_("强制检定形式"), max_length=20, choices=MVForm.choices, blank=True)
    scope_note = models.CharField(_("适用范围"), max_length=200, blank=True)
    evidence = models.CharField(_("核实状态"), max_length=10, choices=Evidence.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = MVCatalogueItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("强制管理计量器具目录项")
        verbose_name_plural = _("强制管理计量器具目录")
        ordering = ["catalogue_version", "level1_no", "level2_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue_version", "level1_no", "level2_no"], name="mvcat_unique_no"
            ),
        ]

    def __str__(self) -> str:
        if self.level2_name and self.level2_name != self.level1_name:
            return f"{self.level1_name} / {self.level2_name}"
        return self.level1_name

    @property
    def is_mandatory_verification(self) -> bool:
        return self.supervision_mode in (self.SupervisionMode.V, self.SupervisionMode.PV)

    def clean(self) -> None:
        if self.supervision_mode == self.SupervisionMode.P and self.mv_form:
            raise ValidationError({"mv_form": _("监管方式为型式批准（P）的目录项没有强制检定形式。")})
        if self.is_mandatory_verification and not self.mv_form:
            raise ValidationError({"mv_form": _("强制检定目录项必须填写强制检定形式。")})


class InstitutionMVItemQuerySet(models.QuerySet["InstitutionMVItem"]):
    def authorised_on(self, day: dt.date) -> InstitutionMVItemQuerySet:
        """Authorisations in effect on ``day``: ``authorised_from <= day <= authorised_to`` (inclusive)."""
        return self.filter(within(day, "authorised_from", "authorised_to"))


class InstitutionMVItem(Timestamped):
    """A mandatory-verification item an institution is authorised for (计量授权证书附表)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="mv_items", verbose_name=_("机构")
    )
    item = models.ForeignKey(
        MVCatalogueItem, on_delete=models.PROTECT, related_name="authorisations", verbose_name=_("目录项")
    )
    authorised_from = models.DateField(_("授权起始日期"))
    authorised_to = models.DateField(_("授权截止日期"), null=True, blank=True, help_text=_("含当日。"))
    annual_volume = models.PositiveIntegerField(_("年检定量（台件）"), null=True, blank=True)
    authorisation_doc = models.CharField(_("授权文件"), max_length=200, blank=True)

    objects = InstitutionMVItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权强检项目")
        verbose_name_plural = pgettext_lazy("plural", "授权强检项目")
        ordering = ["institution", "item"]
        # TR-8 (registry/audit.py): an authorisation covering a day, from the index alone.
        indexes = [
            models.Index(
                fields=["institution", "item", "authorised_from", "authorised_to"], name="mvitem_valid"
            )
        ]
        constraints = [
            ordered("authorised_from", "authorised_to", strict=True, name="mvitem_to_after_from"),
            models.UniqueConstraint(
                fields=["institution", "item", "authorised_from"], name="mvitem_unique_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code}: {self.item}"

    def is_authorised_on(self, day: dt.date) -> bool:
        return self.authorised_from <= day and (self.authorised_to is None or day <= self.authorised_to)

    def clean(self) -> None:
        if self.authorised_to and self.authorised_from and self.authorised_to <= self.authorised_from:
            raise ValidationError({"authorised_to": _("授权截止日期必须晚于授权起始日期。")})
