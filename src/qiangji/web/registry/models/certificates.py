"""Verification certificates (检定证书 / 检定结果通知书) sampled for the traceability checks (domain §2.6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, ordered
from qiangji.web.registry.models.catalogue import MVCatalogueItem
from qiangji.web.registry.models.institution import Institution
from qiangji.web.registry.models.staff import Staff
from qiangji.web.registry.models.standards import MeasurementStandard, Regulation


class VerificationCertificate(Timestamped):
    """One issued verification certificate or notice of result, with every element TR-1…TR-8 check."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("检定证书")
        NOTICE = "notice", _("检定结果通知书")

    class Conclusion(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("机构")
    )
    cert_no = models.CharField(_("证书编号"), max_length=60)
    kind = models.CharField(_("证书类型"), max_length=12, choices=Kind.choices, default=Kind.CERTIFICATE)
    record_no = models.CharField(_("原始记录编号"), max_length=60, blank=True)
    verified_on = models.DateField(_("检定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    client = models.CharField(_("送检单位"), max_length=200, blank=True)
    instrument_name = models.CharField(_("器具名称"), max_length=200)
    instrument_model = models.CharField(_("型号规格"), max_length=100, blank=True)
    instrument_serial = models.CharField(_("出厂编号"), max_length=100, blank=True)
    manufacturer = models.CharField(_("制造单位"), max_length=200, blank=True)
    mv_item = models.ForeignKey(
        MVCatalogueItem, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("强检目录项")
    )
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, verbose_name=_("依据规程"))
    standards = models.ManyToManyField(MeasurementStandard, verbose_name=_("所用计量标准"), blank=True)
    verifier = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("检定员"))
    checker = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("核验员"))
    approver = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人"))
    temperature_c = models.DecimalField(
        _("温度（℃）"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(-50), MaxValueValidator(100)],
    )
    humidity_pct = models.DecimalField(
        _("相对湿度（%）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    conclusion = models.CharField(_("结论"), max_length=8, choices=Conclusion.choices)
    place = models.CharField(_("检定地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("检定证书")
        verbose_name_plural = pgettext_lazy("plural", "检定证书")
        ordering = ["institution", "-verified_on", "cert_no"]
        indexes = [
            models.Index(fields=["institution", "verified_on"]),
            # The fingerprint of an institution's certificates of a period (registry/audit_cache.py),
            # read from the index alone.
            models.Index(fields=["institution", "verified_on", "updated_at", "id"], name="vcert_fingerprint"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["institution", "cert_no"], name="vcert_unique_no"),
            ordered("verified_on", "valid_until", strict=True, name="vcert_valid_after_verified"),
        ]

    def __str__(self) -> str:
        return self.cert_no

    def clean(self) -> None:
        from qiangji.web.registry.validators import verification_certificate_errors

        errors = verification_certificate_errors(self)
        if errors:
            raise ValidationError(errors)
