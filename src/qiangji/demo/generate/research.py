"""Research projects, key labs / platforms and research outputs (dimension D5).

Mostly empty, as docs/domain.md#demo-data expects: 温岭 (and the city institute) hold platforms and projects;
椒江
and 天台 make the programme's "zero breakthrough" with a first approved project in 2024 and 2025; in 2026
三门 follows with its first project and platform (the 2026 extension, :mod:`.extension`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qiangji.demo.generate.common import DEMO, stream
from qiangji.demo.generate.institutions import CITY
from qiangji.demo.generate.records import LabRec, OutputRec, ProjectRec

D = dt.date
FUNDER = {"municipal": "台州市科学技术局（示例）", "provincial": "浙江省市场监督管理局（示例）"}

# institution, title, level, approved, finished, amount (CNY)
PROJECTS = (
    ("WL-MI", "小型水泵能效现场测试方法研究", "provincial", D(2022, 5, 10), D(2024, 6, 30), 300_000),
    ("WL-MI", "电机转矩在线校准装置研制", "municipal", D(2024, 4, 18), None, 150_000),
    ("WL-MI", "泵类产品流量计量比对方法研究", "provincial", D(2025, 5, 20), None, 400_000),
    ("JJ-MI", "智能马桶用水效率计量检测方法研究", "municipal", D(2024, 9, 12), None, 120_000),
    ("TT-MI", "输送带拉伸试验机现场校准方法研究", "municipal", D(2025, 6, 3), None, 80_000),
    (CITY, "区域计量数据可信溯源平台研究", "provincial", D(2023, 3, 15), D(2025, 3, 31), 600_000),
    # 2026 (qiangji.demo.generate.extension): 三门's first approved project, its "zero breakthrough"
    ("SM-MI", "橡胶制品硬度计现场校准方法研究", "municipal", D(2026, 3, 10), None, 60_000),
)
# institution, name, level (1 municipal, 2 provincial), approved
LABS = (
    ("WL-MI", "泵与电机能效计量省级重点实验室", 2, D(2021, 11, 20)),
    ("JJ-MI", "医药计量市级创新平台", 1, D(2024, 6, 18)),
    (CITY, "台州市产业计量测试中心", 2, D(2020, 9, 1)),
    # 2026 (qiangji.demo.generate.extension): 三门's first platform, recognised by the city
    ("SM-MI", "橡胶制品产业计量测试市级服务平台", 1, D(2026, 1, 20)),
)
KINDS = ("paper", "paper", "patent", "specification")
OUTPUTS_PER_YEAR = {"WL-MI": 3, CITY: 5, "JJ-MI": 1, "LH-MI": 1}


def projects() -> tuple[ProjectRec, ...]:
    return tuple(
        ProjectRec(
            code,
            f"{title}{DEMO}",
            level,
            FUNDER[level],
            approved,
            finished,
            Decimal(amount),
            f"{FUNDER[level]}立项文件〔{approved.year}〕{n + 21}号",
        )
        for n, (code, title, level, approved, finished, amount) in enumerate(PROJECTS)
    )


def labs() -> tuple[LabRec, ...]:
    return tuple(
        LabRec(code, f"{name}{DEMO}", level, approved, f"认定文件〔{approved.year}〕{n + 3}号{DEMO}")
        for n, (code, name, level, approved) in enumerate(LABS)
    )


def outputs(seed: int) -> tuple[OutputRec, ...]:
    rows = []
    titles = {p.institution: p.title for p in reversed(projects())}
    for code, per_year in OUTPUTS_PER_YEAR.items():
        rng = stream(seed, "research", code)
        for year in (2023, 2024, 2025):
            for k in range(int(rng.poisson(per_year))):
                kind = KINDS[int(rng.integers(0, len(KINDS)))]
                day = D(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
                project = titles.get(code) if rng.random() < 0.5 else None
                if project and next(p for p in projects() if p.title == project).approved_on > day:
                    project = None
                rows.append(
                    OutputRec(
                        code,
                        kind,
                        f"{code}示例成果{year}-{k + 1}{DEMO}",
                        day,
                        f"示例出处{year}-{k + 1}",
                        project,
                    )
                )
    return tuple(rows)
