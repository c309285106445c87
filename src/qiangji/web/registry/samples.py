"""The certificate-sample indicators: rates over the audit of TR-1…TR-8 (docs/domain.md#traceability).

The certificates an institution issued in a period (or the seeded sample, ``CERTIFICATE_SAMPLE_SIZE``) are
audited once per period (:func:`certificate_samples`, the indicator registry's sampler); each sampled
indicator (C3.1, C3.3, C4.1…C4.4) rates that sample with its :class:`~qiangji.web.indicators.SampleRule`:
the share of certificates breaking none of its rules.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from qiangji.web import indicators
from qiangji.web.indicators import Derived, SampleRule, ratio
from qiangji.web.registry import audit
from qiangji.web.registry.models import Institution
from qiangji.web.stored_texts import FEW_SAMPLED, MANY_FAILING

MIN_SAMPLE = 20
Insts = Sequence[Institution]
Period = Any  # an assessment period: ``start``, ``end``, ``code``

# The snapshot lists at most this many failing certificates per cell (the audit lists them all).
MAX_RECORDS = 200


@dataclass
class Sample:
    """The certificates of an institution in a period — every one of them, or the seeded sample when the
    office samples (``QIANGJI["CERTIFICATE_SAMPLE_SIZE"]``) — how many were checked and, for each failing
    one, the rules it breaks (``audit.ELEMENTS`` for a missing data element)."""

    checked: int = 0
    failing: dict[str, frozenset[str]] = field(default_factory=dict)
    drawn: dict[str, Any] = field(default_factory=dict)  # sampled: protocol, seed, size, certificates

    def rate(self, rule: SampleRule) -> Derived | None:
        method, rules = rule.method, rule.rules
        wanted = set(rules) if rules else set(audit.RULES)
        failed = sorted(n for n, broken in self.failing.items() if broken & wanted)
        notes = [] if self.checked >= MIN_SAMPLE else [FEW_SAMPLED.zh(minimum=MIN_SAMPLE)]
        if len(failed) > MAX_RECORDS:
            notes.append(MANY_FAILING.zh(n=len(failed), shown=MAX_RECORDS))
        records = failed[:MAX_RECORDS]
        got = ratio(method, self.checked - len(failed), self.checked, records, "；".join(notes))
        return got if got is None or not self.drawn else replace(got, extra={"sample": self.drawn})


def sample_scope(insts: Insts, period: Period) -> audit.Scope:
    """The audit's scope for ``period``: every certificate, or (``QIANGJI["CERTIFICATE_SAMPLE_SIZE"]`` > 0)
    that many per institution and item drawn by :func:`audit.sample_rank` with a seed derived from the
    period code and ``QIANGJI["CERTIFICATE_SAMPLE_SEED"]``, so that recomputing a period draws the same."""
    size = settings.QIANGJI.get("CERTIFICATE_SAMPLE_SIZE", 0)
    seed = zlib.crc32(f"{period.code}:{settings.QIANGJI.get('CERTIFICATE_SAMPLE_SEED', 0)}".encode())
    inst = insts[0].pk if len(insts) == 1 else None
    return audit.Scope(period.start, period.end, inst, sample_size=size, seed=seed if size > 0 else 0)


def certificate_samples(insts: Insts, period: Period) -> dict[int, Sample]:
    """Every certificate each institution issued in the period (or the drawn sample, see
    :func:`sample_scope`), audited against TR-1…TR-8 as of its date by the set-based audit
    (registry/audit.py): counts per institution and the failing certificates only."""
    scope = sample_scope(insts, period)
    samples = {i.pk: Sample() for i in insts}
    if scope.sample_size > 0:
        protocol = {"protocol": "audit.sample_rank", "seed": scope.seed, "per_item": scope.sample_size}
        for s in samples.values():
            s.drawn = {**protocol, "certificates": []}
        for inst_id, cert_no in audit.drawn_certificates(scope):
            if inst_id in samples:
                samples[inst_id].drawn["certificates"].append(cert_no)
    for inst_id, n in audit.certificates_checked(scope).items():
        if inst_id in samples:
            samples[inst_id].checked = n
    for _pk, cert_no, inst_id, broken in audit.failing_certificates(scope):
        if inst_id in samples:
            samples[inst_id].failing[cert_no] = broken
    return samples


def certificate_sample(inst: Institution, period: Period) -> Sample:
    """One institution's :func:`certificate_samples`."""
    return certificate_samples([inst], period)[inst.pk]


# The method of each sampled indicator and the TR rules whose breach fails a certificate (() = any rule;
# audit.ELEMENTS = a missing data element).
SAMPLE_RULES: dict[str, SampleRule] = {
    "C3.1": SampleRule(gettext_noop("抽查证书全部符合TR-1至TR-8的份数 / 抽查份数"), ()),
    "C3.3": SampleRule(gettext_noop("签字人员资质符合（TR-3）的份数 / 抽查份数"), ("TR-3",)),
    "C4.1": SampleRule(
        gettext_noop("证书要素（原始记录号、所用计量标准、温湿度）齐全的份数 / 抽查份数"), (audit.ELEMENTS,)
    ),
    "C4.2": SampleRule(
        gettext_noop("所用计量标准及标准器证书有效（TR-1、TR-2）的份数 / 抽查份数"), ("TR-1", "TR-2")
    ),
    "C4.3": SampleRule(gettext_noop("引用现行有效规程（TR-4）的份数 / 抽查份数"), ("TR-4",)),
    "C4.4": SampleRule(gettext_noop("环境条件已记录且符合规程（TR-5）的份数 / 抽查份数"), ("TR-5",)),
}


def register_samples() -> None:
    """Declare the sampled indicators and the sampler (called from ``RegistryConfig.ready``). C3.1 is
    scored at supervision visits first; the certificate sample answers when no visit scored it."""
    from qiangji.web.registry.audit_cache import cached_samples  # it reads this module's rules

    indicators.register_sampler(cached_samples)
    for code, rule in SAMPLE_RULES.items():
        source = ("supervision", "derived") if code == "C3.1" else "derived"
        indicators.register(code, source=source, sample=rule)
