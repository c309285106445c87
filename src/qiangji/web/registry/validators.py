"""Cross-field validation rules of the registry (docs/domain.md#validation), shared by models, forms and
imports.

Errors are dicts ``{field: message}`` so every message names its field; warnings are lists of
``(field, message)`` that a form or an import shows without refusing the data. Messages are Chinese
msgids, translated when the UI language is English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.dates import add_months, add_years

if TYPE_CHECKING:
    from qiangji.web.registry.models import (
        MeasurementStandard,
        RMRegistration,
        Staff,
        VerificationCertificate,
    )

Errors = dict[str, Any]
Warnings = list[tuple[str, Any]]


def staff_count_errors(total: int | None, verification: int | None, registered: int | None) -> Errors:
    """registered ≤ verification staff ≤ total staff, all non-negative (wherever such counts appear)."""
    errors: Errors = {}
    for name, value in (("total", total), ("verification", verification), ("registered", registered)):
        if value is not None and value < 0:
            errors[name] = _("人数不能为负数。")
    if errors:
        return errors
    if total is not None and verification is not None and verification > total:
        errors["verification"] = _("检定/校准人员数（%(verification)s）不能多于职工总数（%(total)s）。") % {
            "verification": verification,
            "total": total,
        }
    if verification is not None and registered is not None and registered > verification:
        errors["registered"] = _(
            "持证注册计量师人数（%(registered)s）不能多于检定/校准人员数（%(verification)s）。"
        ) % {
            "registered": registered,
            "verification": verification,
        }
    return errors


def validate_staff_counts(total: int | None, verification: int | None, registered: int | None) -> None:
    errors = staff_count_errors(total, verification, registered)
    if errors:
        raise ValidationError(errors)


def registration_warnings(reg: RMRegistration) -> Warnings:
    """Accepted but suspicious: a registration period other than ``RM_REGISTRATION_VALIDITY_YEARS``."""
    years = settings.QIANGJI["RM_REGISTRATION_VALIDITY_YEARS"]
    nominal = add_years(reg.valid_from, years)
    if reg.valid_to in (nominal, nominal - dt.timedelta(days=1)):
        return []
    return [("valid_to", _("注册有效期不是%(years)s年，请核对。") % {"years": years})]


def measurement_standard_errors(std: MeasurementStandard) -> Errors:
    """Field-level cross checks of a measurement standard (its own columns only, not its M2Ms)."""
    errors: Errors = {}
    issued, expires = std.assessment_issued_on, std.assessment_expires_on
    if issued and expires and expires <= issued:
        errors["assessment_expires_on"] = _("考核证书有效期至必须晚于发证日期。")
    if std.assessment_cert_no and not (issued and expires):
        errors["assessment_issued_on"] = _("填写了考核证书编号时，发证日期和有效期至都必须填写。")
    if std.reexam_applied_on and issued and std.reexam_applied_on < issued:
        errors["reexam_applied_on"] = _("复查考核申请日期不能早于考核证书发证日期。")
    if std.status != std.Status.IN_USE and not std.status_since:
        errors["status_since"] = _("状态为封存或撤销时必须填写状态变更日期。")
    if std.is_public and std.status == std.Status.IN_USE and not std.assessment_cert_no:
        errors["assessment_cert_no"] = _("在用的社会公用计量标准必须有考核证书编号。")
    return errors


def measurement_standard_warnings(std: MeasurementStandard) -> Warnings:
    """Accepted but suspicious: validity not the configured length; re-examination applied late."""
    warnings: Warnings = []
    issued, expires = std.assessment_issued_on, std.assessment_expires_on
    years = settings.QIANGJI["STANDARD_CERT_VALIDITY_YEARS"]
    if issued and expires:
        nominal = add_years(issued, years)
        if expires not in (nominal, nominal - dt.timedelta(days=1)):
            warnings.append(
                ("assessment_expires_on", _("考核证书有效期不是%(years)s年，请核对。") % {"years": years})
            )
    if std.reexam_applied_on and expires and std.reexam_applied_on > reexam_deadline(expires):
        months = settings.QIANGJI["REEXAM_LEAD_MONTHS"]
        warnings.append(
            ("reexam_applied_on", _("复查考核申请晚于有效期届满前%(months)s个月。") % {"months": months})
        )
    return warnings


def reexam_deadline(expires: dt.date) -> dt.date:
    """Last day on which a re-examination application is on time (``REEXAM_LEAD_MONTHS`` before expiry)."""
    return add_months(expires, -settings.QIANGJI["REEXAM_LEAD_MONTHS"])


def responsible_staff_errors(std: MeasurementStandard, staff: Iterable[Staff]) -> Errors:
    """A standard needs ≥ MIN_STAFF_PER_STANDARD responsible staff, all of its own institution."""
    people = list(staff)
    minimum = settings.QIANGJI["MIN_STAFF_PER_STANDARD"]
    errors: Errors = {}
    if len({p.pk for p in people}) < minimum:
        errors["responsible_staff"] = _("每项计量标准至少需要%(minimum)s名负责人员，当前%(count)s名。") % {
            "minimum": minimum,
            "count": len({p.pk for p in people}),
        }
    strangers = [p.name for p in people if p.institution_id != std.institution_id]
    if strangers:
        errors["responsible_staff"] = _("负责人员必须属于本机构：%(names)s。") % {
            "names": "、".join(strangers)
        }
    return errors


def validate_responsible_staff(std: MeasurementStandard, staff: Iterable[Staff]) -> None:
    """Raise ``ValidationError`` naming ``responsible_staff``; used by the admin form and by imports."""
    errors = responsible_staff_errors(std, staff)
    if errors:
        raise ValidationError(errors)


def verification_certificate_errors(cert: VerificationCertificate) -> Errors:
    """Structural rules of a certificate: dates in order, kind consistent with conclusion, own signatories."""
    errors: Errors = {}
    kind, conclusion = cert.kind, cert.conclusion
    if cert.valid_until and cert.verified_on and cert.valid_until <= cert.verified_on:
        errors["valid_until"] = _("有效期至必须晚于检定日期。")
    if kind == cert.Kind.CERTIFICATE and conclusion == cert.Conclusion.FAIL:
        errors["conclusion"] = _("结论为不合格时应出具检定结果通知书，而不是检定证书。")
    if kind == cert.Kind.NOTICE and conclusion == cert.Conclusion.PASS:
        errors["conclusion"] = _("检定结果通知书的结论不能是合格。")
    if kind == cert.Kind.CERTIFICATE and not cert.valid_until:
        errors.setdefault("valid_until", _("检定证书必须填写有效期至。"))
    if kind == cert.Kind.NOTICE and cert.valid_until:
        errors.setdefault("valid_until", _("检定结果通知书不填写有效期至。"))
    for field in ("verifier", "checker", "approver"):
        person = getattr(cert, f"{field}_id") and getattr(cert, field)
        if person and cert.institution_id and person.institution_id != cert.institution_id:
            errors[field] = _("签字人员必须属于出具证书的机构。")
    return errors


def verification_certificate_warnings(cert: VerificationCertificate) -> Warnings:
    """Defects a sampled certificate may really carry (TR-3 distinct signatories, TR-5 environment).

    They are warnings, not errors: the certificate register stores the audit sample as issued, so that
    the compliance indicators can count the defects instead of the data entry hiding them.
    """
    warnings: Warnings = []
    ids = {"verifier": cert.verifier_id, "checker": cert.checker_id, "approver": cert.approver_id}
    if ids["verifier"] and ids["verifier"] == ids["checker"]:
        warnings.append(("checker", _("检定员与核验员不能是同一人。")))
    if ids["approver"] and ids["approver"] in (ids["verifier"], ids["checker"]):
        warnings.append(("approver", _("批准人不能同时是检定员或核验员。")))
    if cert.temperature_c is None or cert.humidity_pct is None:
        warnings.append(("temperature_c", _("未记录环境条件（温度、相对湿度）。")))
    if cert.kind == cert.Kind.CERTIFICATE and not cert.record_no:
        warnings.append(("record_no", _("未填写原始记录编号。")))
    return warnings
