"""Staff and their registered-metrologist registrations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, ordered, within
from qiangji.web.registry.models.institution import Institution


class StaffQuerySet(models.QuerySet["Staff"]):
    def employed_on(self, day: dt.date) -> StaffQuerySet:
        """Staff on the payroll on ``day``: ``hired_on <= day <= left_on`` (last day worked inclusive)."""
        return self.filter(within(day, "hired_on", "left_on"))

    def registered_on(self, day: dt.date) -> StaffQuerySet:
        """Staff holding a registration valid on ``day`` (see :meth:`RMRegistrationQuerySet.valid_on`)."""
        valid = RMRegistration.objects.valid_on(day).filter(staff=OuterRef("pk"))
        return self.filter(Exists(valid))


class Staff(Timestamped):
    """A member of staff of one institution. A move to another institution is a new row there."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("博士研究生")
        MASTER = "master", _("硕士研究生")
        BACHELOR = "bachelor", _("大学本科")
        COLLEGE = "college", _("大学专科")
        OTHER = "other", _("其他")

    class Title(models.TextChoices):
        NONE = "none", _("无")
        JUNIOR = "junior", _("初级")
        INTERMEDIATE = "intermediate", _("中级")
        ASSOCIATE_SENIOR = "associate_senior", _("副高级")
        SENIOR = "senior", _("正高级")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="staff", verbose_name=_("机构")
    )
    staff_no = models.CharField(_("工号"), max_length=30, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices, default=Title.NONE)
    is_technical = models.BooleanField(_("技术人员"), default=True)
    is_verification = models.BooleanField(_("检定/校准人员"), default=False)
    is_authorised_signatory = models.BooleanField(_("授权签字人"), default=False)
    hired_on = models.DateField(_("入职日期"))
    left_on = models.DateField(
        _("离职日期"), null=True, blank=True, help_text=_("最后在岗日期（当日仍计入）。")
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = pgettext_lazy("plural", "人员")
        ordering = ["institution", "name"]
        indexes = [models.Index(fields=["institution", "hired_on", "left_on"])]
        constraints = [
            ordered("hired_on", "left_on", strict=False, name="staff_left_after_hired"),
            models.CheckConstraint(
                condition=~Q(is_verification=True, is_technical=False), name="staff_verification_is_technical"
            ),
            models.UniqueConstraint(
                fields=["institution", "staff_no"], condition=~Q(staff_no=""), name="staff_unique_no"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.institution.code}）"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.left_on and self.hired_on and self.left_on < self.hired_on:
            errors["left_on"] = _("离职日期不能早于入职日期。")
        if self.is_verification and not self.is_technical:
            errors["is_verification"] = _("检定/校准人员必须同时是技术人员。")
        if self.birth_year and self.hired_on and not 14 <= self.hired_on.year - self.birth_year <= 80:
            errors["birth_year"] = _("出生年份与入职日期不符。")
        if errors:
            raise ValidationError(errors)

    def is_employed_on(self, day: dt.date) -> bool:
        return self.hired_on <= day and (self.left_on is None or day <= self.left_on)

    def registration_on(self, day: dt.date) -> RMRegistration | None:
        """The registration valid on ``day`` (the highest level, then the latest, if several overlap)."""
        valid = [r for r in self.registrations.all() if r.is_valid_on(day)]  # prefetch-friendly
        return min(valid, key=lambda r: (r.level, -r.valid_from.toordinal()), default=None)


class RMRegistrationQuerySet(models.QuerySet["RMRegistration"]):
    def valid_on(self, day: dt.date) -> RMRegistrationQuerySet:
        """Registrations valid on ``day``: ``valid_from <= day <= valid_to`` (both ends inclusive)."""
        return self.filter(valid_from__lte=day, valid_to__gte=day)

    def expiring_between(self, start: dt.date, end: dt.date) -> RMRegistrationQuerySet:
        """Registrations whose last valid day falls in ``[start, end]``."""
        return self.filter(valid_to__gte=start, valid_to__lte=end)


class RMRegistration(Timestamped):
    """A registered-metrologist registration (注册计量师注册证), domain §2.5. A renewal is a new row."""

    class Level(models.IntegerChoices):
        ONE = 1, _("一级")
        TWO = 2, _("二级")

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("人员")
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    qualification_cert_no = models.CharField(_("资格证书编号"), max_length=60)
    registration_no = models.CharField(_("注册证书编号"), max_length=60)
    valid_from = models.DateField(_("注册有效期起"))
    valid_to = models.DateField(_("注册有效期至"), help_text=_("含当日。"))
    professional_items = models.JSONField(
        _("注册专业项目"), default=list, blank=True, help_text=_("计量专业项目名称列表。")
    )
    authority = models.CharField(_("注册机关"), max_length=100, blank=True)

    objects = RMRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("注册计量师注册")
        verbose_name_plural = pgettext_lazy("plural", "注册计量师注册")
        ordering = ["staff", "-valid_from"]
        indexes = [
            models.Index(fields=["valid_from", "valid_to"]),
            # TR-3 (registry/audit.py): a verifier's registration on a day, highest level then latest,
            # read from the index alone in the order the rule takes it.
            models.Index(
                fields=["staff", "level", "-valid_from", "id", "valid_to"], name="rm_staff_level_valid"
            ),
        ]
        constraints = [
            ordered("valid_from", "valid_to", strict=True, name="rm_valid_to_after_from"),
            models.UniqueConstraint(fields=["registration_no", "valid_from"], name="rm_unique_no_from"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_level_display()} {self.registration_no}"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("注册有效期至必须晚于注册有效期起。")})
        items = self.professional_items
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ValidationError({"professional_items": _("注册专业项目必须是非空名称的列表。")})

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def covers_item(self, item: str) -> bool:
        """Whether ``item`` is among the registered professional items (exact name, spaces ignored)."""
        wanted = item.strip()
        return any(i.strip() == wanted for i in self.professional_items)
