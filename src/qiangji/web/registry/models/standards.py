"""Regulations (JJG/JJF), measurement standards, their instruments and the instruments' certificates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, before_cutoff, ordered
from qiangji.web.registry.models.institution import Institution
from qiangji.web.registry.models.staff import Staff

REGULATION_CODE = re.compile(r"^(JJG|JJF)\s*(\d+(?:\.\d+)?)\s*[-‐‑–—－]\s*(\d{4})$", re.IGNORECASE)


def parse_regulation_code(code: str) -> tuple[str, str, int]:
    """Split "JJG 162-2019" into ("JJG", "162", 2019); raises ``ValueError`` on anything else."""
    match = REGULATION_CODE.match(code.strip())
    if not match:
        raise ValueError(f"code must look like 'JJG 162-2019', got {code!r}")
    return match.group(1).upper(), match.group(2), int(match.group(3))


class RegulationQuerySet(models.QuerySet["Regulation"]):
    def in_force_on(self, day: dt.date) -> RegulationQuerySet:
        """Editions in force on ``day``: ``effective_from <= day < superseded_on``."""
        return self.filter(before_cutoff(day, "effective_from", "superseded_on"))

    def edition_in_force(self, base: str, day: dt.date) -> Regulation | None:
        """The edition of ``base`` (e.g. "JJG 162") in force on ``day``, or ``None``."""
        kind, number = _split_base(base)
        return self.in_force_on(day).filter(kind=kind, number=number).order_by("-year").first()


def _split_base(base: str) -> tuple[str, str]:
    match = re.match(r"^(JJG|JJF)\s*(\d+(?:\.\d+)?)$", base.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"base must look like 'JJG 162', got {base!r}")
    return match.group(1).upper(), match.group(2)


class Regulation(Timestamped):
    """A verification regulation (JJG) or calibration/technical specification (JJF), one row per edition.

    ``code`` is normalised to "JJG 162-2019" on save and split into ``kind``, ``number``, ``year`` so that
    "the edition of JJG 162 in force on D" is a query, not string matching.
    """

    class Kind(models.TextChoices):
        JJG = "JJG", _("检定规程")
        JJF = "JJF", _("校准/技术规范")

    code = models.CharField(_("编号"), max_length=30, unique=True, help_text=_("如 JJG 162-2019。"))
    kind = models.CharField(_("类别"), max_length=3, choices=Kind.choices, editable=False)
    number = models.CharField(_("顺序号"), max_length=12, editable=False)
    year = models.PositiveSmallIntegerField(_("年号"), editable=False)
    title = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("实施日期"))
    superseded_on = models.DateField(_("废止日期"), null=True, blank=True, help_text=_("自该日起不再现行。"))
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("被替代为"),
    )
    max_interval_months = models.PositiveSmallIntegerField(_("最长检定周期（月）"), null=True, blank=True)
    temperature_min_c = models.DecimalField(
        _("温度下限（℃）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    temperature_max_c = models.DecimalField(
        _("温度上限（℃）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    humidity_max_pct = models.DecimalField(
        _("相对湿度上限（%）"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    objects = RegulationQuerySet.as_manager()

    class Meta:
        verbose_name = _("检定规程/校准规范")
        verbose_name_plural = pgettext_lazy("plural", "检定规程/校准规范")
        ordering = ["kind", "number", "-year"]
        indexes = [models.Index(fields=["kind", "number", "effective_from"])]
        constraints = [
            ordered("effective_from", "superseded_on", strict=True, name="reg_superseded_after_effective"),
            models.UniqueConstraint(fields=["kind", "number", "year"], name="reg_unique_edition"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def base(self) -> str:
        return f"{self.kind} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.kind, self.number, self.year = parse_regulation_code(self.code)
        self.code = f"{self.kind} {self.number}-{self.year}"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, object] = {}
        try:
            parse_regulation_code(self.code or "")
        except ValueError:
            errors["code"] = _("编号格式应为“JJG 162-2019”或“JJF 1033-2023”。")
        if self.superseded_on and self.effective_from and self.superseded_on <= self.effective_from:
            errors["superseded_on"] = _("废止日期必须晚于实施日期。")
        if (
            self.temperature_min_c is not None
            and self.temperature_max_c is not None
            and self.temperature_max_c <= self.temperature_min_c
        ):
            errors["temperature_max_c"] = _("温度上限必须高于温度下限。")
        if errors:
            raise ValidationError(errors)

    def is_in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.superseded_on is None or day < self.superseded_on)


jjf1022_code_validator = RegexValidator(
    r"^\d{8}$", _("计量标准代码必须是8位数字（JJF 1022）。"), code="jjf1022"
)


class MeasurementStandardQuerySet(models.QuerySet["MeasurementStandard"]):
    def in_use_on(self, day: dt.date) -> MeasurementStandardQuerySet:
        """Standards in use on ``day``: status in use, or sealed/withdrawn only from ``status_since`` on."""
        in_use = MeasurementStandard.Status.IN_USE
        return self.filter(Q(status=in_use) | Q(status_since__isnull=False, status_since__gt=day))

    def valid_on(self, day: dt.date) -> MeasurementStandardQuerySet:
        """In use on ``day`` with an assessment certificate covering it (issue and expiry both inclusive).

        The certificate may be the current one or an earlier one kept in :class:`PreviousAssessment`, so a
        standard renewed after re-examination still counts as valid on dates its old certificate covered.
        """
        earlier = PreviousAssessment.objects.filter(
            standard=OuterRef("pk"), issued_on__lte=day, expires_on__gte=day
        )
        current = Q(assessment_issued_on__lte=day, assessment_expires_on__gte=day)
        return self.in_use_on(day).filter(current | Exists(earlier))

    def public_valid_on(self, day: dt.date) -> MeasurementStandardQuerySet:
        """Public social standards valid on ``day`` (indicator D2.1)."""
        return self.valid_on(day).filter(is_public=True)

    def expiring_between(self, start: dt.date, end: dt.date) -> MeasurementStandardQuerySet:
        return self.filter(assessment_expires_on__gte=start, assessment_expires_on__lte=end)


class MeasurementStandard(Timestamped):
    """A measurement standard (计量标准) with its current assessment certificate (JJF 1033)."""

    class Status(models.TextChoices):
        IN_USE = "in_use", _("在用")
        SEALED = "sealed", _("封存")
        WITHDRAWN = "withdrawn", _("撤销")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="standards", verbose_name=_("机构")
    )
    name = models.CharField(_("计量标准名称"), max_length=200)
    jjf1022_code = models.CharField(
        _("计量标准代码"),
        max_length=8,
        validators=[jjf1022_code_validator],
        help_text=_("8位数字，JJF 1022。"),
    )
    is_public = models.BooleanField(_("社会公用计量标准"), default=False)
    assessment_cert_no = models.CharField(_("考核证书编号"), max_length=60, blank=True)
    assessment_issued_on = models.DateField(_("考核证书发证日期"), null=True, blank=True)
    assessment_expires_on = models.DateField(
        _("考核证书有效期至"), null=True, blank=True, help_text=_("含当日。")
    )
    reexam_applied_on = models.DateField(_("复查考核申请日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.IN_USE)
    status_since = models.DateField(
        _("状态变更日期"), null=True, blank=True, help_text=_("封存或撤销自该日起生效。")
    )
    measurement_range = models.CharField(_("测量范围"), max_length=200, blank=True)
    uncertainty = models.CharField(_("不确定度/准确度等级/最大允许误差"), max_length=200, blank=True)
    regulations = models.ManyToManyField(Regulation, verbose_name=_("依据规程/规范"), blank=True)
    responsible_staff = models.ManyToManyField(
        Staff, verbose_name=_("负责人员"), related_name="standards", blank=True
    )

    objects = MeasurementStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("计量标准")
        verbose_name_plural = pgettext_lazy("plural", "计量标准")
        ordering = ["institution", "jjf1022_code", "name"]
        indexes = [
            models.Index(fields=["institution", "is_public", "assessment_expires_on"]),
            models.Index(fields=["jjf1022_code"]),
        ]
        constraints = [
            ordered(
                "assessment_issued_on", "assessment_expires_on", strict=True, name="std_expiry_after_issue"
            ),
            models.UniqueConstraint(
                fields=["assessment_cert_no"], condition=~Q(assessment_cert_no=""), name="std_unique_cert_no"
            ),
            models.CheckConstraint(
                condition=Q(status="in_use") | Q(status_since__isnull=False), name="std_status_since_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.jjf1022_code}）"

    @property
    def discipline_code(self) -> str:
        """The JJF 1022 first-level code (first two digits), e.g. "12" 力学."""
        return self.jjf1022_code[:2]

    def clean(self) -> None:
        from qiangji.web.registry.validators import measurement_standard_errors

        errors = measurement_standard_errors(self)
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: dt.date) -> bool:
        if self.status != self.Status.IN_USE and (self.status_since is None or self.status_since <= day):
            return False
        issued, expires = self.assessment_issued_on, self.assessment_expires_on
        if issued and expires and issued <= day <= expires:
            return True
        # .all() so that a prefetch (see traceability.traceability_report) answers without a query
        return any(p.issued_on <= day <= p.expires_on for p in self.previous_assessments.all())

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the replaced assessment certificate when a new one (re-examination) is entered."""
        if self.pk:
            self._archive_replaced_certificate()
        super().save(*args, **kwargs)

    def _archive_replaced_certificate(self) -> None:
        old = (
            MeasurementStandard.objects.filter(pk=self.pk)
            .values("assessment_cert_no", "assessment_issued_on", "assessment_expires_on")
            .first()
        )
        if not old or not old["assessment_cert_no"] or old["assessment_cert_no"] == self.assessment_cert_no:
            return
        if old["assessment_issued_on"] and old["assessment_expires_on"]:
            PreviousAssessment.objects.get_or_create(
                standard=self,
                cert_no=old["assessment_cert_no"],
                defaults={
                    "issued_on": old["assessment_issued_on"],
                    "expires_on": old["assessment_expires_on"],
                },
            )


class PreviousAssessment(Timestamped):
    """An earlier assessment certificate of a standard, kept when re-examination issued a new one."""

    standard = models.ForeignKey(
        MeasurementStandard,
        on_delete=models.CASCADE,
        related_name="previous_assessments",
        verbose_name=_("计量标准"),
    )
    cert_no = models.CharField(_("考核证书编号"), max_length=60)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), help_text=_("含当日。"))

    class Meta:
        verbose_name = _("历次考核证书")
        verbose_name_plural = pgettext_lazy("plural", "历次考核证书")
        ordering = ["standard", "-issued_on"]
        # TR-1 (registry/audit.py): an archived assessment covering a day, from the index alone.
        indexes = [models.Index(fields=["standard", "issued_on", "expires_on"], name="prevassess_valid")]
        constraints = [
            ordered("issued_on", "expires_on", strict=True, name="prevassess_expiry_after_issue"),
            models.UniqueConstraint(fields=["standard", "cert_no"], name="prevassess_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.cert_no}（{self.issued_on}～{self.expires_on}）"

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("考核证书有效期至必须晚于发证日期。")})


class StandardInstrument(Timestamped):
    """A standard instrument or main ancillary equipment of a measurement standard."""

    standard = models.ForeignKey(
        MeasurementStandard, on_delete=models.CASCADE, related_name="instruments", verbose_name=_("计量标准")
    )
    name = models.CharField(_("名称"), max_length=200)
    model = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_no = models.CharField(_("出厂编号"), max_length=100, blank=True)
    manufacturer = models.CharField(_("制造厂"), max_length=200, blank=True)
    measurement_range = models.CharField(_("测量范围"), max_length=200, blank=True)
    accuracy = models.CharField(_("不确定度/准确度等级/最大允许误差"), max_length=200, blank=True)
    is_main = models.BooleanField(_("主标准器"), default=True)

    class Meta:
        verbose_name = _("标准器")
        verbose_name_plural = pgettext_lazy("plural", "标准器")
        ordering = ["standard", "-is_main", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.model} {self.serial_no}".strip()

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether a traceability certificate of this instrument covers ``day`` (TR-2; ends inclusive)."""
        return any(c.valid_from <= day <= c.valid_to for c in self.certificates.all())


class InstrumentCertificateQuerySet(models.QuerySet["InstrumentCertificate"]):
    def valid_on(self, day: dt.date) -> InstrumentCertificateQuerySet:
        """Certificates covering ``day``: ``valid_from <= day <= valid_to`` (both ends inclusive)."""
        return self.filter(valid_from__lte=day, valid_to__gte=day)


class InstrumentCertificate(Timestamped):
    """A verification/calibration certificate of a standard instrument from a higher-level institution."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("检定证书")
        CALIBRATION = "calibration", _("校准证书")

    instrument = models.ForeignKey(
        StandardInstrument, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("标准器")
    )
    cert_no = models.CharField(_("证书编号"), max_length=60)
    kind = models.CharField(_("证书类型"), max_length=16, choices=Kind.choices, default=Kind.VERIFICATION)
    issuer = models.CharField(_("出具机构"), max_length=200)
    valid_from = models.DateField(_("检定/校准日期"))
    valid_to = models.DateField(_("有效期至"), help_text=_("含当日。"))

    objects = InstrumentCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("标准器证书")
        verbose_name_plural = pgettext_lazy("plural", "标准器证书")
        ordering = ["instrument", "-valid_from"]
        # TR-2 (registry/audit.py): an instrument's certificate covering a day, from the index alone.
        indexes = [models.Index(fields=["instrument", "valid_from", "valid_to"], name="instcert_valid")]
        constraints = [
            ordered("valid_from", "valid_to", strict=True, name="instcert_to_after_from"),
            models.UniqueConstraint(fields=["issuer", "cert_no"], name="instcert_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.cert_no}（{self.valid_from}～{self.valid_to}）"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("有效期至必须晚于检定/校准日期。")})
