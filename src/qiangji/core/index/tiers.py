"""Tiers (方阵): cutting the publication order into groups, with a rule that respects rank uncertainty.

The framework's ``tiers`` rule (`qiangji.core.index.rules.TierRule`) says where the cuts may fall. The
nominal cuts are the thirds (more generally ``count`` equal parts) of the order: with n ranked units and
k = ⌈n / count⌉, the cut after position k, 2k, …

``thirds``
    The nominal cuts as they are (framework 2025.1's rule).
``rank_interval``
    A cut may fall after position b only if no unit above it and no unit below it have overlapping 5–95 %
    rank intervals: two units whose intervals overlap are never separated by a tier boundary (Paruolo,
    Saisana & Saltelli, "Ratings and rankings: voodoo or science?", JRSS A 176, 2013: ranks within each
    other's interval are not distinguishable; JRC/OECD *Handbook* 2008, step 7).
``score_gap``
    A cut may fall after position b only if the (published) scores on either side differ by at least
    ``gap`` points.

Each nominal cut moves to the nearest allowed position (at equal distance, the lower one: the benefit of
the doubt goes to the institutions near the boundary). Cuts stay in order; a cut that has no allowed
position, or that would fall at or before the previous cut, is dropped and the tiers below it move up
(with no allowed cut at all every unit is in tier 1). Then the compliance gate's tier caps push a gated
unit down to its cap (`qiangji.core.index.rules`); the others keep their tier.

Example (tests/core/index/test_tiers.py): six units in publication order with rank intervals [1, 2],
[1, 3], [3, 4], [3, 4], [5, 6], [5, 6]; nominal cuts after 2 and 4. A cut after 1, 2, 3 or 5 would separate
overlapping intervals ([1, 2]/[1, 3], [1, 3]/[3, 4], [3, 4]/[3, 4], [5, 6]/[5, 6]); after 4 it separates
none. The first cut moves from 2 to 4; the second has no allowed position after 4 and is dropped: tiers
1, 1, 1, 1, 2, 2 (no third tier this period).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from qiangji.core.errors import InputError
from qiangji.core.index.methods._arrays import FloatArray
from qiangji.core.index.rules import TierRule

Allowed = Callable[[int], bool]


def nominal_cuts(n: int, count: int) -> list[int]:
    """Positions after which the nominal tiers end: k, 2k, … below n (k = ⌈n / count⌉)."""
    k = max(1, math.ceil(n / count))
    return [k * t for t in range(1, count) if k * t < n]


def interval_allows(p05: Sequence[float], p95: Sequence[float]) -> Allowed:
    """``allowed(b)``: no unit in positions 1…b has a rank interval overlapping one in b+1…n."""
    lo, hi = np.asarray(p05, dtype=np.float64), np.asarray(p95, dtype=np.float64)

    def allowed(b: int) -> bool:
        above_lo, above_hi, below_lo, below_hi = lo[:b], hi[:b], lo[b:], hi[b:]
        overlap = (above_lo[:, None] <= below_hi[None, :]) & (below_lo[None, :] <= above_hi[:, None])
        return not bool(overlap.any())

    return allowed


def gap_allows(scores: Sequence[float], gap: float) -> Allowed:
    """``allowed(b)``: the scores at positions b and b+1 differ by at least ``gap`` points."""
    s = np.asarray(scores, dtype=np.float64)
    return lambda b: bool(s[b - 1] - s[b] >= gap)


def place_cuts(n: int, nominal: Sequence[int], allowed: Allowed) -> list[int]:
    """Each nominal cut moved to the nearest allowed position after the previous cut (module docstring)."""
    cuts: list[int] = []
    for cut in nominal:
        floor = cuts[-1] + 1 if cuts else 1
        options = [b for b in range(floor, n) if allowed(b)]
        if options:
            cuts.append(min(options, key=lambda b: (abs(b - cut), -b)))
    return cuts


def assign_tiers(
    rule: TierRule,
    scores: Sequence[float],
    p05: Sequence[float] | None = None,
    p95: Sequence[float] | None = None,
    caps: Sequence[int | None] | None = None,
) -> list[int]:
    """Tier (1 = best) of each unit given in publication order (module docstring).

    ``scores`` are the published totals in publication order; ``p05``/``p95`` the rank intervals (needed by
    ``rank_interval``); ``caps`` the highest tier the gate allows each unit (None: any).
    """
    n = len(scores)
    nominal = nominal_cuts(n, rule.count)
    if rule.rule == "thirds":
        cuts = nominal
    elif rule.rule == "rank_interval":
        if p05 is None or p95 is None or len(p05) != n or len(p95) != n:
            raise InputError("`p05` and `p95` must give every unit's rank interval for rule rank_interval")
        cuts = place_cuts(n, nominal, interval_allows(p05, p95))
    elif rule.rule == "score_gap":
        cuts = place_cuts(n, nominal, gap_allows(scores, float(rule.gap or 0.0)))
    else:
        raise InputError(f"`rule` must be one of thirds, rank_interval, score_gap, got {rule.rule!r}")
    tiers = [1 + sum(1 for c in cuts if pos > c) for pos in range(1, n + 1)]
    if caps is not None:
        tiers = [t if c is None else max(t, c) for t, c in zip(tiers, caps, strict=True)]
    return tiers


def as_array(values: Sequence[float | None]) -> FloatArray:
    """Optional floats as an array (None → NaN)."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


__all__ = ["assign_tiers", "gap_allows", "interval_allows", "nominal_cuts", "place_cuts"]
