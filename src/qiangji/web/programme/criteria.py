"""A级 readiness criteria: the versioned checklist file and the evidence of each criterion, derived from
the registry as of a date (standards, registrations, authorised items, findings, comparisons, research).

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
from django.utils.translation import gettext as _

from qiangji.core.errors import InputError
from qiangji.web.comparisons.indicators import satisfaction_rate
from qiangji.web.registry.dates import add_months
from qiangji.web.registry.indicators import MAIN_DISCIPLINES, staffed_items
from qiangji.web.registry.items import ItemMatcher
from qiangji.web.registry.models import (
    Institution,
    InstitutionMVItem,
    MeasurementStandard,
    ResearchProject,
    RMRegistration,
    SupervisionFinding,
)


def _english() -> bool:
    return (get_language() or "").startswith("en")


DATA = Path(__file__).resolve().parent / "data"
SHOWN = 8  # evidence records listed per criterion (the count says how many there are)


@dataclass(frozen=True)
class Evidence:
    """A criterion's value on a day (None: no data to judge) and the records behind it."""

    value: float | None
    records: tuple[str, ...] = ()
    text: str = ""


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


def _public_standards(inst: Institution, day: dt.date) -> Evidence:
    rows = MeasurementStandard.objects.public_valid_on(day).filter(institution=inst).order_by("jjf1022_code")
    names = [f"{s.name}（{s.assessment_cert_no}）" for s in rows]
    return Evidence(float(len(names)), tuple(names[:SHOWN]))


def _disciplines(inst: Institution, day: dt.date) -> Evidence:
    codes = (
        MeasurementStandard.objects.valid_on(day)
        .filter(institution=inst)
        .values_list("jjf1022_code", flat=True)
    )
    held = sorted({c[:2] for c in codes} & set(MAIN_DISCIPLINES))
    return Evidence(
        float(len(held)), (), _("专业代码 %(codes)s") % {"codes": "、".join(held)} if held else ""
    )


def _rm_coverage(inst: Institution, day: dt.date) -> Evidence:
    cov = inst.rm_coverage_on(day)
    if cov.percent is None:
        return Evidence(None, (), _("无在岗检定/校准人员"))
    return Evidence(float(cov.percent), (), _("%(n)s/%(d)s 人") % {"n": cov.numerator, "d": cov.denominator})


def _level1(inst: Institution, day: dt.date) -> Evidence:
    rows = (
        RMRegistration.objects.valid_on(day)
        .filter(level=1, staff__in=inst.staff.employed_on(day))
        .select_related("staff")
    )
    names = sorted({r.staff.name for r in rows})
    return Evidence(float(len(names)), tuple(names[:SHOWN]))


def _authorised(inst: Institution, day: dt.date) -> Evidence:
    rows = InstitutionMVItem.objects.authorised_on(day).filter(institution=inst).select_related("item")
    names = [str(r.item) for r in rows]
    return Evidence(float(len(names)), tuple(names[:SHOWN]))


def _staffed(inst: Institution, day: dt.date) -> Evidence:
    regs = list(RMRegistration.objects.valid_on(day).filter(staff__in=inst.staff.employed_on(day)))
    items = list(InstitutionMVItem.objects.authorised_on(day).filter(institution=inst).select_related("item"))
    derived = staffed_items(regs, items, ItemMatcher())
    if derived is None:
        return Evidence(None, (), _("无授权项目"))
    short = tuple(derived.records[:SHOWN])
    return Evidence(
        float(derived.value),
        short,
        _("人员不足的项目 %(n)s 项") % {"n": len(derived.records)} if short else "",
    )


def _overdue(inst: Institution, day: dt.date) -> Evidence:
    rows = SupervisionFinding.objects.overdue_on(day).filter(institution=inst).order_by("due_on")
    names = [f"{f.due_on} {f.description[:30]}" for f in rows]
    return Evidence(float(len(names)), tuple(names[:SHOWN]))


def _comparisons(inst: Institution, day: dt.date) -> Evidence:
    value, num, den, detail = satisfaction_rate(inst, add_months(day, -36), day)
    if value is None:
        return Evidence(None, (), _("近三年无比对结果"))
    missed = tuple(_("必须参加未提交：%(round)s") % {"round": c} for c in detail["missed_mandatory"])
    return Evidence(float(value), missed, _("%(n)s/%(d)s 个比对结果 |En|≤1") % {"n": num, "d": den})


def _research(inst: Institution, day: dt.date) -> Evidence:
    rows = ResearchProject.objects.filter(institution=inst, approved_on__lte=day).exclude(
        funding_level="other"
    )
    names = [f"{p.title}（{p.approved_on}）" for p in rows.order_by("approved_on")]
    return Evidence(float(len(names)), tuple(names[:SHOWN]))


EvidenceFn = Callable[[Institution, dt.date], Evidence]
EVIDENCE: dict[str, EvidenceFn] = {
    "public_standards": _public_standards,
    "disciplines": _disciplines,
    "rm_coverage": _rm_coverage,
    "level1_registered": _level1,
    "authorised_items": _authorised,
    "staffed_items": _staffed,
    "overdue_findings": _overdue,
    "comparison_satisfaction": _comparisons,
    "research_projects": _research,
}


def load_checklist(path: Path | None = None) -> Checklist:
    """Read and check the checklist file; a bad file raises :class:`InputError` naming the entry and field."""
    name = settings.QIANGJI.get("A_GRADE_CRITERIA", "a_grade_criteria.yaml")
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
