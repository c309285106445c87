"""The nine divisions, the institutions with their archetypes and trajectories, names, grades, the merger.

Archetypes and trajectories follow docs/domain.md#demo-data; division data follows docs/domain.md#taizhou.
Every institution name ends
in （示例）: these are not the real institutions of these divisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qiangji.demo.generate.common import DEMO
from qiangji.demo.generate.records import (
    DivisionRec,
    GradeRec,
    InstitutionRec,
    NameRec,
    SuccessionRec,
)

CITY = "TZ-MI"
MERGED = "LH-QI"  # absorbed by LH-MI in year 2
MERGER_DAY = dt.date(2024, 7, 1)
GRADE_DOC = "台州市市场监督管理局（示例）等级评定文件〔{year}〕{n}号"


@dataclass(frozen=True)
class Profile:
    """Size, capability and trajectory of one institution (docs/domain.md#demo-data magnitudes)."""

    code: str
    division: str
    archetype: str  # large / industrial / mixed / small / city / absorbed
    trajectory: str  # improving / flat / declining
    staff: int
    disciplines: int
    standards: int  # public standards at the start of the programme (approx.)
    mv_items: int
    rm_start: float  # share of verification staff registered on 2023-01-01
    rm_end: float  # ... on 2025-12-31
    level1_share: float
    clients: int  # industrial clients per year at the start
    annual_volume: int  # mandatory verifications per year at the start
    defect_rate: float  # share of sampled certificates with a traceability defect at the start


DIVISIONS = (
    DivisionRec("JJ", "椒江区", "Jiaojiang", "district", ("医药化工", "智能马桶", "缝制设备", "光电")),
    DivisionRec("HY", "黄岩区", "Huangyan", "district", ("模具", "塑料", "电动车", "食品饮料")),
    DivisionRec("LQ", "路桥区", "Luqiao", "district", ("汽车整车", "金属再生", "日用塑料")),
    DivisionRec("LH", "临海市", "Linhai", "county_city", ("汽车机械", "医药", "休闲用品")),
    DivisionRec("WL", "温岭市", "Wenling", "county_city", ("泵与电机", "机床工具", "鞋服", "汽摩配")),
    DivisionRec("YH", "玉环市", "Yuhuan", "county_city", ("汽摩配", "阀门水暖", "眼镜配件", "家电")),
    DivisionRec("TT", "天台县", "Tiantai", "county", ("汽车零部件", "橡塑", "过滤材料")),
    DivisionRec("XJ", "仙居县", "Xianju", "county", ("工艺礼品", "医药")),
    DivisionRec("SM", "三门县", "Sanmen", "county", ("橡胶制品", "户外服装", "水产养殖")),
)

# code, division, archetype, trajectory, staff, disciplines, standards, mv items, RM start/end, level-1
# share, clients, annual volume, defect rate
PROFILES = (
    Profile("WL-MI", "WL", "large", "flat", 118, 9, 92, 32, 0.90, 0.91, 0.30, 1350, 140_000, 0.015),
    Profile("JJ-MI", "JJ", "industrial", "improving", 64, 7, 52, 27, 0.82, 0.93, 0.22, 620, 58_000, 0.05),
    Profile("HY-MI", "HY", "industrial", "declining", 58, 7, 50, 25, 0.88, 0.74, 0.20, 560, 52_000, 0.025),
    Profile("LQ-MI", "LQ", "mixed", "flat", 44, 6, 38, 22, 0.84, 0.85, 0.18, 360, 34_000, 0.035),
    Profile("LH-MI", "LH", "mixed", "improving", 47, 6, 40, 24, 0.81, 0.92, 0.16, 400, 38_000, 0.04),
    Profile("YH-MI", "YH", "mixed", "declining", 41, 5, 36, 21, 0.74, 0.64, 0.15, 330, 30_000, 0.04),
    Profile("TT-MI", "TT", "small", "improving", 22, 4, 18, 17, 0.52, 0.87, 0.10, 120, 12_000, 0.09),
    Profile("XJ-MI", "XJ", "small", "flat", 16, 3, 13, 15, 0.46, 0.50, 0.07, 70, 7_000, 0.10),
    Profile("SM-MI", "SM", "small", "improving", 19, 3, 15, 16, 0.60, 0.82, 0.08, 90, 9_000, 0.08),
    Profile(CITY, "JJ", "city", "flat", 210, 10, 190, 33, 0.93, 0.94, 0.35, 1500, 150_000, 0.01),
    Profile(MERGED, "LH", "absorbed", "flat", 16, 2, 5, 3, 0.55, 0.55, 0.10, 0, 4_000, 0.05),
)
PROFILE = {p.code: p for p in PROFILES}
RANKED = tuple(p.code for p in PROFILES if p.archetype not in ("city", "absorbed"))


def division_name(code: str) -> str:
    return next(d.name for d in DIVISIONS if d.code == code)


def institutions() -> tuple[InstitutionRec, ...]:
    rows = [_county(p) for p in PROFILES if p.code in RANKED]
    rows.append(
        InstitutionRec(
            code=CITY,
            name=f"台州市计量技术研究院{DEMO}",
            level="city",
            legal_type="established",
            divisions=("JJ", "HY", "LQ"),
            is_ranked=False,
            authorisation_cert_no=f"示例量法〔2019〕{CITY}",
            established_on=dt.date(1979, 6, 1),
            address=f"台州市椒江区某某路1号{DEMO}",
        )
    )
    rows.append(
        InstitutionRec(
            code=MERGED,
            name=f"临海市产品质量检验所{DEMO}",
            level="county",
            legal_type="authorised",
            divisions=("LH",),
            is_ranked=False,
            authorisation_cert_no=f"示例量授〔2018〕{MERGED}",
            established_on=dt.date(2003, 3, 1),
            dissolved_on=MERGER_DAY,
            address=f"临海市某某街道某某路8号{DEMO}",
        )
    )
    return tuple(rows)


def _county(p: Profile) -> InstitutionRec:
    name = division_name(p.division)
    current = f"临海市检验检测研究院{DEMO}" if p.code == "LH-MI" else f"{name}计量检定所{DEMO}"
    return InstitutionRec(
        code=p.code,
        name=current,
        level="county",
        legal_type="established",
        divisions=(p.division,),
        is_ranked=True,
        authorisation_cert_no=f"示例量法〔2020〕{p.code}",
        established_on=dt.date(1985 + len(p.code) + RANKED.index(p.code), 1, 1),
        address=f"{name}某某路{RANKED.index(p.code) + 10}号{DEMO}",
    )


def names() -> tuple[NameRec, ...]:
    """LH-MI was 临海市计量检定所 until the merger, then took the name of the integrated centre."""
    doc = f"临海市机构编制委员会（示例）文件〔2024〕{MERGER_DAY.month}号"
    return (
        NameRec("LH-MI", f"临海市计量检定所{DEMO}", dt.date(1993, 1, 1), MERGER_DAY, doc),
        NameRec("LH-MI", f"临海市检验检测研究院{DEMO}", MERGER_DAY, None, doc),
    )


def successions() -> tuple[SuccessionRec, ...]:
    doc = f"临海市机构编制委员会（示例）文件〔2024〕{MERGER_DAY.month}号"
    return (SuccessionRec(MERGED, "LH-MI", "merger", MERGER_DAY, doc),)


# Grade history: (institution, grade, effective date). Two new A grades in 2025 meet the programme goal.
GRADES = (
    ("WL-MI", "A", dt.date(2021, 12, 1)),
    ("JJ-MI", "B", dt.date(2021, 12, 1)),
    ("JJ-MI", "A", dt.date(2025, 6, 30)),
    ("HY-MI", "B", dt.date(2021, 12, 1)),
    ("LQ-MI", "B", dt.date(2021, 12, 1)),
    ("LH-MI", "B", dt.date(2021, 12, 1)),
    ("LH-MI", "A", dt.date(2025, 6, 30)),
    ("YH-MI", "B", dt.date(2021, 12, 1)),
    ("YH-MI", "C", dt.date(2024, 12, 20)),
    ("TT-MI", "C", dt.date(2021, 12, 1)),
    ("TT-MI", "B", dt.date(2024, 12, 20)),
    ("XJ-MI", "unrated", dt.date(2021, 12, 1)),
    ("SM-MI", "C", dt.date(2021, 12, 1)),
    (CITY, "A", dt.date(2021, 12, 1)),
)


def grades() -> tuple[GradeRec, ...]:
    return tuple(
        GradeRec(code, grade, day, GRADE_DOC.format(year=day.year, n=10 + i))
        for i, (code, grade, day) in enumerate(GRADES)
    )
