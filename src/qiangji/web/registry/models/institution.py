"""Divisions, institutions and their history: names, grades, mergers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, before_cutoff, ordered


class Division(Timestamped):
    """A county-level division (区/县级市/县) of the city."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        CITY = "county_city", _("县级市")
        COUNTY = "county", _("县")

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    block_industries = models.JSONField(
        _("块状产业"), default=list, blank=True, help_text=_("本区划的主要块状产业，如“水泵”“模具”。")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = pgettext_lazy("plural", "行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def active_on(self, day: dt.date) -> InstitutionQuerySet:
        """Institutions that exist on ``day`` (established on or before, not yet dissolved)."""
        return self.filter(
            Q(established_on__isnull=True) | Q(established_on__lte=day),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day),
        )

    def ranked(self) -> InstitutionQuerySet:
        """Institutions that take part in the ranking (the city reference institute does not)."""
        return self.filter(is_ranked=True)


@dataclass(frozen=True)
class Coverage:
    """A computed ratio: never typed in, always numerator / denominator."""

    numerator: int
    denominator: int
    registered: tuple[str, ...] = field(default=(), compare=False)  # names, in the roster's order

    @property
    def percent(self) -> Decimal | None:
        """Percentage rounded to 0.1, or ``None`` when the denominator is zero."""
        if self.denominator == 0:
            return None
        return (Decimal(100 * self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class StaffCounts:
    """Headcounts of an institution on a date, derived from the staff roster and registrations.

    By construction ``level1 <= registered <= verification <= technical <= total``.
    """

    total: int
    technical: int
    verification: int
    registered: int
    level1: int


class Institution(Timestamped):
    """A legal metrology verification institution (法定计量检定机构).

    ``name`` is the current name; earlier names live in :class:`InstitutionName` and :meth:`name_on`
    answers "what was it called on D". ``dissolved_on`` is the first day on which it no longer exists
    (e.g. the day of a merger into a successor, see :class:`InstitutionSuccession`).
    """

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    class LegalType(models.TextChoices):
        ESTABLISHED = "established", _("依法设置")
        AUTHORISED = "authorised", _("依法授权")

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    legal_type = models.CharField(
        _("法定类型"), max_length=16, choices=LegalType.choices, default=LegalType.ESTABLISHED
    )
    divisions = models.ManyToManyField(Division, verbose_name=_("服务区划"), blank=True)
    is_ranked = models.BooleanField(
        _("参与排名"), default=True, help_text=_("市级机构新建时默认不参与排名（作为参照）。")
    )
    authorisation_cert_no = models.CharField(_("计量授权证书号"), max_length=60, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(
        _("撤销/并入日期"), null=True, blank=True, help_text=_("自该日起机构不再存在（当日不计）。")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("计量技术机构")
        verbose_name_plural = pgettext_lazy("plural", "计量技术机构")
        ordering = ["code"]
        constraints = [
            ordered("established_on", "dissolved_on", strict=True, name="inst_dissolved_after_est")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.level == self.Level.CITY:
            self.is_ranked = False  # the city institute is the reference, not a contestant
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.established_on and self.dissolved_on and self.dissolved_on <= self.established_on:
            raise ValidationError({"dissolved_on": _("撤销/并入日期必须晚于成立日期。")})

    # --- as-of questions -------------------------------------------------------------------------
    def name_on(self, day: dt.date) -> str:
        """The name in use on ``day`` (the current name when no history row covers it)."""
        row = (
            self.names.filter(before_cutoff(day, "valid_from", "valid_until")).order_by("-valid_from").first()
        )
        return row.name if row else self.name

    def grade_on(self, day: dt.date) -> InstitutionGrade | None:
        """The grade decision in effect on ``day``: the latest one whose effective date is on or before it."""
        return self.grades.filter(effective_from__lte=day).order_by("-effective_from").first()

    def staff_on(self, day: dt.date) -> Any:
        return self.staff.employed_on(day)

    def verification_staff_on(self, day: dt.date) -> Any:
        return self.staff.employed_on(day).filter(is_verification=True)

    def registered_metrologists_on(self, day: dt.date) -> Any:
        """Staff employed on ``day`` who hold a registration valid on ``day`` (any level)."""
        return self.staff.employed_on(day).registered_on(day)

    def staff_counts_on(self, day: dt.date) -> StaffCounts:
        """Total, technical, verification, registered-verification and level-1 counts on ``day``."""
        staff = self.staff.employed_on(day)
        verification = staff.filter(is_verification=True)
        registered = verification.registered_on(day)
        return StaffCounts(
            total=staff.count(),
            technical=staff.filter(is_technical=True).count(),
            verification=verification.count(),
            registered=registered.count(),
            level1=registered.filter(
                registrations__level=1, registrations__valid_from__lte=day, registrations__valid_to__gte=day
            )
            .distinct()
            .count(),
        )

    def rm_coverage_on(self, day: dt.date, denominator: str | None = None) -> Coverage:
        """Registered-metrologist coverage (domain §2.5), computed, never typed: :func:`rm_coverage` of
        the staff employed on ``day``."""
        staff = self.staff.employed_on(day).prefetch_related("registrations")
        return rm_coverage(staff, day, denominator)


COVERAGE_GROUPS = ("verification", "technical", "all")


def coverage_group(denominator: str | None) -> str:
    """``denominator``, or ``settings.QIANGJI["RM_COVERAGE_DENOMINATOR"]`` when not given, checked."""
    kind = denominator or settings.QIANGJI.get("RM_COVERAGE_DENOMINATOR", "verification")
    if kind not in COVERAGE_GROUPS:
        raise ValueError(f"denominator must be 'verification', 'technical' or 'all', got {kind!r}")
    return str(kind)


def rm_coverage(staff: Iterable[Any], day: dt.date, denominator: str | None = None) -> Coverage:
    """Registered-metrologist coverage on ``day`` among ``staff`` (their registrations prefetched): the
    one implementation, for one institution, a batch (the indicator D3.1) or rows loaded once (the goals'
    trajectories).

    ``denominator`` is ``"verification"`` (verification/calibration staff), ``"technical"`` or ``"all"``;
    the default comes from ``settings.QIANGJI["RM_COVERAGE_DENOMINATOR"]``. The denominator counts the
    group's staff employed on ``day``; the numerator those of them holding a registration valid on ``day``,
    so numerator ≤ denominator.
    """
    kind = coverage_group(denominator)
    group = [s for s in staff if s.is_employed_on(day) and _in_group(s, kind)]
    registered = [s.name for s in group if any(r.is_valid_on(day) for r in s.registrations.all())]
    return Coverage(len(registered), len(group), tuple(registered))


def _in_group(person: Any, kind: str) -> bool:
    if kind == "verification":
        return bool(person.is_verification)
    return bool(person.is_technical) if kind == "technical" else True


class InstitutionName(Timestamped):
    """An earlier (or later) name of an institution, with the period it was used ([from, until) )."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="names", verbose_name=_("机构")
    )
    name = models.CharField(_("名称"), max_length=100)
    valid_from = models.DateField(_("启用日期"))
    valid_until = models.DateField(_("停用日期"), null=True, blank=True, help_text=_("自该日起不再使用。"))
    source_document = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("机构名称沿革")
        verbose_name_plural = pgettext_lazy("plural", "机构名称沿革")
        ordering = ["institution", "valid_from"]
        constraints = [
            ordered("valid_from", "valid_until", strict=True, name="instname_until_after_from"),
            models.UniqueConstraint(fields=["institution", "valid_from"], name="instname_unique_from"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_from}起）"

    def clean(self) -> None:
        if self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("停用日期必须晚于启用日期。")})


class InstitutionGrade(Timestamped):
    """A grading decision (A/B/C/unrated) with its effective date and source document (domain §2.8)."""

    class Grade(models.TextChoices):
        A = "A", _("A级")
        B = "B", _("B级")
        C = "C", _("C级")
        UNRATED = "unrated", _("未评级")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="grades", verbose_name=_("机构")
    )
    grade = models.CharField(_("等级"), max_length=8, choices=Grade.choices)
    effective_from = models.DateField(_("生效日期"))
    source_document = models.CharField(_("依据文件"), max_length=200)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("机构等级")
        verbose_name_plural = pgettext_lazy("plural", "机构等级")
        ordering = ["institution", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "effective_from"], name="grade_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_grade_display()}（{self.effective_from}起）"


class InstitutionSuccession(Timestamped):
    """A merger, split or take-over: ``predecessor`` continues as (part of) ``successor`` from a date."""

    class Kind(models.TextChoices):
        MERGER = "merger", _("合并")
        SPLIT = "split", _("分立")
        TAKEOVER = "takeover", _("职能划转")

    predecessor = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="successions", verbose_name=_("原机构")
    )
    successor = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="predecessions", verbose_name=_("承继机构")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.MERGER)
    effective_on = models.DateField(_("生效日期"))
    source_document = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("机构合并/承继")
        verbose_name_plural = pgettext_lazy("plural", "机构合并/承继")
        ordering = ["effective_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_distinct"
            ),
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}（{self.effective_on}）"

    def clean(self) -> None:
        if self.predecessor_id and self.predecessor_id == self.successor_id:
            raise ValidationError({"successor": _("承继机构不能与原机构相同。")})
