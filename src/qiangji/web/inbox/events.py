"""The workflow events that notify people, each building its message and choosing its recipients.

Event keys (unique per recipient, so an event reaches a user once however often it is seen):
``period-opened:<period>``, ``deadline-near:<period>:<deadline>``, ``returned:<transition>``,
``rectification-due:<finding>:<due date>``, ``rectification-overdue:<finding>:<due date>``,
``notice:<publication event>``, ``objection-answered:<objection>``,
``readiness-slipped:<candidate>:<quarter end>`` (at most once a quarter per A级 candidate).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.core.errors import InputError
from qiangji.web.assessment.models import FrameworkVersion, Period, Rectification, ReportTransition
from qiangji.web.directory.proposals import BY_LABEL
from qiangji.web.inbox import recipients
from qiangji.web.inbox.models import Notification
from qiangji.web.inbox.notify import Message, absolute, notify
from qiangji.web.inbox.progress import InstitutionProgress, framework_of, progress
from qiangji.web.publication.models import Objection, Publication, PublicationEvent
from qiangji.web.registry.models import RegistryProposal, SupervisionFinding

Kind = Notification.Kind
Stage = Period.Stage


def _setting(name: str, default: int) -> int:
    return int(settings.QIANGJI.get(name, default))


def report_link(period: Period, institution: Any) -> str:
    return reverse("assessment:report", args=[period.code, institution.code])


def period_opened(period: Period, today: dt.date | None = None) -> list[Notification]:
    """The reporters of every ranked institution: the period is open (or will open) for reporting."""
    if period.opened_at is None or period.opens_on is None or period.deadline is None:
        return []
    if period.stage(today) not in (Stage.NOT_OPEN, Stage.REPORTING):
        return []  # opened after its window (e.g. loaded history): nothing left to tell
    subject = f"{period.label_zh}开放填报（截止 {period.deadline}）"
    body = (
        f"{period.label_zh}的考核数据填报时间为 {period.opens_on} 至 {period.deadline}（含）。"
        f"请在截止日前填报本机构数据、上传佐证材料并提交审核。"
    )
    made: list[Notification] = []
    users = recipients.ranked_reporters().select_related("profile__institution")
    for inst, group in _by_institution(users).items():
        link = report_link(period, inst)
        made += notify(
            group, Message(str(Kind.PERIOD_OPENED), f"period-opened:{period.pk}", subject, body, link)
        )
    return made


def _by_institution(users: Any) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for user in users:
        groups.setdefault(user.profile.institution, []).append(user)
    return groups


def value_returned(step: ReportTransition) -> list[Notification]:
    """The reporters of the value's institution: a reviewer returned it, with the reason."""
    if step.to_status != "returned":
        return []
    report = step.report
    period, inst = report.period, report.institution
    name = _indicator_name(period, report.indicator)
    value = "—" if step.value is None else f"{step.value.normalize():f}"  # 12.000000 → 12
    body = (
        f"{period.label_zh} {inst.name} 的指标 {report.indicator} {name}（填报值 {value}）已被退回。\n"
        f"退回理由：{step.reason or '（未填写）'}\n请按意见修改后重新提交审核。"
    )
    subject = f"{period.label_zh} {report.indicator} 被退回"
    message = Message(
        str(Kind.VALUE_RETURNED), f"returned:{step.pk}", subject, body, report_link(period, inst)
    )
    return notify(recipients.reporters_of(inst), message)


def _indicator_name(period: Period, code: str) -> str:
    try:
        return framework_of(period).node(code).label("zh")
    except (InputError, FrameworkVersion.DoesNotExist):
        return ""


def notice_started(event: PublicationEvent, today: dt.date | None = None) -> list[Notification]:
    """Every reporter and leadership: the ranking is in public notice, with the objection deadline."""
    if event.action not in (PublicationEvent.Action.NOTICE, PublicationEvent.Action.CORRECTED):
        return []
    pub = Publication.objects.select_related("period").get(pk=event.publication_id)
    day = today or timezone.localdate()
    if pub.status != Publication.Status.NOTICE or pub.notice_ends_on is None or pub.notice_ends_on < day:
        return []  # a notice already over (e.g. loaded history) is no news
    again = event.action == PublicationEvent.Action.CORRECTED
    subject = (
        f"{pub.period.label_zh}排行榜{'更正后重新' if again else '开始'}公示（异议截止 {pub.notice_ends_on}）"
    )
    body = (
        f"{pub.title}{'经异议更正后' if again else ''}自 {pub.notice_started_on} 起公示，"
        f"异议截止日期为 {pub.notice_ends_on}（含）。\n"
        f"如对排名或所用数据有异议，请在截止日前向{settings.QIANGJI['ISSUING_UNIT']}提出，写明机构、指标、"
        f"理由和依据；逾期不再受理。公示稿不是最终结果。\n"
        f"县级机构填报员可在本平台提交异议：{absolute(reverse('publication:lodge', args=[pub.period.code]))}"
    )
    link = reverse("publication:period", args=[pub.period.code])
    users = recipients.reporters_and_leadership()
    return notify(users, Message(str(Kind.NOTICE), f"notice:{event.pk}", subject, body, link))


def objections_answered(event: PublicationEvent) -> list[Notification]:
    """Whoever lodged each answered objection of the publication (signed in) and its institution's
    reporters: the outcome and the reply."""
    if event.action != PublicationEvent.Action.REPLY:
        return []
    made: list[Notification] = []
    answered = Objection.objects.filter(publication_id=event.publication_id, replied_at__isnull=False)
    for objection in answered.select_related("publication__period", "institution"):
        made += _objection_answered(objection)
    return made


def _objection_answered(objection: Objection) -> list[Notification]:
    pub = objection.publication
    users = list(recipients.reporters_of(objection.institution)) if objection.institution_id else []
    lodger = _lodged_by(objection)
    if lodger is not None and lodger.is_active and lodger not in users:
        users.append(lodger)
    subject = f"您对{pub.period.label_zh}排行榜的异议已答复：{objection.get_outcome_display()}"
    body = (
        f"{objection.submitted_by} 于 {objection.received_on} 提出的异议已处理，"
        f"结果：{objection.get_outcome_display()}。\n答复：{objection.reply}"
    )
    link = reverse("publication:period", args=[pub.period.code])
    key = f"objection-answered:{objection.pk}"
    return notify(users, Message(str(Kind.OBJECTION_ANSWERED), key, subject, body, link))


def _lodged_by(objection: Objection) -> Any:
    """The signed-in user who lodged ``objection`` (its event in the publication log), if any."""
    event = (
        PublicationEvent.objects.filter(
            publication_id=objection.publication_id,
            action=PublicationEvent.Action.OBJECTION,
            detail__startswith=f"objection #{objection.pk}:",
        )
        .select_related("actor")
        .first()
    )
    return None if event is None else event.actor


def deadlines_near(today: dt.date) -> list[Notification]:
    """Reporters of institutions that have not submitted everything, ``REMIND_DEADLINE_DAYS`` or fewer
    days before a period's reporting deadline."""
    lead = _setting("REMIND_DEADLINE_DAYS", 3)
    made: list[Notification] = []
    periods = Period.objects.filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=lead))
    for period in periods.select_related("framework_version"):
        if period.stage(today) != Stage.REPORTING:
            continue
        for row in progress(period):
            if not row.complete:
                made += notify(
                    recipients.reporters_of(row.institution), _deadline_message(period, row, today)
                )
    return made


def _deadline_message(period: Period, row: InstitutionProgress, today: dt.date) -> Message:
    assert period.deadline is not None
    left = (period.deadline - today).days
    when = "今天" if left == 0 else f"还有 {left} 天"
    body = (
        f"{period.label_zh}的填报将于 {period.deadline} 截止（{when}）。"
        f"{row.institution.name} 应报 {row.expected} 项，已提交 {row.done} 项；"
        f"尚未填写 {row.missing} 项，草稿 {row.count('draft')} 项，"
        f"被退回待修改 {row.count('returned')} 项。请在截止前完成并提交审核。"
    )
    return Message(
        str(Kind.DEADLINE_NEAR),
        f"deadline-near:{period.pk}:{period.deadline}",
        f"{period.label_zh}填报 {when}截止（{period.deadline}）",
        body,
        report_link(period, row.institution),
    )


def rectifications_due(today: dt.date) -> list[Notification]:
    """Reporters of institutions with an open finding due within ``REMIND_RECTIFICATION_DAYS`` days or
    overdue, unless a rectification report already awaits the city's verification."""
    lead = _setting("REMIND_RECTIFICATION_DAYS", 7)
    waiting = Rectification.objects.filter(finding=OuterRef("pk"), status=Rectification.Status.SUBMITTED)
    findings = (
        SupervisionFinding.objects.open_on(today)
        .filter(due_on__lte=today + dt.timedelta(days=lead))
        .exclude(Exists(waiting))
        .select_related("institution")
        .order_by("due_on", "pk")
    )
    made: list[Notification] = []
    for finding in findings:
        made += notify(recipients.reporters_of(finding.institution), _finding_message(finding, today))
    return made


def finding_link(finding: SupervisionFinding) -> str:
    visit = finding.visits.order_by("-visited_on").first()
    if visit is None:
        return reverse("assessment:periods")
    return reverse("assessment:visit", args=[visit.pk]) + "#findings"


def _finding_message(finding: SupervisionFinding, today: dt.date) -> Message:
    kind = finding.get_sub_dimension_display()
    what = f"{kind}（{finding.get_severity_display()}）：{finding.description[:80]}"
    found = f"{finding.found_on} 发现的问题整改期限为 {finding.due_on}"
    if finding.due_on < today:
        late = (today - finding.due_on).days
        return Message(
            str(Kind.RECTIFICATION_OVERDUE),
            f"rectification-overdue:{finding.pk}:{finding.due_on}",
            f"整改已逾期 {late} 天：{finding.institution.name}",
            f"{found}，已逾期 {late} 天，请尽快提交整改报告。\n{what}",
            finding_link(finding),
        )
    left = (finding.due_on - today).days
    return Message(
        str(Kind.RECTIFICATION_DUE),
        f"rectification-due:{finding.pk}:{finding.due_on}",
        f"整改期限将至（{finding.due_on}）：{finding.institution.name}",
        f"{found}（还有 {left} 天），请按期提交整改报告。\n{what}",
        finding_link(finding),
    )


def readiness_slipped(today: dt.date) -> list[Notification]:
    """The city staff and the candidate's own reporters, when an A级 candidate slips (programme/readiness.py):
    projected later than its planned date, or a criterion lost since the previous quarter end."""
    from qiangji.web.programme.readiness import all_readiness
    from qiangji.web.registry.dates import quarter_bounds

    quarter_end = quarter_bounds(today.year, (today.month - 1) // 3 + 1)[1]
    made: list[Notification] = []
    for r in all_readiness(today):
        if not r.slipping:
            continue
        inst = r.candidate.institution
        message = Message(
            str(Kind.READINESS_SLIPPED),
            f"readiness-slipped:{r.candidate.pk}:{quarter_end}",
            f"A级培育进度滞后：{inst.name}",
            f"{inst.name} 满足A级培育条件 {r.met_count}/{len(r.criteria)} 项。{r.slipping_text}。"
            f"\n{r.projection_text}。",
            reverse("programme:readiness") + f"#cand-{inst.code}",
        )
        made += notify((recipients.city_staff() | recipients.reporters_of(inst)).distinct(), message)
    return made


def proposal_decided(proposal: RegistryProposal) -> list[Notification]:
    """The proposer learns that the city accepted or rejected a registry correction (with the reason)."""
    user = proposal.proposed_by
    if not user.is_active:
        return []
    kind = BY_LABEL[proposal.model_label]
    what = f"{kind.title}{proposal.get_action_display()}"
    outcome = proposal.get_status_display()
    subject = _("登记更正申请 #%(pk)s（%(what)s）%(outcome)s") % {
        "pk": proposal.pk,
        "what": what,
        "outcome": outcome,
    }
    body = _("贵机构 %(inst)s 提出的%(what)s申请 %(repr)s 经 %(reviewer)s 审核：%(outcome)s。") % {
        "inst": proposal.institution.name,
        "what": what,
        "repr": proposal.object_repr,
        "reviewer": proposal.reviewed_by,
        "outcome": outcome,
    }
    if proposal.reason:
        body += "\n" + _("审核意见：%(reason)s") % {"reason": proposal.reason}
    link = reverse("registry:proposal", args=[proposal.pk])
    message = Message(str(Notification.Kind.PROPOSAL_DECIDED), f"proposal:{proposal.pk}", subject, body, link)
    return notify([user], message)
