"""Entering reported values (form and Excel share these rules) and attaching evidence.

Rules: the indicator must be one institutions report (:func:`qiangji.web.indicators.is_reportable`) in the
framework in use; percentages (unit "%") are given as numerator and denominator and computed by the
platform, never typed; a value must lie within the indicator's bounds for the period (a flow indicator
whose bounds are per year, ``per: year``, is checked against them pro-rated to the period: × 0.25 for a
quarter, see :func:`period_framework`); only a draft or returned report can be changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiangji.core.index import Framework, Node
from qiangji.web.assessment.lifecycle import ensure_reportable
from qiangji.web.assessment.models import Evidence, FrameworkVersion, Period, ReportedValue
from qiangji.web.indicators import is_reportable
from qiangji.web.registry.models import Institution
from qiangji.web.uploads import UploadRejected, check_evidence, safe_name


def current_framework_version() -> FrameworkVersion:
    """The newest framework version (the one a period opened without a choice, or never opened, follows)."""
    version = FrameworkVersion.objects.order_by("-created_at", "-pk").first()
    if version is None:
        raise FrameworkVersion.DoesNotExist("no framework version stored; run `loadframework`")
    return version


def framework_version_of(period: Period) -> FrameworkVersion:
    """The version chosen when ``period`` was opened; the newest one for a period opened before the
    lifecycle existed (no version recorded)."""
    if period.framework_version_id is not None:
        return FrameworkVersion.objects.get(pk=period.framework_version_id)
    return current_framework_version()


def period_framework(period: Period) -> Framework:
    """``period``'s framework compiled for it: per-year flow bounds × its fraction of a year."""
    return period.framework_for(framework_version_of(period))


PERIOD_NAMES = {0.5: gettext_lazy("半年"), 0.25: gettext_lazy("季度"), 1 / 12: gettext_lazy("月")}


def _per_period(node: Node) -> str:
    """For a pro-rated flow indicator "（每季度；全年 0～200 按 0.25 年折算）", else ""."""
    if node.per is None or node.scale == 1.0:
        return ""
    low, high = ((None if v is None else v / node.scale) for v in (node.bounds or (None, None)))
    return _("（每%(period)s；全年 %(low)s～%(high)s 按 %(f)s 年折算）") % {
        "period": PERIOD_NAMES.get(node.scale) or _("期"),
        "low": _num(low, "-∞"),
        "high": _num(high, "∞"),
        "f": f"{node.scale:g}",
    }


def _num(v: float | None, none: str) -> str:
    return none if v is None else f"{v:g}"


def reportable_nodes(framework: Framework) -> list[Node]:
    return [framework.node(code) for code in framework.indicators if is_reportable(code)]


def is_percentage(node: Node) -> bool:
    return (node.unit or "").strip() == "%"


@dataclass(frozen=True)
class Entry:
    """One reported value as entered (any of value / numerator + denominator may be ``None``)."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    note: str = ""


def entry_errors(node: Node, entry: Entry) -> dict[str, str]:
    """Field → message for what is wrong with ``entry`` for indicator ``node`` (empty when fine)."""
    if is_percentage(node):
        if entry.value is not None:
            return {"value": _("百分比指标请填写分子和分母，由平台计算，不要直接填写百分比。")}
        if entry.numerator is None or entry.denominator is None:
            return {"denominator": _("百分比指标必须同时填写分子和分母。")}
        if entry.denominator <= 0:
            return {"denominator": _("分母必须大于0。")}
        if not 0 <= entry.numerator <= entry.denominator:
            return {"numerator": _("分子必须在0与分母之间。")}
        return {}
    if entry.numerator is not None or entry.denominator is not None:
        return {"numerator": _("该指标不是百分比，请直接填写数值。")}
    if entry.value is None:
        return {"value": _("请填写数值。")}
    low, high = node.bounds or (None, None)
    if (low is not None and entry.value < Decimal(str(low))) or (
        high is not None and entry.value > Decimal(str(high))
    ):
        limits = {"low": _num(low, "-∞"), "high": _num(high, "∞")}
        return {"value": _("数值超出允许范围 %(low)s～%(high)s。") % limits + _per_period(node)}
    return {}


def save_entry(
    period: Period, institution: Institution, indicator: str, entry: Entry, user: Any
) -> ReportedValue:
    """Create or update the draft/returned report; raises ``ValidationError`` if it is not editable,
    :class:`~qiangji.web.assessment.lifecycle.LifecycleError` if the period's stage refuses the change."""
    existing = ReportedValue.objects.filter(
        period=period, institution=institution, indicator=indicator
    ).first()
    ensure_reportable(period, institution, report=existing)
    report, _created = ReportedValue.objects.get_or_create(
        period=period, institution=institution, indicator=indicator, defaults={"updated_by": user}
    )
    if not report.is_editable:
        raise ValidationError(_("“%(status)s”的数据不能修改。") % {"status": report.get_status_display()})
    report.value = None if entry.numerator is not None else entry.value
    report.numerator, report.denominator, report.note = entry.numerator, entry.denominator, entry.note
    report.updated_by = user
    report.full_clean()
    report.save()
    return report


def attach_evidence(report: ReportedValue, upload: UploadedFile, user: Any) -> Evidence:
    """Store an evidence file (size-limited, hashed) for an editable report of a period open to it."""
    ensure_reportable(report.period, report.institution, report=report)
    if not report.is_editable:
        raise ValidationError(
            _("“%(status)s”的数据不能再上传佐证材料。") % {"status": report.get_status_display()}
        )
    try:
        check_evidence(upload)
    except UploadRejected as exc:
        raise ValidationError({"file": str(exc)}) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = safe_name(upload.name or "evidence")
    upload.name = name
    return Evidence.objects.create(
        report=report, file=upload, original_name=name, sha256=digest.hexdigest(), size=upload.size,
        uploaded_by=user,
    )  # fmt: skip
