"""What a county may propose to correct in its own registry: one declaration per table.

A :class:`Kind` names a table by a URL slug and the model form of the fields a county may propose
(everything it keeps up to date; never the owning institution, which comes from the proposal). Every
foreign key or M2M of the form that points to institution-owned rows (the staff of a registration, the
responsible staff of a standard…) offers the proposal's institution's rows only. A retirement either
changes the declared retirement fields (a member of staff leaves, a standard is sealed or withdrawn) or,
without them, deletes a row entered by mistake. Adding a table is one more :class:`Kind` in :data:`KINDS`.

Values travel as JSON (:func:`jsonable`): dates as ISO text, rows as primary keys, M2Ms as sorted lists of
them, decimals as text, so a proposal re-binds the same form when the city accepts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts import policy
from qiangji.web.registry.forms import NameListField
from qiangji.web.registry.models import (
    Institution,
    InstrumentCertificate,
    MeasurementStandard,
    RMRegistration,
    Staff,
    StandardInstrument,
)
from qiangji.web.registry.validators import responsible_staff_errors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_widgets(model: type[models.Model], fields: list[str]) -> dict[str, forms.Widget]:
    return {f: DATE_INPUT for f in fields if isinstance(model._meta.get_field(f), models.DateField)}


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = [
            "name", "staff_no", "gender", "birth_year", "education", "title", "is_technical",
            "is_verification", "is_authorised_signatory", "hired_on", "left_on",
        ]  # fmt: skip
        widgets = _date_widgets(Staff, fields)


class StaffLeavesForm(forms.ModelForm):
    """Retiring a member of staff: the last day on the payroll (history stays)."""

    class Meta:
        model = Staff
        fields = ["left_on"]
        widgets = _date_widgets(Staff, fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["left_on"].required = True


class RegistrationForm(forms.ModelForm):
    professional_items = NameListField(label=_("注册专业项目"), required=False, help_text=_("用“、”分隔。"))

    class Meta:
        model = RMRegistration
        fields = [
            "staff", "level", "qualification_cert_no", "registration_no", "valid_from", "valid_to",
            "professional_items", "authority",
        ]  # fmt: skip
        widgets = _date_widgets(RMRegistration, fields)


class StandardForm(forms.ModelForm):
    """Adds the rule the model cannot check on itself: enough responsible staff, all its own."""

    class Meta:
        model = MeasurementStandard
        fields = [
            "name", "jjf1022_code", "is_public", "assessment_cert_no", "assessment_issued_on",
            "assessment_expires_on", "reexam_applied_on", "status", "status_since", "measurement_range",
            "uncertainty", "regulations", "responsible_staff",
        ]  # fmt: skip
        widgets = _date_widgets(MeasurementStandard, fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        staff = data.get("responsible_staff")
        if staff is not None:
            for name, message in responsible_staff_errors(self.instance, staff).items():
                self.add_error(name, message)
        return data


class StandardWithdrawnForm(forms.ModelForm):
    """Retiring a standard: sealed or withdrawn from a date (its certificates stay on record)."""

    class Meta:
        model = MeasurementStandard
        fields = ["status", "status_since"]
        widgets = _date_widgets(MeasurementStandard, fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        status.choices = [c for c in status.choices if c[0] != MeasurementStandard.Status.IN_USE]  # type: ignore[attr-defined]
        self.fields["status_since"].required = True


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = StandardInstrument
        fields = [
            "standard", "name", "model", "serial_no", "manufacturer", "measurement_range", "accuracy",
            "is_main",
        ]  # fmt: skip


class InstrumentCertificateForm(forms.ModelForm):
    class Meta:
        model = InstrumentCertificate
        fields = ["instrument", "cert_no", "kind", "issuer", "valid_from", "valid_to"]
        widgets = _date_widgets(InstrumentCertificate, fields)


@dataclass(frozen=True)
class Kind:
    """One table a county may propose corrections to."""

    slug: str
    form: type[forms.ModelForm]
    #: The form of a retirement; ``None``: a retirement deletes a row entered by mistake.
    retire_form: type[forms.ModelForm] | None = None

    @property
    def model(self) -> type[models.Model]:
        return self.form._meta.model  # type: ignore[no-any-return]

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def retire_deletes(self) -> bool:
        return self.retire_form is None

    def form_class(self, action: str) -> type[forms.ModelForm]:
        if action == "retire":
            return self.retire_form or forms.modelform_factory(self.model, fields=[])  # type: ignore[return-value]
        return self.form


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        Kind("staff", StaffForm, StaffLeavesForm),
        Kind("registration", RegistrationForm),
        Kind("standard", StandardForm, StandardWithdrawnForm),
        Kind("instrument", InstrumentForm),
        Kind("instrument-certificate", InstrumentCertificateForm),
    ]
}
BY_LABEL: dict[str, Kind] = {k.label: k for k in KINDS.values()}


def build_form(
    kind: Kind,
    action: str,
    institution: Institution,
    *,
    instance: models.Model | None = None,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> forms.ModelForm:
    """The kind's form for ``institution``: its rows only in every choice of institution-owned rows."""
    if instance is None:
        instance = kind.model()
    if any(f.name == "institution" for f in kind.model._meta.concrete_fields):
        instance.institution = institution  # type: ignore[attr-defined]
    form = kind.form_class(action)(data=data, instance=instance, initial=initial)
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            related = field.queryset.model
            path = policy.institution_path(related)
            if path is not None:
                field.queryset = field.queryset.filter(**{path: institution.pk})
    return form


def jsonable(value: Any) -> Any:
    """A form value as JSON (module docstring); lists of rows sorted so that equal sets compare equal."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet) or (
        isinstance(value, list | tuple) and value and isinstance(value[0], models.Model)
    ):
        return sorted(v.pk for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def stored_values(form: forms.ModelForm) -> dict[str, Any]:
    """The values of the row behind an unbound ``form``, per field (what a proposal compares with)."""
    return {name: jsonable(form[name].value()) for name in form.fields}


def display(form: forms.ModelForm, name: str, value: Any) -> str:
    """A stored JSON value as people read it: names for rows, labels for choices, 是/否."""
    field = form.fields[name]
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "、".join(str(o) for o in field.queryset.model._default_manager.filter(pk__in=value)) or "—"
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else f"#{value}"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): v for k, v in field.choices}  # type: ignore[attr-defined]
        return str(labels.get(str(value), value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
