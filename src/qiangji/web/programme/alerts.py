"""Alerts computed from the registry as of any date (docs/domain.md#ranking-practice).

Lead times come from ``settings.QIANGJI`` (defaults in brackets): ``ALERT_LEAD_MONTHS`` (6) for
measurement-standard assessment certificates and registrations, ``INSTRUMENT_ALERT_LEAD_DAYS`` (60) for
standard-instrument certificates (most run 12 months, so six months would flag half of them),
``DEADLINE_ALERT_DAYS`` (30) for training and comparison deadlines. The re-examination application is due
``REEXAM_LEAD_MONTHS`` (6) before expiry. Email delivery: ``ALERT_EMAIL_ENABLED`` (off) to
``ALERT_EMAIL_TO`` (a list), through Django's configured email backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qiangji.web.comparisons.models import ComparisonRound, Participant
from qiangji.web.programme.models import TrainingNeed, TrainingSession, TrainingYear
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.models import (
    Institution,
    InstrumentCertificate,
    MeasurementStandard,
    RMRegistration,
    SupervisionFinding,
)

KINDS = {
    "standard_expired": gettext_noop("计量标准考核证书已过期"),
    "reexam_not_applied": gettext_noop("计量标准未申请复查考核"),
    "standard_expiring": gettext_noop("计量标准考核证书即将到期"),
    "registration_expiring": gettext_noop("注册计量师注册即将到期"),
    "instrument_expiring": gettext_noop("标准器检定/校准证书即将到期"),
    "finding_overdue": gettext_noop("整改事项逾期"),
    "training_needs_due": gettext_noop("培训需求填报截止"),
    "training_session": gettext_noop("培训即将举办"),
    "comparison_deadline": gettext_noop("比对结果提交截止"),
    "readiness_slipping": gettext_noop("A级培育进度滞后"),
}
SEVERITY = {"standard_expired": 3, "finding_overdue": 3, "reexam_not_applied": 2, "readiness_slipping": 2}


@dataclass(frozen=True)
class Alert:
    kind: str
    due_on: dt.date
    institution: str
    institution_name: str
    subject: str
    detail: str = ""

    @property
    def kind_label(self) -> str:
        """The kind's name in the active language (the alerts are built per request, in its language)."""
        return _(KINDS[self.kind])

    @property
    def severity(self) -> int:
        """3 overdue/expired, 2 action due, 1 reminder."""
        return SEVERITY.get(self.kind, 1)

    def line(self) -> str:
        text = (
            f"{self.due_on}  {self.kind_label}  {self.institution_name}（{self.institution}）  {self.subject}"
        )
        return f"{text}  {self.detail}".rstrip()


def _q(key: str, default: int) -> int:
    return int(settings.QIANGJI.get(key, default))


def alerts_on(day: dt.date, institution: str | None = None) -> list[Alert]:
    """Every alert on ``day`` (optionally of one institution by code), sorted by due date, then kind."""
    found: list[Alert] = []
    for source in (_standards, _registrations, _instruments, _findings, _training, _comparisons, _readiness):
        found.extend(source(day))
    if institution:
        found = [a for a in found if a.institution == institution]
    return sorted(found, key=lambda a: (a.due_on, -a.severity, a.kind, a.institution, a.subject))


def _alert(kind: str, due: dt.date, inst: Institution, subject: str, detail: str = "") -> Alert:
    return Alert(kind, due, inst.code, inst.name, subject, detail)


def _standards(day: dt.date) -> Iterable[Alert]:
    lead = add_months(day, _q("ALERT_LEAD_MONTHS", 6))
    reexam = _q("REEXAM_LEAD_MONTHS", 6)
    rows = MeasurementStandard.objects.in_use_on(day).filter(
        assessment_expires_on__isnull=False, assessment_expires_on__lte=lead
    )
    for s in rows.select_related("institution"):
        name = _("%(name)s（证书 %(cert)s）") % {"name": s.name, "cert": s.assessment_cert_no}
        expires = s.assessment_expires_on
        applied = s.reexam_applied_on is not None and s.reexam_applied_on <= day
        if expires < day:
            if day - expires <= dt.timedelta(days=366):
                detail = _("已过期仍在用，应停用或尽快取得复查证书")
                yield _alert("standard_expired", expires, s.institution, name, detail)
        elif not applied:
            deadline = add_months(expires, -reexam)
            late = _("已超过申请期限") if deadline < day else _("应于 %(date)s 前申请") % {"date": deadline}
            detail = _("%(date)s 到期，%(late)s") % {"date": expires, "late": late}
            yield _alert("reexam_not_applied", deadline, s.institution, name, detail)
        else:
            detail = _("已于 %(date)s 申请复查") % {"date": s.reexam_applied_on}
            yield _alert("standard_expiring", expires, s.institution, name, detail)


def _registrations(day: dt.date) -> Iterable[Alert]:
    lead = add_months(day, _q("ALERT_LEAD_MONTHS", 6))
    renewed = RMRegistration.objects.filter(staff=OuterRef("staff"), valid_to__gt=OuterRef("valid_to"))
    rows = (
        RMRegistration.objects.expiring_between(day, lead)
        .filter(staff__in=_employed(day))
        .exclude(Exists(renewed))
        .select_related("staff__institution")
    )
    for r in rows:
        subject = _("%(name)s %(level)s注册（%(no)s）") % {
            "name": r.staff.name,
            "level": r.get_level_display(),
            "no": r.registration_no,
        }
        yield _alert("registration_expiring", r.valid_to, r.staff.institution, subject, _("需办理延续注册"))


def _employed(day: dt.date) -> object:
    from qiangji.web.registry.models import Staff

    return Staff.objects.employed_on(day)


def _instruments(day: dt.date) -> Iterable[Alert]:
    lead = day + dt.timedelta(days=_q("INSTRUMENT_ALERT_LEAD_DAYS", 60))
    newer = InstrumentCertificate.objects.filter(
        instrument=OuterRef("instrument"), valid_to__gt=OuterRef("valid_to")
    )
    in_use = MeasurementStandard.objects.in_use_on(day).values("pk")
    rows = (
        InstrumentCertificate.objects.filter(
            valid_to__gte=day, valid_to__lte=lead, instrument__standard__in=in_use
        )
        .exclude(Exists(newer))
        .select_related("instrument__standard__institution")
    )
    for c in rows:
        std = c.instrument.standard
        subject = _("%(instrument)s（%(standard)s）证书 %(cert)s") % {
            "instrument": c.instrument.name,
            "standard": std.name,
            "cert": c.cert_no,
        }
        detail = _("出具机构 %(issuer)s") % {"issuer": c.issuer}
        yield _alert("instrument_expiring", c.valid_to, std.institution, subject, detail)


def _findings(day: dt.date) -> Iterable[Alert]:
    for f in SupervisionFinding.objects.overdue_on(day).select_related("institution"):
        late = (day - f.due_on).days
        subject = f"{f.get_sub_dimension_display()}：{f.description[:40]}"
        yield _alert(
            "finding_overdue",
            f.due_on,
            f.institution,
            subject,
            _("逾期 %(days)s 天（%(severity)s）") % {"days": late, "severity": f.get_severity_display()},
        )


def _training(day: dt.date) -> Iterable[Alert]:
    horizon = day + dt.timedelta(days=_q("DEADLINE_ALERT_DAYS", 30))
    county = Institution.objects.active_on(day).filter(level=Institution.Level.COUNTY, is_ranked=True)
    for year in TrainingYear.objects.filter(needs_deadline__gte=day, needs_deadline__lte=horizon):
        done = set(TrainingNeed.objects.filter(year=year.year).values_list("institution_id", flat=True))
        for inst in county.exclude(pk__in=done):
            subject = _("%(year)s年度培训需求未填报") % {"year": year.year}
            yield _alert("training_needs_due", year.needs_deadline, inst, subject)
    sessions = TrainingSession.objects.filter(held_on__gte=day, held_on__lte=horizon).select_related("topic")
    for s in sessions:
        signed = s.attendance.values_list("staff__institution", flat=True).distinct()
        for inst in Institution.objects.filter(pk__in=signed):
            detail = _("%(mode)s %(hours)s 学时") % {"mode": s.get_mode_display(), "hours": s.hours}
            yield _alert("training_session", s.held_on, inst, s.title, detail)


def _comparisons(day: dt.date) -> Iterable[Alert]:
    horizon = day + dt.timedelta(days=_q("DEADLINE_ALERT_DAYS", 30))
    rounds = ComparisonRound.objects.filter(
        status=ComparisonRound.Status.OPEN, deadline__date__gte=day, deadline__date__lte=horizon
    )
    for p in Participant.objects.filter(round__in=rounds).select_related("round", "institution"):
        if p.submissions.exists():
            continue
        deadline = p.round.deadline.date()
        subject = f"{p.round.code} {p.round.name}"
        yield _alert("comparison_deadline", deadline, p.institution, subject, _("尚未提交结果"))


def _readiness(day: dt.date) -> Iterable[Alert]:
    """A级 candidates projected late for their planned date, or that lost a criterion since last quarter."""
    from qiangji.web.programme.readiness import all_readiness

    for r in all_readiness(day):
        if r.slipping:
            inst = r.candidate.institution
            subject = _("A级培育：满足 %(met)s/%(all)s 项，计划 %(date)s 达标") % {
                "met": r.met_count,
                "all": len(r.criteria),
                "date": r.candidate.target_date,
            }
            yield _alert("readiness_slipping", r.candidate.target_date, inst, subject, r.slipping_text)


def send_alerts(alerts: list[Alert], day: dt.date) -> int:
    """Email the alerts when ``ALERT_EMAIL_ENABLED``; returns the number of messages sent (0 when off)."""
    recipients = list(settings.QIANGJI.get("ALERT_EMAIL_TO", []))
    if not settings.QIANGJI.get("ALERT_EMAIL_ENABLED", False) or not recipients or not alerts:
        return 0
    body = "\n".join(a.line() for a in alerts)
    subject = f"【强基行动】{day} 预警提醒 {len(alerts)} 条"
    return send_mail(subject, body, None, recipients)


def print_alerts(as_of: dt.date | None, institution: str | None, email: bool = False) -> int:
    """The ``qiangji alerts`` command: print the alerts (Chinese, by due date); exit 0, or 2 on bad input."""
    from django.utils import timezone

    day = as_of or timezone.localdate()
    if institution and not Institution.objects.filter(code=institution).exists():
        print(f"未知机构代码：{institution}")
        return 2
    found = alerts_on(day, institution)
    print(f"预警提醒（基准日 {day}，共 {len(found)} 条）")
    for a in found:
        print(a.line())
    if email:
        print(f"已发送邮件 {send_alerts(found, day)} 封（ALERT_EMAIL_ENABLED 关闭时不发送）")
    return 0
