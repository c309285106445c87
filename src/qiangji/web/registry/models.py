from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """A county-level division (区/县级市/县) of the city."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        CITY = "county_city", _("县级市")
        COUNTY = "county", _("县")

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    """A legal metrology verification institution (法定计量检定机构)."""

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    divisions = models.ManyToManyField(Division, verbose_name=_("服务区划"), blank=True)

    class Meta:
        verbose_name = _("计量技术机构")
        verbose_name_plural = _("计量技术机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
