"""Skills competitions: weighted totals, the documented tie rule, awards by rule, teams, the fragment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qiangji.web.comparisons.awards import check_rule, place, weighted_total
from qiangji.web.comparisons.competitions import rank_item, team_totals
from qiangji.web.comparisons.models import Competition, CompetitionItem, Contestant, Score, Team
from qiangji.web.registry.models import Staff

from .conftest import D

RULE = {"一等奖": 1, "二等奖": 2, "三等奖": 3}
W = (0.3, 0.5, 0.2)


def test_it_weights_the_parts() -> None:
    # 0.3·80 + 0.5·90 + 0.2·70 = 24 + 45 + 14 = 83
    assert weighted_total((80, 90, 70), W) == 83.0
    assert weighted_total((80, 90, 70), (30, 50, 20)) == 83.0  # weights are relative


def test_it_gives_one_two_three() -> None:
    entries = {k: (s, s, s) for k, s in zip("abcdefg", (99, 98, 97, 96, 95, 94, 93), strict=True)}
    out = place(entries, W, RULE)
    assert [(p.key, p.award) for p in out] == [
        ("a", "一等奖"),
        ("b", "二等奖"),
        ("c", "二等奖"),
        ("d", "三等奖"),
        ("e", "三等奖"),
        ("f", "三等奖"),
        ("g", ""),
    ]


def test_equal_totals_are_separated_by_the_practical_score() -> None:
    a, b = (100, 80, 80), (80, 92, 80)  # a: 30 + 40 + 16 = 86; b: 24 + 46 + 16 = 86
    assert weighted_total(a, W) == weighted_total(b, W) == 86.0
    out = place({"a": a, "b": b}, W, RULE)
    assert [(p.key, p.rank, p.award) for p in out] == [("b", 1, "一等奖"), ("a", 2, "二等奖")]


def test_a_full_tie_shares_rank_and_award() -> None:
    out = place({"a": (90, 90, 90), "b": (90, 90, 90), "c": (80, 80, 80), "d": (70, 70, 70)}, W, RULE)
    assert [(p.key, p.rank, p.award) for p in out] == [
        ("a", 1, "一等奖"),
        ("b", 1, "一等奖"),
        ("c", 3, "二等奖"),
        ("d", 4, "三等奖"),
    ]


def test_a_tie_on_the_last_place_is_not_split() -> None:
    out = place({"a": (90,) * 3, "b": (80,) * 3, "c": (80,) * 3}, W, {"一等奖": 1, "二等奖": 1})
    assert [p.award for p in out] == ["一等奖", "二等奖", "二等奖"]


def test_nobody_below_the_minimum_wins() -> None:
    out = place({"a": (90,) * 3, "b": (50,) * 3}, W, RULE, min_total=60)
    assert [p.award for p in out] == ["一等奖", ""]


@pytest.mark.parametrize("rule", [{}, {"一等奖": 0}, {"": 1}, {"一等奖": 1.5}, ["一等奖"]])
def test_it_rejects_bad_rules(rule: Any) -> None:
    with pytest.raises(ValueError, match=r"award|places"):
        check_rule(rule)


@pytest.fixture
def competition(world: dict[str, Any]) -> dict[str, Any]:
    comp = Competition.objects.create(
        name="2025 年台州市计量技能大比武（示例）", year=2025, held_from=D(2025, 6, 1)
    )
    item = CompetitionItem.objects.create(
        competition=comp, name="燃油加油机", award_rule={"一等奖": 1, "二等奖": 1}
    )
    c1, c2, _ = world["labs"]
    t1 = Team.objects.create(competition=comp, institution=c1, name="一队")
    t2 = Team.objects.create(competition=comp, institution=c2, name="二队")
    people = []
    for inst, team, parts in ((c1, t1, (90, 90, 90)), (c1, t1, (60, 60, 60)), (c2, t2, (80, 80, 80))):
        s = Staff.objects.create(institution=inst, name=f"选手{len(people) + 1}", hired_on=D(2015, 1, 1))
        c = Contestant.objects.create(item=item, staff=s, institution=inst, team=team)
        Score.objects.create(contestant=c, theory=parts[0], practical=parts[1], data_processing=parts[2])
        people.append(c)
    rank_item(item)
    return {"competition": comp, "item": item, "people": people, "teams": (t1, t2)}


def test_it_stores_ranks_and_awards(competition: dict[str, Any]) -> None:
    first, last, second = competition["people"]
    assert (Score.objects.get(contestant=first).rank, first.award.name) == (1, "一等奖")
    assert (Score.objects.get(contestant=second).rank, second.award.name) == (2, "二等奖")
    assert Score.objects.get(contestant=last).rank == 3 and not hasattr(
        Contestant.objects.get(pk=last.pk), "award"
    )


def test_it_totals_teams(competition: dict[str, Any]) -> None:
    rows = team_totals(competition["competition"])
    assert [(r.team.name, r.total, r.rank) for r in rows] == [("一队", 150.0, 1), ("二队", 80.0, 2)]


def test_the_institution_fragment_shows_awards(competition: dict[str, Any], world: dict[str, Any]) -> None:
    c = Client()
    c.force_login(world["users"][0])
    html = c.get("/comparisons/institutions/C1/").content.decode()
    assert "燃油加油机" in html and "一等奖" in html and "选手1" in html
    page = c.get(f"/comparisons/competitions/{competition['competition'].pk}/").content.decode()
    assert "一队" in page and "150.00" in page
