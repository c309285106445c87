"""Training-plan optimiser: a case solved by hand and a brute-force optimum on random small cases."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from qiangji.core.errors import InputError
from qiangji.core.planning import plan_training


def needs(*rows: tuple[str, str, int, str, float]) -> pd.DataFrame:
    cols = ["institution", "topic", "headcount", "mode", "weight"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["discipline"] = "12"
    return frame


def test_it_matches_the_hand_solved_case() -> None:
    # Two quarters, one session per quarter, 30 places per session.
    # Topic A: 40 staff, weight 1, trainers in Q1 and Q2. Topic B: 20 staff, weight 3, trainer in Q1 only.
    # Candidate plans (by hand): {A, A} covers 40·1 = 40; {B in Q1, A in Q2} covers 20·3 + 30·1 = 90;
    # {A in Q1, nothing for B in Q2 (no trainer)} is worse. Optimum 90: B fully, A 30 of 40.
    n = needs(("JJ", "A", 40, "offline", 1.0), ("HY", "B", 20, "either", 3.0))
    r = plan_training(
        n,
        quarters=(1, 2),
        sessions_per_quarter=1,
        capacity=30,
        trainers={("A", 1): 1, ("A", 2): 1, ("B", 1): 1},
    )
    assert r.objective == 90.0
    assert r.total_weighted_demand == 100.0
    assert sorted((s.topic, s.quarter, s.enrolled) for s in r.sessions) == [("A", 2, 30), ("B", 1, 20)]
    assert [(u.institution, u.headcount, u.reason) for u in r.uncovered] == [("JJ", 10, "capacity")]


def test_it_names_each_reason_for_uncovered_demand() -> None:
    n = needs(
        ("JJ", "A", 10, "offline", 5.0),  # covered
        ("HY", "B", 10, "offline", 1.0),  # trainer exists but the only quarter is full
        ("LQ", "C", 10, "online", 1.0),  # no trainer at all
    )
    r = plan_training(
        n, quarters=(1,), sessions_per_quarter=1, capacity=30, trainers={("A", 1): 1, ("B", 1): 1}
    )
    assert {u.institution: u.reason for u in r.uncovered} == {"HY": "quarter_limit", "LQ": "no_trainer"}
    r2 = plan_training(
        needs(("JJ", "A", 50, "offline", 1.0)),
        quarters=(1, 2),
        sessions_per_quarter=3,
        capacity=20,
        trainers={("A", 1): 1},
    )
    assert r2.objective == 20.0 and r2.uncovered[0].reason == "capacity"


def test_it_holds_no_useless_session() -> None:
    # Enough room for four sessions, demand for one: the second solve keeps only one session.
    r = plan_training(
        needs(("JJ", "A", 5, "either", 1.0)),
        quarters=(1, 2),
        sessions_per_quarter=2,
        capacity=30,
        trainers={("A", 1): 2, ("A", 2): 2},
    )
    assert len(r.sessions) == 1 and r.objective == 5.0 and not r.uncovered


def test_it_respects_mode_per_session_capacity() -> None:
    r = plan_training(
        needs(("JJ", "A", 50, "online", 1.0), ("HY", "A", 10, "offline", 1.0)),
        quarters=(1,),
        sessions_per_quarter=1,
        capacity={"online": 100, "offline": 20},
        trainers={("A", 1): 1},
    )
    assert r.objective == 50.0
    assert [(s.mode, s.enrolled, dict(s.allocation)) for s in r.sessions] == [("online", 50, {"JJ": 50})]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"headcount": [-1]}, "`headcount` must be a whole number"),
        ({"weight": [0.0]}, "`weight` must be a finite number > 0"),
        ({"mode": ["mail"]}, "`mode` must be one of"),
    ],
)
def test_it_rejects_bad_needs(change: dict[str, list[object]], fragment: str) -> None:
    n = needs(("JJ", "A", 5, "either", 1.0))
    for col, vals in change.items():
        n[col] = vals
    with pytest.raises(InputError, match=fragment):
        plan_training(n, sessions_per_quarter=1, capacity=10, trainers={})


def test_it_rejects_missing_limits() -> None:
    with pytest.raises(InputError, match="`sessions_per_quarter` must be a whole number"):
        plan_training(
            needs(("JJ", "A", 5, "either", 1.0)),
            quarters=(1, 2),
            sessions_per_quarter={1: 1},
            capacity=10,
            trainers={},
        )


# --- brute force -------------------------------------------------------------------------------------
def best_allocation(frame: pd.DataFrame, seats: dict[tuple[str, int], int]) -> float:
    """Given the seats per (topic, mode), the best weighted allocation by LP (a transportation problem,
    totally unimodular, so the LP optimum is integral)."""
    arcs = [
        (i, key)
        for i, row in frame.iterrows()
        for key in seats
        if key[0] == row["topic"]
        and (row["mode"] == "either" or ("online", "offline")[key[1]] == row["mode"])
    ]
    if not arcs:
        return 0.0
    c = [-frame.at[i, "weight"] for i, _k in arcs]
    a, b = [], []
    for i in frame.index:
        a.append([1.0 if arc[0] == i else 0.0 for arc in arcs])
        b.append(float(frame.at[i, "headcount"]))
    for key, cap in seats.items():
        a.append([1.0 if arc[1] == key else 0.0 for arc in arcs])
        b.append(float(cap))
    res = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    return float(-res.fun)


def brute_force(
    frame: pd.DataFrame,
    qs: tuple[int, ...],
    limit: int,
    cap: tuple[int, int],
    avail: dict[tuple[str, int], int],
) -> float:
    topics = sorted(set(frame["topic"]))
    slots = [(t, q, m) for t in topics for q in qs for m in (0, 1)]
    best = 0.0
    ranges = [range(min(avail.get((t, q), 0), limit) + 1) for t, q, _m in slots]
    for counts in itertools.product(*ranges):
        per_q = {q: 0 for q in qs}
        per_tq: dict[tuple[str, int], int] = {}
        for (t, q, _m), n in zip(slots, counts, strict=True):
            per_q[q] += n
            per_tq[(t, q)] = per_tq.get((t, q), 0) + n
        if max(per_q.values()) > limit or any(v > avail.get(k, 0) for k, v in per_tq.items()):
            continue
        seats: dict[tuple[str, int], int] = {}
        for (t, _q, m), n in zip(slots, counts, strict=True):
            seats[(t, m)] = seats.get((t, m), 0) + n * cap[m]
        best = max(best, best_allocation(frame, {k: v for k, v in seats.items() if v}))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_it_reaches_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    topics = ["A", "B"][: int(rng.integers(1, 3))]
    rows = [
        (
            f"I{k}",
            str(rng.choice(topics)),
            int(rng.integers(1, 12)),
            str(rng.choice(["online", "offline", "either"])),
            float(rng.integers(1, 4)),
        )
        for k in range(int(rng.integers(1, 5)))
    ]
    frame = needs(*rows)
    qs = (1, 2)
    limit = int(rng.integers(1, 3))
    cap = (int(rng.integers(3, 10)), int(rng.integers(2, 8)))
    avail = {(t, q): int(rng.integers(0, 3)) for t in topics for q in qs}
    r = plan_training(
        frame,
        quarters=qs,
        sessions_per_quarter=limit,
        capacity={"online": cap[0], "offline": cap[1]},
        trainers=avail,
    )
    assert r.objective == pytest.approx(brute_force(frame, qs, limit, cap, avail), abs=1e-9)
    # the plan itself is feasible
    assert all(s.enrolled <= s.capacity for s in r.sessions)
    for q in qs:
        assert sum(s.quarter == q for s in r.sessions) <= limit
    for i, got in r.covered.items():
        assert got <= frame.at[i, "headcount"]
