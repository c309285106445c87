"""Annual training plan of the city–county assistance programme: which sessions to hold in which quarter.

Problem (an integer programme, solved exactly by HiGHS through :func:`scipy.optimize.milp`)::

    maximise    Σᵢ Σ_(q,m) wᵢ · x[i,q,m]                      (weighted staff places filled)
    subject to  Σ_(q,m) x[i,q,m] ≤ hᵢ                         (need i asks for hᵢ places)
                Σ_(i: topic t) x[i,q,m] ≤ c_m · n[t,q,m]        (places only in sessions held, c_m per mode)
                Σ_m n[t,q,m] ≤ A[t,q]                           (trainer availability per topic and quarter)
                Σ_(t,m) n[t,q,m] ≤ S_q                          (sessions per quarter)
                x[i,q,m] = 0 unless mode m suits need i         (online / offline / either)
                x, n ≥ 0 integer

where a need i is (institution, topic, discipline, headcount hᵢ, preferred mode, priority weight wᵢ) and
n[t,q,m] is the number of sessions of topic t in quarter q and mode m. Among the plans that fill the most
weighted places, a second solve takes one with the fewest sessions (lexicographic optimisation), so the
plan holds no session that covers nothing.

Every need left (partly) uncovered is reported with its reason, checked in this order:

* ``no_trainer``: no trainer for the topic in any quarter;
* ``capacity``: the topic's sessions are held but full (the seats went to higher-priority or equally
  weighted needs) and no further session fits under the trainer or quarter limits;
* ``trainer_limit``: the topic's trainers are fully booked in every quarter;
* ``quarter_limit``: a trainer is free, but every such quarter has reached its session limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from qiangji.core.errors import InputError

MODES = ("online", "offline")
PREFERENCES = ("online", "offline", "either")
REASONS = {
    "no_trainer": "无可用师资",
    "capacity": "已开场次名额已满",
    "trainer_limit": "师资已排满",
    "quarter_limit": "季度场次已达上限",
}
NEED_COLUMNS = ("institution", "topic", "discipline", "headcount", "mode", "weight")


@dataclass(frozen=True)
class PlannedSession:
    """One proposed session: ``enrolled`` places in it, per institution in ``allocation``."""

    topic: str
    quarter: int
    mode: str
    capacity: int
    hours: float
    enrolled: int
    allocation: Mapping[str, int]


@dataclass(frozen=True)
class UncoveredNeed:
    """The part of a need no session covers, and why (a key of :data:`REASONS`)."""

    need: int
    institution: str
    topic: str
    headcount: int
    weight: float
    reason: str

    @property
    def reason_text(self) -> str:
        return REASONS[self.reason]


@dataclass(frozen=True)
class PlanResult:
    """The proposed plan: sessions, covered weighted demand (objective) and what is left uncovered."""

    sessions: tuple[PlannedSession, ...]
    covered: Mapping[int, int]
    uncovered: tuple[UncoveredNeed, ...]
    objective: float
    total_weighted_demand: float
    status: str

    def table(self) -> pd.DataFrame:
        """Sessions as a frame (topic, quarter, mode, capacity, hours, enrolled)."""
        cols = ["topic", "quarter", "mode", "capacity", "hours", "enrolled"]
        return pd.DataFrame([{c: getattr(s, c) for c in cols} for s in self.sessions], columns=cols)


@dataclass(frozen=True)
class _Need:
    institution: str
    topic: str
    headcount: int
    mode: str
    weight: float


@dataclass(frozen=True)
class _Model:
    rows: tuple[_Need, ...]
    topics: tuple[str, ...]
    quarters: tuple[int, ...]
    pairs: tuple[tuple[int, int, int], ...]  # allowed (need, quarter index, mode index) for x
    capacity: tuple[int, int]
    avail: np.ndarray  # (topics, quarters)
    limit: np.ndarray  # (quarters,)

    @property
    def n_x(self) -> int:
        return len(self.pairs)

    @property
    def n_sessions(self) -> int:
        return len(self.topics) * len(self.quarters) * len(MODES)

    def s_index(self, t: int, q: int, m: int) -> int:
        return self.n_x + (t * len(self.quarters) + q) * len(MODES) + m


def plan_training(
    needs: pd.DataFrame,
    *,
    quarters: Sequence[int] = (1, 2, 3, 4),
    sessions_per_quarter: int | Mapping[int, int],
    capacity: int | Mapping[str, int],
    trainers: Mapping[tuple[str, int], int],
    hours: Mapping[str, float] | float = 8.0,
    time_limit: float = 60.0,
) -> PlanResult:
    """Propose the year's sessions that cover the most weighted demand (module docstring).

    Parameters
    ----------
    needs
        One row per need with the columns ``institution, topic, discipline, headcount, mode, weight``;
        ``mode`` is ``online``, ``offline`` or ``either``; ``weight`` > 0 is the priority weight.
    quarters
        Quarters of the year to plan (1–4).
    sessions_per_quarter
        Most sessions (all topics and modes) per quarter, one number or per quarter.
    capacity
        Places per session, one number or per mode (``{"online": 200, "offline": 40}``).
    trainers
        ``(topic, quarter) → most sessions`` the topic's trainers can hold; absent means none.
    hours
        Hours of a session, one number or per topic.

    Examples
    --------
    >>> needs = pd.DataFrame({"institution": ["A", "B"], "topic": ["T", "T"], "discipline": ["12", "12"],
    ...                       "headcount": [20, 15], "mode": ["offline", "either"], "weight": [1.0, 2.0]})
    >>> r = plan_training(needs, quarters=(1,), sessions_per_quarter=1, capacity=30, trainers={("T", 1): 1})
    >>> r.objective, [u.institution for u in r.uncovered]
    (45.0, ['A'])
    """
    model = _model(_check_needs(needs), quarters, sessions_per_quarter, capacity, trainers)
    demand = float(sum(r.headcount * r.weight for r in model.rows))
    if model.n_x == 0:
        return _result(model, np.zeros(model.n_x + model.n_sessions), hours, demand, "optimal")
    first = _solve(model, _coverage_costs(model), None, time_limit)
    best = float(-_coverage_costs(model) @ first)
    fewest = np.concatenate([np.zeros(model.n_x), np.ones(model.n_sessions)])
    second = _solve(model, fewest, best - 1e-6 * max(1.0, best), time_limit)
    return _result(model, second, hours, demand, "optimal")


def _check_needs(needs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(needs, pd.DataFrame):
        raise InputError(f"`needs` must be a DataFrame, got {type(needs).__name__}")
    missing = [c for c in NEED_COLUMNS if c not in needs.columns]
    if missing:
        raise InputError(f"`needs` must have the columns {', '.join(NEED_COLUMNS)}, got no {missing}")
    out = needs.loc[:, list(NEED_COLUMNS)].reset_index(drop=True).copy()
    out["topic"] = out["topic"].astype(str)
    out["institution"] = out["institution"].astype(str)
    for i, row in out.iterrows():
        h, w, mode = row["headcount"], row["weight"], row["mode"]
        if not (float(h) == int(h) and int(h) >= 0):
            raise InputError(f"`headcount` must be a whole number ≥ 0, got {h!r} in row {i}")
        if not (np.isfinite(float(w)) and float(w) > 0):
            raise InputError(f"`weight` must be a finite number > 0, got {w!r} in row {i}")
        if mode not in PREFERENCES:
            raise InputError(f"`mode` must be one of {', '.join(PREFERENCES)}, got {mode!r} in row {i}")
    out["headcount"] = out["headcount"].astype(int)
    out["weight"] = out["weight"].astype(float)
    return out


def _rows(needs: pd.DataFrame) -> tuple[_Need, ...]:
    cols: list[list[Any]] = [
        needs[c].tolist() for c in ("institution", "topic", "headcount", "mode", "weight")
    ]
    return tuple(_Need(str(i), str(t), int(h), str(m), float(w)) for i, t, h, m, w in zip(*cols, strict=True))


def _per(value: int | Mapping[Any, int], keys: Sequence[Any], name: str) -> list[int]:
    got = [value.get(k) for k in keys] if isinstance(value, Mapping) else [value] * len(keys)
    for k, v in zip(keys, got, strict=True):
        if v is None or int(v) != v or v < 0:
            raise InputError(f"`{name}` must be a whole number ≥ 0 for {k}, got {v!r}")
    return [int(v) for v in got if v is not None]


def _model(
    needs: pd.DataFrame,
    quarters: Sequence[int],
    sessions_per_quarter: int | Mapping[int, int],
    capacity: int | Mapping[str, int],
    trainers: Mapping[tuple[str, int], int],
) -> _Model:
    qs = tuple(quarters)
    if not qs or len(set(qs)) != len(qs) or any(q not in (1, 2, 3, 4) for q in qs):
        raise InputError(f"`quarters` must be distinct quarters 1–4, got {list(qs)}")
    caps = _per(capacity, MODES, "capacity")
    if min(caps) < 1:
        raise InputError(f"`capacity` must be at least 1 place per session, got {caps}")
    rows = _rows(needs)
    topics = tuple(sorted({r.topic for r in rows}))
    avail = np.zeros((len(topics), len(qs)))
    for (topic, quarter), count in trainers.items():
        if count < 0 or int(count) != count:
            raise InputError(
                f"`trainers` must map to whole numbers ≥ 0, got {count!r} for {topic} Q{quarter}"
            )
        if topic in topics and quarter in qs:
            avail[topics.index(topic), qs.index(quarter)] = count
    modes = {"online": (0,), "offline": (1,), "either": (0, 1)}
    pairs = tuple(
        (i, q, m)
        for i, r in enumerate(rows)
        if r.headcount > 0
        for q in range(len(qs))
        for m in modes[r.mode]
        if avail[topics.index(r.topic), q] > 0
    )
    limit = np.array(_per(sessions_per_quarter, qs, "sessions_per_quarter"), dtype=float)
    return _Model(rows, topics, qs, pairs, (caps[0], caps[1]), avail, limit)


def _coverage_costs(model: _Model) -> np.ndarray:
    c = np.zeros(model.n_x + model.n_sessions)
    c[: model.n_x] = [-model.rows[i].weight for i, _q, _m in model.pairs]
    return c


def _constraints(model: _Model) -> tuple[coo_array, np.ndarray]:
    """Rows ``A z ≤ ub`` for headcounts, seats, trainers and quarter limits (module docstring)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    ub: list[float] = []

    def add(entries: list[tuple[int, float]], bound: float) -> None:
        r = len(ub)
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        ub.append(bound)

    for i in range(len(model.rows)):
        own = [(k, 1.0) for k, p in enumerate(model.pairs) if p[0] == i]
        if own:
            add(own, float(model.rows[i].headcount))
    topic_of = [model.topics.index(model.rows[i].topic) for i, _q, _m in model.pairs]
    nq = len(model.quarters)
    for t in range(len(model.topics)):
        for q in range(nq):
            for m in range(len(MODES)):
                seats = [(k, 1.0) for k, p in enumerate(model.pairs) if topic_of[k] == t and p[1:] == (q, m)]
                add([*seats, (model.s_index(t, q, m), -float(model.capacity[m]))], 0.0)
            add([(model.s_index(t, q, m), 1.0) for m in range(len(MODES))], float(model.avail[t, q]))
    for q in range(nq):
        add([(model.s_index(t, q, m), 1.0) for t in range(len(model.topics)) for m in range(len(MODES))],
            float(model.limit[q]))  # fmt: skip
    shape = (len(ub), model.n_x + model.n_sessions)
    return coo_array((vals, (rows, cols)), shape=shape), np.array(ub)


def _solve(model: _Model, cost: np.ndarray, min_coverage: float | None, time_limit: float) -> np.ndarray:
    a, ub = _constraints(model)
    cons = [LinearConstraint(a, -np.inf, ub)]
    if min_coverage is not None:
        cons.append(LinearConstraint(-_coverage_costs(model), min_coverage, np.inf))
    res = milp(
        cost,
        constraints=cons,
        integrality=np.ones(cost.size),
        bounds=Bounds(0, np.inf),
        options={"time_limit": time_limit},
    )
    if res.status != 0 or res.x is None:
        raise InputError(f"the training plan could not be solved to optimality: {res.message}")
    return np.asarray(np.round(res.x), dtype=float)


def _result(
    model: _Model, z: np.ndarray, hours: Mapping[str, float] | float, demand: float, status: str
) -> PlanResult:
    covered = dict.fromkeys(range(len(model.rows)), 0)
    for k, (i, _q, _m) in enumerate(model.pairs):
        covered[i] += int(z[k])
    sessions = _sessions(model, z, hours)
    objective = float(sum(covered[i] * model.rows[i].weight for i in covered))
    uncovered = tuple(
        UncoveredNeed(
            i,
            str(model.rows[i].institution),
            str(model.rows[i].topic),
            int(model.rows[i].headcount) - covered[i],
            float(model.rows[i].weight),
            _reason(model, z, i),
        )
        for i in covered
        if covered[i] < model.rows[i].headcount
    )
    return PlanResult(tuple(sessions), covered, uncovered, objective, demand, status)


def _sessions(model: _Model, z: np.ndarray, hours: Mapping[str, float] | float) -> list[PlannedSession]:
    """Split each (topic, quarter, mode) pool of seats over its sessions, filling one after the other."""
    out = []
    for t, topic in enumerate(model.topics):
        h = float(hours.get(topic, 8.0) if isinstance(hours, Mapping) else hours)
        for q, quarter in enumerate(model.quarters):
            for m, mode in enumerate(MODES):
                count = int(z[model.s_index(t, q, m)])
                if count == 0:
                    continue
                seats = [
                    (str(model.rows[i].institution), int(z[k]))
                    for k, (i, qq, mm) in enumerate(model.pairs)
                    if (qq, mm) == (q, m) and model.rows[i].topic == topic and z[k] > 0
                ]
                out.extend(_fill(topic, quarter, mode, model.capacity[m], h, count, seats))
    return out


def _fill(
    topic: str, quarter: int, mode: str, cap: int, hours: float, count: int, seats: list[tuple[str, int]]
) -> list[PlannedSession]:
    queue = list(seats)
    sessions = []
    for _ in range(count):
        alloc: dict[str, int] = {}
        free = cap
        while queue and free:
            inst, n = queue.pop(0)
            take = min(n, free)
            alloc[inst] = alloc.get(inst, 0) + take
            free -= take
            if n > take:
                queue.insert(0, (inst, n - take))
        sessions.append(PlannedSession(topic, quarter, mode, cap, hours, cap - free, alloc))
    return sessions


def _reason(model: _Model, z: np.ndarray, i: int) -> str:
    t = model.topics.index(model.rows[i].topic)
    if not model.avail[t].any():
        return "no_trainer"
    suits = {"online": (0,), "offline": (1,), "either": (0, 1)}[model.rows[i].mode]
    if any(z[model.s_index(t, q, m)] for q in range(len(model.quarters)) for m in suits):
        return "capacity"
    held = [sum(z[model.s_index(t, q, m)] for m in range(len(MODES))) for q in range(len(model.quarters))]
    spare = [q for q in range(len(model.quarters)) if held[q] < model.avail[t, q]]
    if not spare:
        return "trainer_limit"
    return "quarter_limit"


__all__ = ["REASONS", "PlanResult", "PlannedSession", "UncoveredNeed", "plan_training"]
