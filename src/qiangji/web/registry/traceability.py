"""Traceability rules TR-1…TR-8 of a verification certificate (docs/domain.md#traceability), checked as of
its date.

Each rule asks an as-of question of the registry on the certificate's verification date. The result is a
list of :class:`Issue` (empty when the certificate is fully traceable); indicators C3.3 and C4.1–C4.4 count
certificates with or without issues of a given rule. Boundary rules are those of the registry
(models/base.py): a standard or instrument certificate expiring the day before the verification date is
not valid on it; a regulation superseded on that date is no longer in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.dates import add_months
from qiangji.web.registry.items import ItemMatcher
from qiangji.web.registry.models import (
    InstrumentCertificate,
    MeasurementStandard,
    PreviousAssessment,
    Regulation,
    StandardInstrument,
    VerificationCertificate,
)


@dataclass(frozen=True)
class Issue:
    rule: str
    field: str
    message: Any

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"


# The rules' messages, shared with the set-based audit (registry/audit.py) so both say the same.
MESSAGES: dict[str, Any] = {
    "no_standards": _("证书未引用计量标准。"),
    "standard_invalid": _("计量标准“%(name)s”在检定日期没有有效的考核证书。"),
    "instrument_invalid": _("标准器“%(name)s”在检定日期没有有效的检定/校准证书。"),
    "unregistered": _("检定员在检定日期没有有效的注册计量师注册。"),
    "not_registered_item": _("检定项目不在检定员的注册专业项目内。"),
    "same_person": _("检定员、核验员、批准人必须是三个不同的人。"),
    "not_signatory": _("批准人不是授权签字人。"),
    "superseded": _("引用的%(cited)s在检定日期不是现行版本（现行：%(current)s）。"),
    "no_environment": _("未记录环境条件（温度、相对湿度）。"),
    "temperature": _("温度超出规程要求。"),
    "humidity": _("相对湿度超出规程要求。"),
    "interval": _("有效期超过规程规定的最长检定周期（%(months)s个月）。"),
    "no_record": _("未填写原始记录编号。"),
    "out_of_scope": _("检定项目不在机构在检定日期的授权范围内。"),
}


# Timestamps no rule reads: left out of the thousands of rows a period's report loads.
BOOKKEEPING = ("created_at", "updated_at")


def traceability_report(certificates: QuerySet[VerificationCertificate]) -> dict[int, list[Issue]]:
    """Issues of many certificates at once (certificate id → issues), with the registry prefetched.

    Same rules and results as :func:`traceability_issues`, in a fixed number of queries plus one per
    certificate citing a regulation that was not in force (to name the edition that was). A standard
    cited by many certificates is loaded once, with its history and its instruments' certificates.
    """
    rows = list(
        certificates.defer(*BOOKKEEPING)
        .select_related("regulation", "verifier", "checker", "approver", "mv_item", "institution")
        .prefetch_related(
            Prefetch(
                "standards",
                queryset=MeasurementStandard.objects.defer(*BOOKKEEPING),
                to_attr="cited_standards",
            ),
            "verifier__registrations",
            "institution__mv_items",
        )
    )
    shared: dict[int, MeasurementStandard] = {}
    for cert in rows:
        cert.cited_standards = [shared.setdefault(s.pk, s) for s in cert.cited_standards]
    history = PreviousAssessment.objects.defer(*BOOKKEEPING)
    instruments = StandardInstrument.objects.defer(*BOOKKEEPING).prefetch_related(
        Prefetch("certificates", queryset=InstrumentCertificate.objects.defer(*BOOKKEEPING))
    )
    prefetch_related_objects(
        list(shared.values()),
        Prefetch("previous_assessments", queryset=history),
        Prefetch("instruments", queryset=instruments),
    )
    matcher = ItemMatcher()  # the item mapping read once for every certificate
    return {cert.pk: traceability_issues(cert, matcher) for cert in rows}


def traceability_issues(cert: VerificationCertificate, matcher: ItemMatcher | None = None) -> list[Issue]:
    """Every TR rule the certificate breaks, in rule order (``matcher``: the item mapping, read if None)."""
    day = cert.verified_on
    return [
        *_standards(cert, day),
        *_signatories(cert, day, matcher),
        *_regulation(cert, day),
        *_environment(cert),
        *_interval(cert),
        *_record(cert),
        *_scope(cert, day),
    ]


def _standards(cert: VerificationCertificate, day: dt.date) -> list[Issue]:
    # the shared standards of traceability_report, else the relation (.all(): a prefetch answers it)
    cited = getattr(cert, "cited_standards", None)
    standards = list(cert.standards.all()) if cited is None else cited
    if not standards:
        return [Issue("TR-1", "standards", MESSAGES["no_standards"])]
    issues = [
        Issue("TR-1", "standards", MESSAGES["standard_invalid"] % {"name": std.name})
        for std in standards
        if not std.is_valid_on(day)
    ]
    for std in standards:
        issues += [
            Issue(
                "TR-2",
                "standards",
                MESSAGES["instrument_invalid"] % {"name": i.name},
            )
            for i in std.instruments.all()
            if not i.is_valid_on(day)
        ]
    return issues


def _signatories(cert: VerificationCertificate, day: dt.date, matcher: ItemMatcher | None) -> list[Issue]:
    issues = []
    registration = cert.verifier.registration_on(day)
    if registration is None:
        issues.append(Issue("TR-3", "verifier", MESSAGES["unregistered"]))
    elif cert.mv_item and registration.professional_items and not _covers(registration, cert, matcher):
        issues.append(Issue("TR-3", "verifier", MESSAGES["not_registered_item"]))
    if len({cert.verifier_id, cert.checker_id, cert.approver_id}) < 3:
        issues.append(Issue("TR-3", "checker", MESSAGES["same_person"]))
    if not cert.approver.is_authorised_signatory:
        issues.append(Issue("TR-3", "approver", MESSAGES["not_signatory"]))
    return issues


def _covers(registration: Any, cert: VerificationCertificate, matcher: ItemMatcher | None) -> bool:
    return (matcher or ItemMatcher()).covers(registration.professional_items, cert.mv_item)


def _regulation(cert: VerificationCertificate, day: dt.date) -> list[Issue]:
    regulation = cert.regulation
    if regulation.is_in_force_on(day):
        return []
    current = Regulation.objects.edition_in_force(regulation.base, day)
    return [
        Issue(
            "TR-4", "regulation",
            MESSAGES["superseded"]
            % {"cited": regulation.code, "current": current.code if current else "—"},
        )
    ]  # fmt: skip


def _environment(cert: VerificationCertificate) -> list[Issue]:
    t, rh, reg = cert.temperature_c, cert.humidity_pct, cert.regulation
    if t is None or rh is None:
        return [Issue("TR-5", "temperature_c", MESSAGES["no_environment"])]
    issues = []
    low, high = reg.temperature_min_c, reg.temperature_max_c
    if (low is not None and t < low) or (high is not None and t > high):
        issues.append(Issue("TR-5", "temperature_c", MESSAGES["temperature"]))
    if reg.humidity_max_pct is not None and rh > reg.humidity_max_pct:
        issues.append(Issue("TR-5", "humidity_pct", MESSAGES["humidity"]))
    return issues


def _interval(cert: VerificationCertificate) -> list[Issue]:
    """Valid-until may be at most the regulation's maximum interval after the verification date."""
    months = cert.regulation.max_interval_months
    if not months or cert.valid_until is None or cert.valid_until <= add_months(cert.verified_on, months):
        return []
    return [
        Issue(
            "TR-6",
            "valid_until",
            MESSAGES["interval"] % {"months": months},
        )
    ]


def _record(cert: VerificationCertificate) -> list[Issue]:
    return [] if cert.record_no.strip() else [Issue("TR-7", "record_no", MESSAGES["no_record"])]


def _scope(cert: VerificationCertificate, day: dt.date) -> list[Issue]:
    if cert.mv_item_id is None:
        return []
    authorised = (a for a in cert.institution.mv_items.all() if a.item_id == cert.mv_item_id)
    if any(a.is_authorised_on(day) for a in authorised):
        return []
    return [Issue("TR-8", "mv_item", MESSAGES["out_of_scope"])]
