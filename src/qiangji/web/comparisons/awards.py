"""Weighted totals, ranking and awards of a competition item (pure Python: no Django, no database).

Rules (documented here because they decide prizes):

* total = Σ w_part·score_part / Σ w_part over (theory, practical, data processing), rounded to 6 decimals
  so that the order of floating-point additions cannot split a tie;
* ranking: higher total first; equal totals are separated by the practical score, then data processing,
  then theory (the skills parts decide, as in the national competition's rules); contestants equal on all
  four share a rank ("1, 2, 2, 4");
* awards: the rule {"一等奖": 1, "二等奖": 2, "三等奖": 3} is read best first. Walking down the ranking, a
  group of contestants sharing a rank all receive the best award that still has a place when the group is
  reached, so a tie is never split; places they take beyond their award's count are taken from the
  following awards (the total number of award winners grows only when a tie straddles the last place).
  Nobody below ``min_total`` receives an award.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Placing", "check_rule", "place", "weighted_total"]


def check_rule(rule: object) -> dict[str, int]:
    """The award rule as an ordered dict of name → places ≥ 1, else ValueError naming the problem."""
    if not isinstance(rule, Mapping) or not rule:
        raise ValueError(f"award rule must be a non-empty mapping of award → places, got {rule!r}")
    out: dict[str, int] = {}
    for name, count in rule.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"award names must be non-empty text, got {name!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"places for {name!r} must be an integer ≥ 1, got {count!r}")
        out[name] = count
    return out


def weighted_total(parts: Sequence[float], weights: Sequence[float]) -> float:
    """Σ w·s / Σ w, rounded to 6 decimals; ValueError if the weights do not sum to a positive number."""
    if len(parts) != len(weights):
        raise ValueError(f"need one weight per part, got {len(weights)} weights for {len(parts)} parts")
    total_w = sum(weights)
    if total_w <= 0 or any(w < 0 for w in weights):
        raise ValueError(f"weights must be ≥ 0 with a positive sum, got {list(weights)}")
    return round(sum(w * s for w, s in zip(weights, parts, strict=True)) / total_w, 6)


@dataclass(frozen=True)
class Placing:
    """Where one contestant ended: ``key`` identifies them, ``level`` 1 is the best award (0: none)."""

    key: object
    total: float
    rank: int
    award: str
    level: int


def _sort_key(parts: Sequence[float], total: float) -> tuple[float, ...]:
    theory, practical, data = parts
    return (-total, -practical, -data, -theory)


def place(
    entries: Mapping[object, Sequence[float]],
    weights: Sequence[float],
    rule: Mapping[str, int],
    *,
    min_total: float = 0.0,
) -> list[Placing]:
    """Rank the entries (key → (theory, practical, data)) and give awards by ``rule``; best first."""
    awards = list(check_rule(rule).items())
    scored = [(key, parts, weighted_total(parts, weights)) for key, parts in entries.items()]
    scored.sort(key=lambda e: _sort_key(e[1], e[2]))
    out: list[Placing] = []
    given = 0
    i = 0
    while i < len(scored):
        tie = _sort_key(scored[i][1], scored[i][2])
        group = [e for e in scored[i:] if _sort_key(e[1], e[2]) == tie]
        name, level = _award_for(awards, given, group[0][2], min_total)
        out.extend(Placing(key, total, i + 1, name, level) for key, _, total in group)
        given += len(group) if level else 0
        i += len(group)
    return out


def _award_for(awards: list[tuple[str, int]], given: int, total: float, min_total: float) -> tuple[str, int]:
    """The best award with a place left after ``given`` winners ('' and 0 if none or below the minimum)."""
    if total < min_total:
        return "", 0
    capacity = 0
    for level, (name, count) in enumerate(awards, start=1):
        capacity += count
        if given < capacity:
            return name, level
    return "", 0
