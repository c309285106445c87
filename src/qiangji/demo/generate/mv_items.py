"""Authorised mandatory-verification items per institution (计量授权证书附表), from the loaded catalogue.

An institution is authorised only for items whose verifying standard falls in a discipline it covers.
Improving institutions gain items during the programme, declining ones give some up; the absorbed
institute's items pass to its successor on the merger day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from qiangji.demo.generate.common import DEMO, START, day_between, stream
from qiangji.demo.generate.institutions import MERGED, MERGER_DAY, PROFILES, Profile
from qiangji.demo.generate.records import CatalogueEntry, MVItemRec
from qiangji.demo.generate.regulations import DISCIPLINES, item_discipline


def disciplines(profile: Profile) -> tuple[str, ...]:
    """The JJF 1022 first-level codes an institution covers: the most basic ones first."""
    return DISCIPLINES[: profile.disciplines]


def mv_items(seed: int, catalogue: Sequence[CatalogueEntry]) -> tuple[MVItemRec, ...]:
    rows: list[MVItemRec] = []
    for profile in PROFILES:
        rows += _institution_items(stream(seed, "mv_items", profile.code), profile, catalogue)
    rows += _transferred(rows)
    return tuple(rows)


def _institution_items(
    rng: np.random.Generator, profile: Profile, catalogue: Sequence[CatalogueEntry]
) -> list[MVItemRec]:
    covered = set(disciplines(profile))
    eligible = [e for e in catalogue if item_discipline(e)[0] in covered]
    count = min(profile.mv_items, len(eligible))
    chosen = [eligible[int(i)] for i in sorted(rng.choice(len(eligible), size=count, replace=False))]
    volumes = rng.dirichlet(np.full(count, 1.5)) * profile.annual_volume
    gained = {"improving": 3, "flat": 0, "declining": 0}[profile.trajectory]
    dropped = 2 if profile.trajectory == "declining" else 0
    late = set(int(i) for i in rng.choice(count, size=gained, replace=False)) if gained else set()
    rest = [i for i in range(count) if i not in late]
    gone = set(int(i) for i in rng.choice(rest, size=dropped, replace=False)) if dropped else set()
    doc = f"计量授权证书附表{DEMO}（{profile.code}）"
    rows = []
    for i, entry in enumerate(chosen):
        start = day_between(rng, dt.date(2012, 1, 1), dt.date(2022, 6, 30))
        if i in late:
            start = day_between(rng, START, dt.date(2025, 9, 30))
        end = day_between(rng, dt.date(2023, 6, 1), dt.date(2025, 6, 30)) if i in gone else None
        if profile.code == MERGED:
            end = MERGER_DAY - dt.timedelta(days=1)
        rows.append(MVItemRec(profile.code, entry.key, start, end, max(1, round(float(volumes[i]))), doc))
    return rows


def _transferred(rows: list[MVItemRec]) -> list[MVItemRec]:
    """Items of the absorbed institute that its successor was not yet authorised for."""
    held = {r.item for r in rows if r.institution == "LH-MI" and r.authorised_to is None}
    doc = f"计量授权证书附表{DEMO}（LH-MI，合并后换发）"
    return [
        MVItemRec("LH-MI", r.item, MERGER_DAY, None, r.annual_volume, doc)
        for r in rows
        if r.institution == MERGED and r.item not in held
    ]


def authorised(items: Sequence[MVItemRec], code: str, day: dt.date) -> list[MVItemRec]:
    return [r for r in items if r.institution == code and r.authorised_on(day)]
