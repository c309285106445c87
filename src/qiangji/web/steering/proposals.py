"""Next year's training needs proposed from the records: what the office may accept into the needs table.

Sources, as of a date (a proposal per institution and suggested topic, with every reason behind it):

* weakness — registered-metrologist coverage below the target: the 考前辅导 topic, headcount = the
  registrations still needed (``programme.metrics.registrations_needed``);
* findings open on the date: a topic of the kind their sub-dimension calls for (C1/C4 knowledge,
  C2/C3 practice), one place per finding;
* unsatisfactory comparison results (|En| > 1) evaluated in the year up to the date: the practice topic
  closest to the measurand, two places (the minimum staff per item);
* competition scores below the pass mark (60) in the year: the topic closest to the event item, one place
  per contestant.

The topic is a suggestion (closest by shared characters of the names); the office may change it when it
accepts (:func:`accept`), which adds the need, or raises the headcount of the institution's existing need
for that topic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from qiangji.web.comparisons.models import LabResult, Score
from qiangji.web.programme.metrics import registrations_needed
from qiangji.web.programme.models import Attendance, TrainingNeed, TrainingTopic
from qiangji.web.registry.models import Institution, SupervisionFinding

KIND_FOR_SUBDIMENSION = {"C1": "knowledge", "C2": "practice", "C3": "practice", "C4": "knowledge"}
MIN_STAFF_PER_ITEM = 2


@dataclass
class Proposal:
    institution: Institution
    topic: TrainingTopic
    headcount: int = 0
    reasons: list[str] = field(default_factory=list)
    accepted: bool = False  # the institution's needs of the year hold this topic already


Add = Callable[[Institution, TrainingTopic, int, str], None]


def closest_topic(text: str, topics: Sequence[TrainingTopic], kind: str = "practice") -> TrainingTopic:
    """The topic sharing most characters with ``text`` (ties: the first by code); none shares one →
    the first topic of ``kind``, else the first topic."""
    chars = set(text)
    best = max(topics, key=lambda t: (len(chars & set(t.name)), -topics.index(t)))
    if chars & set(best.name):
        return best
    return next((t for t in topics if t.kind == kind), topics[0])


def proposals(year: int, as_of: dt.date) -> list[Proposal]:
    topics = list(TrainingTopic.objects.order_by("code"))
    if not topics:
        return []
    found: dict[tuple[int, int], Proposal] = {}

    def add(inst: Institution, topic: TrainingTopic, n: int, reason: str) -> None:
        p = found.setdefault((inst.pk, topic.pk), Proposal(inst, topic))
        p.headcount += n
        p.reasons.append(reason)

    counties = list(Institution.objects.active_on(as_of).filter(level=Institution.Level.COUNTY))
    _rm(counties, topics, as_of, add)
    _findings(counties, topics, as_of, add)
    _comparisons(counties, topics, as_of, add)
    _competitions(counties, topics, as_of, add)
    held = set(TrainingNeed.objects.filter(year=year).values_list("institution_id", "topic_id"))
    out = sorted(found.values(), key=lambda p: (p.institution.code, p.topic.code))
    for p in out:
        p.accepted = (p.institution.pk, p.topic.pk) in held
    return out


def _rm(counties: list[Institution], topics: list[TrainingTopic], day: dt.date, add: Add) -> None:
    exam = next((t for t in topics if t.kind == TrainingTopic.Kind.EXAM), None)
    if exam is None:
        return
    target = Decimal(str(settings.QIANGJI["RM_COVERAGE_TARGET_PCT"]))
    for inst in counties:
        cov = inst.rm_coverage_on(day)
        k = registrations_needed(cov.numerator, cov.denominator, target) if cov.denominator else 0
        if k:
            add(
                inst,
                exam,
                k,
                _("注册计量师覆盖率 %(pct)s%%（%(n)s/%(d)s），差 %(k)s 人")
                % {"pct": cov.percent, "n": cov.numerator, "d": cov.denominator, "k": k},
            )


def _findings(counties: list[Institution], topics: list[TrainingTopic], day: dt.date, add: Add) -> None:
    rows = (
        SupervisionFinding.objects.open_on(day).filter(institution__in=counties).select_related("institution")
    )
    for f in rows.order_by("institution", "found_on", "pk"):
        kind = KIND_FOR_SUBDIMENSION.get(f.sub_dimension, "knowledge")
        topic = closest_topic(f.description, [t for t in topics if t.kind == kind] or topics, kind)
        reason = _("未关闭督导问题（%(day)s）：%(finding)s") % {
            "day": f.found_on.isoformat(),
            "finding": f.description,
        }
        add(f.institution, topic, 1, reason)


def _comparisons(counties: list[Institution], topics: list[TrainingTopic], day: dt.date, add: Add) -> None:
    rows = LabResult.objects.filter(
        participant__institution__in=counties,
        verdict=LabResult.Verdict.UNSATISFACTORY,
        evaluation__evaluated_at__date__gt=day - dt.timedelta(days=365),
        evaluation__evaluated_at__date__lte=day,
    ).select_related("participant__institution", "evaluation__round", "evaluation__point")
    practice = [t for t in topics if t.kind == TrainingTopic.Kind.PRACTICE] or topics
    for r in rows.order_by("participant__institution", "pk"):
        rnd = r.evaluation.round
        topic = closest_topic(f"{rnd.quantity}{rnd.name}", practice)
        en = "—" if r.en is None else f"{abs(r.en):.2f}"
        reason = _("比对不满意：%(round)s %(quantity)s %(point)s，|En| = %(en)s") % {
            "round": rnd.code,
            "quantity": rnd.quantity,
            "point": r.evaluation.point.label,
            "en": en,
        }
        add(r.participant.institution, topic, MIN_STAFF_PER_ITEM, reason)


def _competitions(counties: list[Institution], topics: list[TrainingTopic], day: dt.date, add: Add) -> None:
    rows = Score.objects.filter(
        contestant__institution__in=counties,
        total__lt=float(Attendance.PASS_MARK),
        contestant__item__competition__held_from__gt=day - dt.timedelta(days=365),
        contestant__item__competition__held_from__lte=day,
    ).select_related("contestant__institution", "contestant__item__competition", "contestant__staff")
    for s in rows.order_by("contestant__institution", "pk"):
        item = s.contestant.item
        topic = closest_topic(item.name, [t for t in topics if t.kind != TrainingTopic.Kind.EXAM] or topics)
        reason = _("比武成绩 %(score)s 分低于 60 分：%(competition)s %(item)s") % {
            "score": f"{s.total:.1f}",
            "competition": item.competition.name,
            "item": item.name,
        }
        add(s.contestant.institution, topic, 1, reason)


def accept(
    inst: Institution, topic: TrainingTopic, year: int, headcount: int, reasons: str, day: dt.date
) -> str:
    """Put the proposal into the needs table (high priority); returns what was done, in Chinese."""
    note = (_("市级建议：%(reasons)s") % {"reasons": reasons})[:200]
    with transaction.atomic():
        need = (
            TrainingNeed.objects.select_for_update().filter(institution=inst, year=year, topic=topic).first()
        )
        if need is None:
            TrainingNeed.objects.create(
                institution=inst,
                year=year,
                topic=topic,
                headcount=headcount,
                priority=TrainingNeed.Priority.HIGH,
                submitted_on=day,
                note=note,
                discipline=topic.discipline,
            )
            return _("已加入 %(year)s 年培训需求：%(inst)s %(topic)s %(n)s 人") % {
                "year": year,
                "inst": inst.name,
                "topic": topic.name,
                "n": headcount,
            }
        if need.headcount >= headcount:
            return _("%(inst)s 已填报 %(topic)s %(n)s 人，未改动") % {
                "inst": inst.name,
                "topic": topic.name,
                "n": need.headcount,
            }
        need.headcount = headcount
        need.save(update_fields=["headcount", "updated_at"])
        return _("已将 %(inst)s %(topic)s 的需求人数提高到 %(n)s 人") % {
            "inst": inst.name,
            "topic": topic.name,
            "n": headcount,
        }


def by_institution(rows: list[Proposal]) -> dict[str, list[Proposal]]:
    out: defaultdict[str, list[Proposal]] = defaultdict(list)
    for p in rows:
        out[p.institution.name].append(p)
    return dict(out)
