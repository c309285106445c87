"""A级 readiness criteria: the versioned checklist file and the evidence of each criterion, derived from
the registry as of a date (standards, registrations, authorised items, findings, comparisons, research;
computed for many institutions and days at once in `qiangji.web.programme.evidence`).

The checklist (``data/a_grade_criteria.yaml``, or the file named by ``QIANGJI_A_GRADE_CRITERIA``) is a
proposal to confirm with the bureau (docs/domain.md §2.8): each criterion names an evidence function of
:data:`EVIDENCE`, a comparison (``>=`` or ``<=``) and a threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import get_language

from qiangji.core.errors import InputError
from qiangji.web.programme.evidence import BATCHES, SHOWN, Batch, Evidence
from qiangji.web.registry.models import Institution


def _english() -> bool:
    return (get_language() or "").startswith("en")


DATA = Path(__file__).resolve().parent / "data"
__all__ = ["BATCHES", "EVIDENCE", "SHOWN", "Checklist", "Criterion", "Evidence", "load_checklist"]


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    metric: str
    op: str
    threshold: float
    unit: str
    name_en: str = ""
    unit_en: str = ""

    @property
    def label(self) -> str:
        """The name in the request's language (the file's ``name_en`` on an English page, if given)."""
        return self.name_en if _english() and self.name_en else self.name

    @property
    def unit_label(self) -> str:
        """The unit as written after a number: ``项`` in Chinese, `` items`` in English, ``%`` in both."""
        if not _english() or self.unit == "%":
            return self.unit
        return f" {self.unit_en}" if self.unit_en else ""

    @property
    def higher_is_better(self) -> bool:
        return self.op == ">="

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.threshold if self.higher_is_better else value <= self.threshold

    def gap(self, value: float | None) -> float | None:
        """How far the value is from the threshold (0 once met; None without a value)."""
        if value is None:
            return None
        return max(0.0, self.threshold - value if self.higher_is_better else value - self.threshold)


@dataclass(frozen=True)
class Checklist:
    version: str
    status: str
    title: str
    criteria: tuple[Criterion, ...]
    title_en: str = ""

    @property
    def title_label(self) -> str:
        return self.title_en if _english() and self.title_en else self.title

    @property
    def is_proposal(self) -> bool:
        return self.status == "proposal"


EvidenceFn = Callable[[Institution, dt.date], Evidence]


def _single(batch: Batch) -> EvidenceFn:
    """One institution on one day through the batched function (for a caller that needs just that)."""
    return lambda inst, day: batch([inst], [day])[(inst.pk, day)]


#: metric → evidence of one institution on one day; `BATCHES` has the same for many at once
EVIDENCE: dict[str, EvidenceFn] = {metric: _single(batch) for metric, batch in BATCHES.items()}


def load_checklist(path: Path | None = None) -> Checklist:
    """Read and check the checklist file; a bad file raises :class:`InputError` naming the entry and field."""
    name = settings.QIANGJI["A_GRADE_CRITERIA"]
    source = path or DATA / str(name)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"A级条件文件 {source.name} 无法读取：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        raise InputError(f"A级条件文件 {source.name}：须有非空的 criteria 列表")
    criteria = tuple(_criterion(entry, i, source.name) for i, entry in enumerate(data["criteria"], start=1))
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise InputError(f"A级条件文件 {source.name}：criteria 的 code 重复")
    return Checklist(
        str(data.get("version", "")),
        str(data.get("status", "")),
        str(data.get("title", "")),
        criteria,
        str(data.get("title_en", "")),
    )


def _criterion(entry: Any, i: int, file: str) -> Criterion:
    where = f"A级条件文件 {file} 第{i}条"
    if not isinstance(entry, dict):
        raise InputError(f"{where}：须为键值对")
    for key in ("code", "name", "metric", "op", "threshold"):
        if key not in entry:
            raise InputError(f"{where}：缺少 {key}")
    if entry["metric"] not in EVIDENCE:
        raise InputError(f"{where} metric：须为 {'、'.join(sorted(EVIDENCE))} 之一，实为 {entry['metric']!r}")
    if entry["op"] not in (">=", "<="):
        raise InputError(f"{where} op：须为 >= 或 <=，实为 {entry['op']!r}")
    if isinstance(entry["threshold"], bool) or not isinstance(entry["threshold"], int | float):
        raise InputError(f"{where} threshold：须为数字，实为 {entry['threshold']!r}")
    return Criterion(
        str(entry["code"]), str(entry["name"]), entry["metric"], entry["op"], float(entry["threshold"]),
        str(entry.get("unit", "")), str(entry.get("name_en", "")), str(entry.get("unit_en", "")),
    )  # fmt: skip
