"""Industrial metrology services per quarter (dimension D4), with one missing quarterly report.

Enterprise names are "温岭某12泵业有限公司（示例）": fictitious, tagged with the division's block industry.
Client numbers follow the profile and its trajectory; 三门's report for 2024Q2 is missing (an injected edge
case: a quarter with no rows at all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from qiangji.demo.generate.common import DEMO, EXTENSION, YEARS, stream, trend
from qiangji.demo.generate.institutions import DIVISIONS, MERGED, PROFILES, Profile, division_name
from qiangji.demo.generate.records import ServiceRec

MISSING_REPORT = ("SM-MI", 2024, 2)
SUFFIX = {
    "泵与电机": "泵业",
    "机床工具": "工具",
    "模具": "模具",
    "塑料": "塑业",
    "汽车整车": "汽车",
    "汽摩配": "汽配",
    "汽车机械": "机械",
    "汽车零部件": "汽配",
    "阀门水暖": "阀门",
    "医药化工": "药业",
    "医药": "药业",
    "智能马桶": "洁具",
    "缝制设备": "缝纫机",
    "橡胶制品": "橡胶",
    "橡塑": "橡塑",
    "工艺礼品": "工艺品",
    "户外服装": "服饰",
    "眼镜配件": "眼镜",
    "过滤材料": "滤材",
}
TYPES = ("calibration", "testing", "consulting", "training")
CUMULATIVE = np.cumsum((0.72, 0.2, 0.05, 0.03))


def services(seed: int) -> tuple[ServiceRec, ...]:
    rows: list[ServiceRec] = []
    for profile in PROFILES:
        if profile.code == MERGED:
            continue
        rows += _institution(stream(seed, "services", profile.code), profile)
    return tuple(r for r in rows if (r.institution, r.year, r.quarter) != MISSING_REPORT)


def services_2026(seed: int, boost: Mapping[str, float]) -> tuple[ServiceRec, ...]:
    """2026Q1 and 2026Q2 (:data:`EXTENSION`), on a stream of their own: the same enterprises as before
    (the pool is the first draw of each institution's stream) plus new ones when the client count, which
    follows the trajectory on after 2025 and ``boost`` (an institution's extra growth), outgrows it."""
    rows: list[ServiceRec] = []
    for profile in PROFILES:
        if profile.code == MERGED:
            continue
        pool = _pool(stream(seed, "services", profile.code), profile)
        rng = stream(seed, "services-2026", profile.code)
        year = EXTENSION[0][0]
        count = round(
            profile.clients
            * trend(profile.trajectory, dt.date(year, 4, 1), 0.35, clamp=False)
            * boost.get(profile.code, 1.0)
            * rng.uniform(0.95, 1.05)
        )
        clusters = _clusters(profile)
        pool += [_enterprise(rng, profile, n, clusters) for n in range(len(pool) + 1, count + 1)]
        for i in rng.choice(len(pool), size=count, replace=False):
            rows += _client_year(rng, profile, year, pool[int(i)])
    quarters = {q for y, q in EXTENSION}
    return tuple(r for r in rows if r.quarter in quarters)


def _clusters(profile: Profile) -> tuple[str, ...]:
    return next(d.block_industries for d in DIVISIONS if d.code == profile.division)


def _pool(rng: np.random.Generator, profile: Profile) -> list[tuple[str, str]]:
    clusters = _clusters(profile)
    return [_enterprise(rng, profile, n, clusters) for n in range(1, round(profile.clients * 1.6) + 1)]


def _institution(rng: np.random.Generator, profile: Profile) -> list[ServiceRec]:
    pool = _pool(rng, profile)
    rows = []
    for year in YEARS:
        count = round(
            profile.clients * trend(profile.trajectory, dt.date(year, 7, 1), 0.35) * rng.uniform(0.95, 1.05)
        )
        for i in rng.choice(len(pool), size=min(count, len(pool)), replace=False):
            rows += _client_year(rng, profile, year, pool[int(i)])
    return rows


def _enterprise(
    rng: np.random.Generator, profile: Profile, n: int, clusters: tuple[str, ...]
) -> tuple[str, str]:
    tag = clusters[int(np.searchsorted(np.cumsum(_cluster_weights(len(clusters))), rng.random()))]
    prefix = division_name(profile.division)[:2]
    return f"{prefix}某{n}{SUFFIX.get(tag, '实业')}有限公司{DEMO}", tag


def _cluster_weights(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1)  # the first (main) block industry dominates
    return weights / weights.sum()


def _client_year(
    rng: np.random.Generator, profile: Profile, year: int, client: tuple[str, str]
) -> list[ServiceRec]:
    name, tag = client
    quarters = sorted(int(q) + 1 for q in rng.permutation(4)[: int(rng.integers(1, 4))])
    rows = []
    for quarter in quarters:
        kind = TYPES[min(len(TYPES) - 1, int(np.searchsorted(CUMULATIVE, rng.random(), side="right")))]
        certificates = (
            0 if kind in ("consulting", "training") else 1 + int(rng.poisson(rng.lognormal(1.6, 0.6)))
        )
        revenue = Decimal(str(round(max(certificates, 1) * rng.uniform(120, 380), 2)))
        rows.append(ServiceRec(profile.code, year, quarter, name, tag, kind, certificates, revenue))
    return rows
