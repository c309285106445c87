"""Supervision findings (C1.2 and the C1–C4 sub-dimensions), from the city's quarterly visits.

Most findings follow from the defective certificates of the quarter's audit sample (rule and sub-dimension
of the defect); the rest concern the management system (C1) and capability coverage (C2). Improving
institutions close findings on time more often than declining ones; the rest close late, most within two
months of the deadline and a few (7 %) long after it, three to six months. Every finding is closed in the
end: one left open for years would be an accident of the generator, not a story the demo tells (under
framework 2026.1 an overdue 严重/重大 finding keeps an institution out of the first tier). A closure after
2026-06-30 (HORIZON, the end of the demo data) is not recorded: the finding is open at the end of the demo;
the 2026Q1 visit follows up those still open by then (`qiangji.web.assessment.demo.follow_up_findings`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from qiangji.demo.generate.common import HORIZON, day_between, quarter_bounds, quarters, stream
from qiangji.demo.generate.institutions import PROFILES, RANKED, Profile
from qiangji.demo.generate.records import CertificateRec, FindingRec

SUB_DIMENSION = {
    "TR-1": "C4",
    "TR-2": "C4",
    "TR-3": "C3",
    "TR-4": "C4",
    "TR-5": "C4",
    "TR-6": "C3",
    "TR-7": "C4",
    "TR-8": "C3",
}
TEXT = {
    "TR-1": "抽查证书{no}引用的计量标准在检定日期考核证书已失效。",
    "TR-2": "抽查证书{no}所用标准器在检定日期超出溯源有效期。",
    "TR-3": "抽查证书{no}签字人员资质不符合要求。",
    "TR-4": "抽查证书{no}引用的检定规程已废止。",
    "TR-5": "抽查证书{no}环境条件未记录或超出规程要求。",
    "TR-6": "抽查证书{no}有效期超过规程规定的检定周期。",
    "TR-7": "抽查证书{no}未填写原始记录编号。",
    "TR-8": "抽查证书{no}检定项目超出授权范围。",
    "C1": "内部审核或管理评审未按计划完成（示例）。",
    "C2": "部分授权项目注册计量师配备不足两人（示例）。",
}
ON_TIME = {"improving": 0.9, "flat": 0.78, "declining": 0.55}
LONG_OVERDUE = 0.93  # draws above it close three to six months after the deadline


SEVERITIES = (0.75, 0.22, 0.03)  # minor, major, critical


def findings(seed: int, certs: Sequence[CertificateRec]) -> tuple[FindingRec, ...]:
    return visits(seed, "findings", certs, tuple(quarters()), SEVERITIES, HORIZON)


def visits(
    seed: int,
    topic: str,
    certs: Sequence[CertificateRec],
    span: Sequence[tuple[int, int]],
    severities: tuple[float, float, float],
    last_day: dt.date,
) -> tuple[FindingRec, ...]:
    """The findings of the city's visits in the quarters ``span`` (stream ``topic``), drawn with the
    probabilities ``severities``; a closure after ``last_day`` (the end of the data) is not recorded."""
    rows: list[FindingRec] = []
    for profile in PROFILES:
        if profile.code not in RANKED:
            continue
        rng = stream(seed, topic, profile.code)
        mine = [c for c in certs if c.institution == profile.code and c.defect]
        for year, quarter in span:
            first, last = quarter_bounds(year, quarter)
            visit = last - dt.timedelta(days=int(rng.integers(5, 25)))
            found = [c for c in mine if first <= c.verified_on <= visit and rng.random() < 0.6]
            rows += [
                _finding(
                    rng,
                    profile,
                    visit,
                    SUB_DIMENSION[c.defect],
                    c.defect,
                    TEXT[c.defect].format(no=c.cert_no),
                    severities,
                    last_day,
                )
                for c in found
            ]
            for _ in range(int(rng.poisson(0.5))):
                sub = "C1" if rng.random() < 0.6 else "C2"
                rows.append(_finding(rng, profile, visit, sub, "", TEXT[sub], severities, last_day))
    return tuple(rows)


def _finding(
    rng: np.random.Generator,
    profile: Profile,
    found: dt.date,
    sub: str,
    rule: str,
    text: str,
    severities: tuple[float, float, float],
    last_day: dt.date,
) -> FindingRec:
    severity = str(rng.choice(["minor", "major", "critical"], p=list(severities)))
    due = found + dt.timedelta(days=30 if severity != "minor" else 60)
    draw = rng.random()
    if draw < ON_TIME[profile.trajectory]:
        closed: dt.date | None = day_between(rng, found + dt.timedelta(days=3), due)
    elif draw < LONG_OVERDUE:
        closed = due + dt.timedelta(days=int(rng.integers(5, 60)))
    else:  # from the same draw, so that the generator's stream and every other record stay as they were
        closed = due + dt.timedelta(days=90 + int((draw - LONG_OVERDUE) / (1 - LONG_OVERDUE) * 90))
    if closed is not None and closed > last_day:
        closed = None
    return FindingRec(profile.code, "supervision", found, sub, rule, severity, text, due, closed)
