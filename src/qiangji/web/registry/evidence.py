"""The evidence behind each audit failure, as the registry stood on the certificate's date (issue 16 point 6).

The set-based audit (audit.py) says *that* a certificate breaks a rule; a reviewer or the institution
needs to see *why*: the assessment certificate of the cited standard, the verifier's registration, the
regulation's dates, the measured environment against the limits… This module states those facts for the
failures of one page or one export (a few thousand rows at most), loading the certificates they name
with their registry in a fixed number of queries (:func:`traceability.traceability_report`'s prefetch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from qiangji.web.registry.audit import Row
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.models import (
    InstrumentCertificate,
    MeasurementStandard,
    StandardInstrument,
    VerificationCertificate,
)
from qiangji.web.registry.traceability import BOOKKEEPING

CHUNK = 500  # certificates per prefetch: an export of thousands of failures in a few queries each


@dataclass(frozen=True)
class Evidence:
    """One failure of one certificate, with what the registry said on the certificate's date."""

    certificate: VerificationCertificate
    rule: str
    field: str
    field_label: str
    message: str
    facts: str


def _span(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or '—'}～{end or '—'}"


def _standards(cert: VerificationCertificate, day: dt.date) -> str:
    cited = list(cert.standards.all())
    if not cited:
        return _("证书未引用任何计量标准")
    parts = []
    for s in cited:
        history = "；".join(
            f"{p.cert_no} {_span(p.issued_on, p.expires_on)}" for p in s.previous_assessments.all()
        )
        text = _("“%(name)s”：考核证书 %(no)s %(span)s，状态 %(status)s") % {
            "name": s.name,
            "no": s.assessment_cert_no or "—",
            "span": _span(s.assessment_issued_on, s.assessment_expires_on),
            "status": s.get_status_display(),
        }
        parts.append(text + (_("；历次证书 %(h)s") % {"h": history} if history else ""))
    return "；".join(parts)


def _instruments(cert: VerificationCertificate, day: dt.date) -> str:
    parts = []
    for s in cert.standards.all():
        for i in s.instruments.all():
            latest = max(
                (c for c in i.certificates.all() if c.valid_from <= day),
                key=lambda c: c.valid_from,
                default=None,
            )
            held = (
                _("无检定日前的证书")
                if latest is None
                else f"{latest.cert_no} {_span(latest.valid_from, latest.valid_to)}"
            )
            parts.append(_("标准器“%(name)s”：%(held)s") % {"name": i.name, "held": held})
    return "；".join(parts)


def _verifier(cert: VerificationCertificate, day: dt.date) -> str:
    regs = list(cert.verifier.registrations.all())
    held = "；".join(
        _("注册 %(no)s（%(level)s）%(span)s，专业项目：%(items)s")
        % {
            "no": r.registration_no,
            "level": r.get_level_display(),
            "span": _span(r.valid_from, r.valid_to),
            "items": "、".join(r.professional_items or []) or "—",
        }
        for r in regs
    )
    item = str(cert.mv_item.level2_name) if cert.mv_item else "—"
    return _("检定员 %(name)s，检定项目 %(item)s；%(held)s") % {
        "name": cert.verifier.name,
        "item": item,
        "held": held or _("无任何注册记录"),
    }


def _people(cert: VerificationCertificate, day: dt.date) -> str:
    return _("检定员 %(v)s，核验员 %(c)s，批准人 %(a)s") % {
        "v": cert.verifier.name,
        "c": cert.checker.name,
        "a": cert.approver.name,
    }


def _approver(cert: VerificationCertificate, day: dt.date) -> str:
    signs = _("是") if cert.approver.is_authorised_signatory else _("否")
    return _("批准人 %(a)s，授权签字人：%(s)s") % {"a": cert.approver.name, "s": signs}


def _regulation(cert: VerificationCertificate, day: dt.date) -> str:
    g = cert.regulation
    return _("%(code)s 实施 %(start)s，废止 %(end)s；检定日期 %(day)s") % {
        "code": g.code,
        "start": g.effective_from,
        "end": g.superseded_on or "—",
        "day": day,
    }


def _environment(cert: VerificationCertificate, day: dt.date) -> str:
    g = cert.regulation
    return _(
        "温度 %(t)s ℃，相对湿度 %(rh)s %%；规程要求温度 %(lo)s～%(hi)s ℃，相对湿度不超过 %(rhmax)s %%"
    ) % {
        "t": "—" if cert.temperature_c is None else cert.temperature_c,
        "rh": "—" if cert.humidity_pct is None else cert.humidity_pct,
        "lo": "—" if g.temperature_min_c is None else g.temperature_min_c,
        "hi": "—" if g.temperature_max_c is None else g.temperature_max_c,
        "rhmax": "—" if g.humidity_max_pct is None else g.humidity_max_pct,
    }


def _interval(cert: VerificationCertificate, day: dt.date) -> str:
    months = cert.regulation.max_interval_months or 0
    return _("检定日期 %(day)s，有效期至 %(until)s；最长检定周期 %(m)s 个月，即至多 %(latest)s") % {
        "day": day,
        "until": cert.valid_until or "—",
        "m": months,
        "latest": add_months(day, months),
    }


def _record(cert: VerificationCertificate, day: dt.date) -> str:
    return _("原始记录编号：（空）")


def _scope(cert: VerificationCertificate, day: dt.date) -> str:
    item = cert.mv_item
    if item is None:
        return "—"
    grants = [a for a in cert.institution.mv_items.all() if a.item_id == item.pk]
    held = "；".join(_span(a.authorised_from, a.authorised_to) for a in grants) or _("无")
    return _("强检项目 %(item)s；本机构对该项目的授权：%(held)s") % {"item": item.level2_name, "held": held}


FACTS: dict[tuple[str, str], Callable[[VerificationCertificate, dt.date], str]] = {
    ("TR-1", "standards"): _standards,
    ("TR-2", "standards"): _instruments,
    ("TR-3", "verifier"): _verifier,
    ("TR-3", "checker"): _people,
    ("TR-3", "approver"): _approver,
    ("TR-4", "regulation"): _regulation,
    ("TR-5", "temperature_c"): _environment,
    ("TR-5", "humidity_pct"): _environment,
    ("TR-6", "valid_until"): _interval,
    ("TR-7", "record_no"): _record,
    ("TR-8", "mv_item"): _scope,
}


def _certificates(ids: Sequence[int]) -> dict[int, VerificationCertificate]:
    instruments = StandardInstrument.objects.defer(*BOOKKEEPING).prefetch_related(
        Prefetch("certificates", queryset=InstrumentCertificate.objects.defer(*BOOKKEEPING))
    )
    standards = MeasurementStandard.objects.defer(*BOOKKEEPING).prefetch_related(
        "previous_assessments", Prefetch("instruments", queryset=instruments)
    )
    found: dict[int, VerificationCertificate] = {}
    for start in range(0, len(ids), CHUNK):
        qs = (
            VerificationCertificate.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("regulation", "verifier", "checker", "approver", "mv_item", "institution")
            .prefetch_related(
                Prefetch("standards", queryset=standards), "verifier__registrations", "institution__mv_items"
            )
        )
        found.update((c.pk, c) for c in qs)
    return found


def field_label(name: str) -> str:
    return str(VerificationCertificate._meta.get_field(name).verbose_name)


def evidence(rows: Sequence[Row]) -> list[Evidence]:
    """The failures ``rows`` (audit.failure_rows) with their certificates and the facts as of each date."""
    certs = _certificates(sorted({r[0] for r in rows}))
    out = []
    for cert_id, _no, _inst, rule, field, message in rows:
        cert = certs[cert_id]
        facts: Any = FACTS.get((rule, field))
        out.append(
            Evidence(
                cert, rule, field, field_label(field), message, facts(cert, cert.verified_on) if facts else ""
            )
        )
    return out
