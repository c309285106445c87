"""Named candidates the programme office steers: institutions aiming at grade A, and staff aiming at a
registered-metrologist registration (with the 考前辅导 sessions that prepare them)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.programme.models import TrainingSession
from qiangji.web.registry.models import Institution, Staff
from qiangji.web.registry.models.base import Timestamped


class AGradeCandidate(Timestamped):
    """An institution the city office steers toward grade A, with the date it plans to be ready by."""

    institution = models.OneToOneField(
        Institution, on_delete=models.PROTECT, related_name="a_grade_candidacy", verbose_name=_("机构")
    )
    named_on = models.DateField(_("确定为候选日期"))
    target_date = models.DateField(_("计划达标日期"))
    is_active = models.BooleanField(_("在培育"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("A级培育机构")
        verbose_name_plural = pgettext_lazy("plural", "A级培育机构")
        ordering = ["institution__code"]

    def __str__(self) -> str:
        return f"{self.institution.name}（A级培育）"

    def clean(self) -> None:
        if self.named_on and self.target_date and self.target_date <= self.named_on:
            raise ValidationError({"target_date": _("计划达标日期必须晚于确定为候选日期。")})


class RMCandidate(Timestamped):
    """A member of staff named to obtain a registered-metrologist registration by a planned date."""

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="rm_candidacies", verbose_name=_("人员")
    )
    level = models.PositiveSmallIntegerField(
        _("目标级别"), choices=[(1, _("一级")), (2, _("二级"))], default=2
    )
    target_date = models.DateField(_("计划注册日期"))
    named_on = models.DateField(_("列为候选日期"))
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("在培养"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    sessions = models.ManyToManyField(
        TrainingSession, blank=True, related_name="candidates", verbose_name=_("考前辅导场次")
    )

    class Meta:
        verbose_name = _("注册计量师候选人")
        verbose_name_plural = pgettext_lazy("plural", "注册计量师候选人")
        ordering = ["staff__institution__code", "staff__name"]
        constraints = [models.UniqueConstraint(fields=["staff", "level"], name="rmcandidate_unique")]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_level_display()}候选"

    def clean(self) -> None:
        if self.named_on and self.target_date and self.target_date < self.named_on:
            raise ValidationError({"target_date": _("计划注册日期不能早于列为候选日期。")})
