"""The lists of an institution's registry page, each as of a date: rows built once for the page and for
its Excel export (same columns, same filters).

Expiry states follow the registry's boundary rule (both ends of a validity period count): *valid* on the
date, *expiring* when the last valid day falls within the warning window (``days`` after the date),
*expired* when nothing covers the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.models import (
    Institution,
    InstitutionMVItem,
    MeasurementStandard,
    StandardInstrument,
    VerificationCertificate,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VALID, EXPIRING, EXPIRED, NONE, INACTIVE = "valid", "expiring", "expired", "none", "inactive"
STATE_LABELS = {
    VALID: _("有效"),
    EXPIRING: _("即将到期"),
    EXPIRED: _("已过期"),
    NONE: _("无"),
    INACTIVE: _("停用"),
}
STATE_CHOICES = [("", _("全部"))] + [(k, v) for k, v in STATE_LABELS.items()]


def warning_days() -> int:
    return int(settings.QIANGJI["EXPIRY_WARNING_DAYS"])


def expiry_state(valid_to: dt.date | None, covered: bool, on: dt.date, days: int) -> str:
    """valid / expiring (last valid day within ``days`` after ``on``) / expired (nothing covers ``on``)."""
    if not covered:
        return EXPIRED
    if valid_to is not None and (valid_to - on).days <= days:
        return EXPIRING
    return VALID


class ListFilter(forms.Form):
    """Filters every list has: the as-of date, the warning window and a keyword."""

    on = forms.DateField(label=_("截至日期"), required=False, widget=DATE_INPUT)
    days = forms.IntegerField(label=_("预警天数"), required=False, min_value=0, max_value=3650)
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)

    def value(self, name: str) -> Any:
        data = self.cleaned_data if self.is_valid() else {}
        if name == "on":
            return data.get("on") or timezone.localdate()
        if name == "days":
            return warning_days() if data.get("days") is None else data["days"]
        return data.get(name) or ""


class StaffFilter(ListFilter):
    scope = forms.ChoiceField(
        label=_("人员范围"),
        required=False,
        choices=[("", _("截至日期在岗")), ("all", _("全部（含离职）"))],
    )
    state = forms.ChoiceField(label=_("注册状态"), required=False, choices=STATE_CHOICES)
    verification = forms.BooleanField(label=_("仅检定/校准人员"), required=False)


class StandardFilter(ListFilter):
    state = forms.ChoiceField(label=_("考核证书状态"), required=False, choices=STATE_CHOICES)
    public = forms.ChoiceField(
        label=_("社会公用"), required=False, choices=[("", _("全部")), ("yes", _("是")), ("no", _("否"))]
    )


class InstrumentFilter(ListFilter):
    state = forms.ChoiceField(label=_("证书状态"), required=False, choices=STATE_CHOICES)


class ItemFilter(ListFilter):
    scope = forms.ChoiceField(
        label=_("授权范围"), required=False, choices=[("", _("截至日期有效")), ("all", _("全部（含历史）"))]
    )


class CertificateFilter(ListFilter):
    start = forms.DateField(label=_("检定日期自"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("检定日期至"), required=False, widget=DATE_INPUT)
    conclusion = forms.ChoiceField(
        label=_("结论"),
        required=False,
        choices=[("", _("全部")), *VerificationCertificate.Conclusion.choices],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


@dataclass
class Row:
    """One line of a list: cell values (dates stay dates for Excel), its state and the row it shows."""

    values: list[Any]
    obj: Any
    state: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, ""))


@dataclass(frozen=True)
class Section:
    slug: str
    title: Any
    headers: list[Any]
    filter_form: type[ListFilter]
    build: Callable[[Institution, ListFilter], list[Row]]
    #: the proposal kind of the rows (links to propose a change), if any
    kind: str = ""
    paginate: bool = False


def _keyword(qs: QuerySet[Any], f: ListFilter, *fields: str) -> QuerySet[Any]:
    q = f.value("q")
    if not q:
        return qs
    cond = Q()
    for name in fields:
        cond |= Q(**{f"{name}__icontains": q})
    return qs.filter(cond)


def _state_filter(rows: list[Row], f: ListFilter) -> list[Row]:
    wanted = f.value("state")
    return [r for r in rows if r.state == wanted] if wanted else rows


def staff_rows(inst: Institution, f: ListFilter) -> list[Row]:
    on, days = f.value("on"), f.value("days")
    qs = inst.staff.prefetch_related("registrations").order_by("name", "pk")
    if f.value("scope") != "all":
        qs = qs.employed_on(on)
    if f.value("verification"):
        qs = qs.filter(is_verification=True)
    rows = []
    for person in _keyword(qs, f, "name", "staff_no"):
        reg = person.registration_on(on)
        latest = max(person.registrations.all(), key=lambda r: r.valid_to, default=None)
        shown = reg or latest
        state = NONE if shown is None else expiry_state(shown.valid_to, reg is not None, on, days)
        rows.append(
            Row(
                [
                    person.name, person.staff_no, person.get_title_display(), person.is_verification,
                    person.is_authorised_signatory, person.hired_on, person.left_on,
                    shown.get_level_display() if shown else "", shown.registration_no if shown else "",
                    shown.valid_to if shown else None, str(STATE_LABELS[state]),
                ],
                person,
                state,
                {"registration": shown},
            )
        )  # fmt: skip
    return _state_filter(rows, f)


def standard_rows(inst: Institution, f: ListFilter) -> list[Row]:
    on, days = f.value("on"), f.value("days")
    qs = inst.standards.prefetch_related("previous_assessments").order_by("jjf1022_code", "name")
    if f.value("public"):
        qs = qs.filter(is_public=f.value("public") == "yes")
    in_use = set(
        MeasurementStandard.objects.filter(institution=inst).in_use_on(on).values_list("pk", flat=True)
    )
    rows = []
    for std in _keyword(qs, f, "name", "jjf1022_code", "assessment_cert_no"):
        state = expiry_state(std.assessment_expires_on, std.is_valid_on(on), on, days)
        if std.pk not in in_use:
            state = INACTIVE
        rows.append(
            Row(
                [
                    std.name, std.jjf1022_code, std.is_public, std.assessment_cert_no,
                    std.assessment_issued_on, std.assessment_expires_on, std.get_status_display(),
                    std.measurement_range,
                    str(STATE_LABELS[state]),
                ],
                std,
                state,
            )
        )  # fmt: skip
    return _state_filter(rows, f)


def instrument_rows(inst: Institution, f: ListFilter) -> list[Row]:
    on, days = f.value("on"), f.value("days")
    qs = (
        StandardInstrument.objects.filter(standard__institution=inst)
        .select_related("standard")
        .prefetch_related("certificates")
        .order_by("standard__name", "-is_main", "name", "pk")
    )
    rows = []
    for item in _keyword(qs, f, "name", "serial_no", "standard__name", "certificates__cert_no").distinct():
        certs = list(item.certificates.all())
        covering = [c for c in certs if c.valid_from <= on <= c.valid_to]
        shown = max(covering or certs, key=lambda c: c.valid_to, default=None)
        state = NONE if shown is None else expiry_state(shown.valid_to, bool(covering), on, days)
        rows.append(
            Row(
                [
                    item.standard.name, item.name, item.model, item.serial_no, item.is_main,
                    shown.cert_no if shown else "", shown.issuer if shown else "",
                    shown.valid_to if shown else None, str(STATE_LABELS[state]),
                ],
                item,
                state,
                {"certificate": shown},
            )
        )  # fmt: skip
    return _state_filter(rows, f)


def item_rows(inst: Institution, f: ListFilter) -> list[Row]:
    on = f.value("on")
    qs = InstitutionMVItem.objects.filter(institution=inst).select_related("item")
    if f.value("scope") != "all":
        qs = qs.authorised_on(on)
    qs = _keyword(qs, f, "item__level1_name", "item__level2_name", "authorisation_doc")
    rows = []
    for row in qs.order_by("item__level1_no", "item__level2_no", "authorised_from"):
        state = VALID if row.is_authorised_on(on) else EXPIRED
        rows.append(
            Row(
                [
                    row.item.level1_name, row.item.level2_name, row.item.get_supervision_mode_display(),
                    row.authorised_from, row.authorised_to, row.annual_volume, row.authorisation_doc,
                    str(_("授权有效") if state == VALID else _("不在授权期内")),
                ],
                row,
                state,
            )
        )  # fmt: skip
    return rows


def certificate_queryset(inst: Institution, f: ListFilter) -> QuerySet[VerificationCertificate]:
    qs = VerificationCertificate.objects.filter(institution=inst).select_related("regulation", "verifier")
    if f.value("start"):
        qs = qs.filter(verified_on__gte=f.value("start"))
    if f.value("end"):
        qs = qs.filter(verified_on__lte=f.value("end"))
    if f.value("conclusion"):
        qs = qs.filter(conclusion=f.value("conclusion"))
    qs = _keyword(qs, f, "cert_no", "instrument_name", "client")
    return qs.order_by("-verified_on", "cert_no")


def certificate_rows(inst: Institution, f: ListFilter, qs: Any = None) -> list[Row]:
    rows = []
    for c in certificate_queryset(inst, f) if qs is None else qs:
        rows.append(
            Row(
                [
                    c.cert_no, c.get_kind_display(), c.verified_on, c.valid_until, c.instrument_name,
                    c.instrument_serial, c.client, c.regulation.code, c.verifier.name,
                    c.get_conclusion_display(),
                ],
                c,
            )
        )  # fmt: skip
    return rows


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in [
        Section(
            "staff",
            _("人员与注册"),
            [
                _("姓名"), _("工号"), _("职称"), _("检定/校准人员"), _("授权签字人"), _("入职日期"),
                _("离职日期"), _("注册级别"), _("注册证书编号"), _("注册有效期至"), _("注册状态"),
            ],
            StaffFilter,
            staff_rows,
            kind="staff",
        ),
        Section(
            "standards",
            _("计量标准"),
            [
                _("计量标准名称"), _("计量标准代码"), _("社会公用"), _("考核证书编号"), _("发证日期"),
                _("考核证书有效期至"), _("状态"), _("测量范围"), _("证书状态"),
            ],
            StandardFilter,
            standard_rows,
            kind="standard",
        ),
        Section(
            "instruments",
            _("标准器"),
            [
                _("计量标准"), _("标准器名称"), _("型号规格"), _("出厂编号"), _("主标准器"), _("证书编号"),
                _("出具机构"), _("有效期至"), _("证书状态"),
            ],
            InstrumentFilter,
            instrument_rows,
            kind="instrument",
        ),
        Section(
            "items",
            _("授权强检项目"),
            [
                _("一级目录"), _("二级目录"), _("监管方式"), _("授权起始日期"), _("授权截止日期"),
                _("年检定量（台件）"), _("授权文件"), _("状态"),
            ],
            ItemFilter,
            item_rows,
        ),
        Section(
            "certificates",
            _("检定证书"),
            [
                _("证书编号"), _("证书类型"), _("检定日期"), _("有效期至"), _("器具名称"), _("出厂编号"),
                _("送检单位"), _("依据规程"), _("检定员"), _("结论"),
            ],
            CertificateFilter,
            certificate_rows,
            paginate=True,
        ),
    ]
}  # fmt: skip
