"""Verification regulations (JJG) and calibration specifications (JJF), one row per edition.

Numbers are synthetic on purpose (JJG 2001…, JJF 3001…, beyond the real series) and every title ends in
（示例）: the demo must not be mistaken for the real regulation register. Each mandatory-verification item has
one JJG with two or three editions; one of them (the electronic price scale's) is superseded mid-quarter
on 2024-05-15, an injected edge case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from qiangji.demo.generate.common import DEMO, choice, stream
from qiangji.demo.generate.records import CatalogueEntry, ItemKey, RegulationRec

MID_QUARTER_ITEM = "电子计价秤"
MID_QUARTER_DAY = dt.date(2024, 5, 15)

# Catalogue item name → (JJF 1022 first-level code, name of the standard that verifies it).
ITEM_STANDARDS = {
    "体温计": ("04", "体温计标准装置"),
    "电子计价秤": ("12", "电子计价秤检定装置"),
    "其他非自动衡器": ("12", "非自动衡器检定用砝码组"),
    "自动衡器": ("12", "自动衡器检定装置"),
    "称重传感器": ("12", "称重传感器检定装置"),
    "流量计": ("12", "液体流量标准装置"),
    "水表": ("12", "水表检定装置"),
    "燃气表": ("12", "膜式燃气表检定装置"),
    "电能表": ("15", "电能表检定装置"),
    "热量表": ("04", "热量表检定装置"),
    "燃油加油机": ("12", "燃油加油机检定装置"),
    "加气机": ("12", "加气机检定装置"),
    "出租汽车计价器": ("25", "出租汽车计价器检定装置"),
    "一般压力表": ("12", "精密压力表标准装置"),
    "数字压力计": ("12", "数字压力计标准装置"),
    "血压计（表）": ("12", "血压计检定装置"),
    "眼压计": ("12", "眼压计检定装置"),
    "验光仪": ("28", "验光仪检定装置"),
    "验光镜片组": ("28", "验光镜片组检定装置"),
    "焦度计": ("28", "焦度计检定装置"),
    "听力计": ("33", "听力计检定装置"),
    "心电图仪": ("15", "心电图仪检定装置"),
    "脑电图仪": ("15", "脑电图仪检定装置"),
    "多参数监护仪": ("15", "多参数监护仪检定装置"),
    "医用超声源": ("33", "医用超声源检定装置"),
    "医用诊断X射线辐射源": ("37", "医用诊断X射线辐射源检定装置"),
    "放射治疗用电离室剂量计": ("37", "治疗水平电离室剂量计标准装置"),
    "活度计": ("37", "活度计检定装置"),
    "机动车测速仪": ("23", "机动车测速仪检定装置"),
    "呼出气体酒精含量检测仪": ("46", "呼出气体酒精含量检测仪检定装置"),
    "有毒有害、易燃易爆气体检测（报警）仪": ("46", "可燃气体检测报警器检定装置"),
    "声级计": ("33", "声级计检定装置"),
    "透射式烟度计": ("28", "透射式烟度计检定装置"),
    "水分测定仪": ("46", "水分测定仪检定装置"),
}

# Calibration standards that serve industry rather than a catalogue item: (discipline, standard name).
CALIBRATION_STANDARDS = (
    ("01", "量块标准装置"),
    ("01", "通用卡尺检定装置"),
    ("01", "千分尺检定装置"),
    ("01", "坐标测量机校准装置"),
    ("04", "工作用热电偶标准装置"),
    ("04", "温湿度试验箱校准装置"),
    ("04", "工作用玻璃液体温度计标准装置"),
    ("12", "力标准机"),
    ("12", "扭矩扳子检定装置"),
    ("12", "洛氏硬度计标准装置"),
    ("12", "材料试验机检定装置"),
    ("15", "直流电阻标准装置"),
    ("15", "数字多用表校准装置"),
    ("15", "绝缘电阻表检定装置"),
    ("23", "射频信号源校准装置"),
    ("25", "秒表检定装置"),
    ("28", "照度计标准装置"),
    ("33", "声校准器标准装置"),
    ("37", "个人剂量计标准装置"),
    ("46", "酸度计标准装置"),
    ("46", "紫外可见分光光度计标准装置"),
)
DISCIPLINES = ("12", "04", "15", "46", "01", "28", "33", "25", "23", "37")  # in order of adoption

CONDITIONS = ((15, 25), (18, 22), (10, 35), (5, 35))


@dataclass(frozen=True)
class RegulationBook:
    """The regulations, with the base code ("JJG 2001") serving each item and each calibration standard."""

    editions: tuple[RegulationRec, ...]
    item_base: dict[ItemKey, str]
    calibration_base: dict[str, str]  # standard name → base
    _by_base: dict[str, list[RegulationRec]] = field(default_factory=dict, compare=False, repr=False)

    def in_force(self, base: str, day: dt.date) -> RegulationRec | None:
        hits = [r for r in self.editions_of(base) if r.in_force_on(day)]
        return max(hits, key=lambda r: r.effective_from) if hits else None

    def editions_of(self, base: str) -> list[RegulationRec]:
        if not self._by_base:
            for r in self.editions:
                self._by_base.setdefault(r.base, []).append(r)
        return self._by_base.get(base, [])

    def superseded_before(self, base: str, day: dt.date) -> RegulationRec | None:
        """The latest edition of ``base`` no longer in force on ``day`` (for a TR-4 defect)."""
        old = [r for r in self.editions_of(base) if r.superseded_on and r.superseded_on <= day]
        return max(old, key=lambda r: r.effective_from) if old else None


def item_discipline(entry: CatalogueEntry) -> tuple[str, str]:
    """Discipline and standard name of a catalogue item (unknown names fall back to 力学)."""
    return ITEM_STANDARDS.get(entry.level2_name, ("12", f"{entry.level2_name}检定装置"))


def regulations(seed: int, catalogue: Sequence[CatalogueEntry]) -> RegulationBook:
    rng = stream(seed, "regulations")
    editions: list[RegulationRec] = []
    item_base: dict[ItemKey, str] = {}
    for i, entry in enumerate(catalogue):
        base = f"JJG {2001 + i}"
        item_base[entry.key] = base
        interval = 12 if entry.mv_form in ("periodic", "") else None
        title = f"{entry.level2_name}检定规程{DEMO}"
        third = MID_QUARTER_DAY if entry.level2_name == MID_QUARTER_ITEM else _maybe_new_edition(rng)
        editions += _editions(rng, base, title, interval, third)
    calibration_base = {}
    for j, (_, name) in enumerate(CALIBRATION_STANDARDS):
        base = f"JJF {3001 + j}"
        calibration_base[name] = base
        title = name.replace("标准装置", "").replace("检定装置", "").replace("校准装置", "")
        editions += _editions(rng, base, f"{title}校准规范{DEMO}", None, None)
    return RegulationBook(tuple(editions), item_base, calibration_base)


def _maybe_new_edition(rng: np.random.Generator) -> dt.date | None:
    if rng.random() >= 0.25:
        return None
    year = int(rng.integers(2023, 2026))
    return dt.date(year, int(rng.integers(1, 13)), int(rng.choice([1, 15])))


def _editions(
    rng: np.random.Generator, base: str, title: str, interval: int | None, third: dt.date | None
) -> list[RegulationRec]:
    first = dt.date(int(rng.integers(2006, 2013)), int(rng.integers(1, 13)), 1)
    second = dt.date(int(rng.integers(2015, 2022)), int(rng.integers(1, 13)), 1)
    starts = [first, second] if third is None else [first, second, third]
    low, high = choice(rng, CONDITIONS)
    humidity = Decimal(int(rng.choice([80, 85])))
    codes = [f"{base}-{_published(day)}" for day in starts]
    rows = []
    for k, start in enumerate(starts):
        later = k + 1 < len(starts)
        rows.append(
            RegulationRec(
                code=codes[k],
                title=title,
                effective_from=start,
                superseded_on=starts[k + 1] if later else None,
                superseded_by=codes[k + 1] if later else None,
                max_interval_months=interval,
                temperature_min_c=Decimal(low),
                temperature_max_c=Decimal(high),
                humidity_max_pct=humidity,
            )
        )
    return rows


def _published(effective: dt.date) -> int:
    """Editions take effect some months after publication: the code's year is the publication year."""
    return effective.year if effective.month > 6 else effective.year - 1
