"""Skills competitions: store totals, ranks and awards of an item; team totals; institution results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from qiangji.web.accounts.audit import record_bulk, snapshot
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.comparisons.awards import place, weighted_total
from qiangji.web.comparisons.models import Award, Competition, CompetitionItem, Contestant, Score, Team
from qiangji.web.registry.models import Institution


@transaction.atomic
def rank_item(item: CompetitionItem) -> None:
    """Recompute every total, rank and award of ``item`` from its scores (see awards.py for the rules)."""
    scores = {s.contestant_id: s for s in Score.objects.filter(contestant__item=item)}
    before = {s.pk: snapshot(s) for s in scores.values()}
    placings = place(
        {cid: s.parts for cid, s in scores.items()},
        item.weights,
        item.award_rule,
        min_total=item.award_min_total,
    )
    Award.objects.filter(contestant__item=item).delete()
    for p in placings:
        score = scores[p.key]  # type: ignore[index]
        score.total, score.rank = p.total, p.rank
        if p.level:
            Award.objects.create(contestant_id=p.key, name=p.award, level=p.level)
    Score.objects.bulk_update(scores.values(), ["total", "rank"])
    record_bulk(AuditEvent.Action.UPDATE, scores.values(), before)  # bulk_update sends no signals


def rank_competition(competition: Competition) -> None:
    for item in competition.items.all():
        rank_item(item)


@dataclass(frozen=True)
class TeamTotal:
    team: Team
    total: float
    members: int
    mean: float
    rank: int


def team_totals(competition: Competition) -> list[TeamTotal]:
    """Team total = sum of its members' weighted totals over all items; ranked, ties share a rank."""
    rows = []
    for team in competition.teams.select_related("institution"):
        totals = [
            weighted_total(s.parts, s.contestant.item.weights)
            for s in Score.objects.filter(contestant__team=team).select_related("contestant__item")
        ]
        rows.append((team, round(sum(totals), 6), len(totals)))
    rows.sort(key=lambda r: -r[1])
    out: list[TeamTotal] = []
    for i, (team, total, n) in enumerate(rows):
        rank = out[-1].rank if out and out[-1].total == total else i + 1
        out.append(TeamTotal(team, total, n, total / n if n else 0.0, rank))
    return out


def institution_entries(institution: Institution) -> QuerySet[Contestant]:
    """The institution's contestants with their scores and awards, newest competition first."""
    return (
        Contestant.objects.filter(institution=institution)
        .select_related("item__competition", "staff", "score", "award")
        .order_by("-item__competition__year", "item__name", "score__rank")
    )


def item_table(item: CompetitionItem) -> list[dict[str, Any]]:
    rows = []
    for c in item.contestants.select_related("staff", "institution", "team", "score", "award"):
        score = getattr(c, "score", None)
        award = getattr(c, "award", None)
        rows.append({"contestant": c, "score": score, "award": award.name if award else ""})
    rows.sort(key=lambda r: (r["score"] is None, r["score"].rank if r["score"] else 0))
    return rows
