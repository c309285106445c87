"""Forms of the assessment pages (periods, reported values, review, supervision)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.locking import VersionedModelForm
from qiangji.web.assessment.models import ChecklistItem, FrameworkVersion, Period, SupervisionVisit
from qiangji.web.assessment.numbers import parse_number
from qiangji.web.registry.models import SupervisionFinding


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["code"]


class OpenPeriodForm(forms.Form):
    """The programme admin opens a period for reporting (or re-dates its window before it is locked):
    :func:`qiangji.web.assessment.lifecycle.open_period` does the work and says why it refuses."""

    code = forms.CharField(label=_("期次代码"), max_length=8, help_text=_("如 2026Q3 或 2026。"))
    opens = forms.DateField(
        label=_("填报开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空：已开放的期次保持原开始日期，新期次从今天开始。"),
    )
    deadline = forms.DateField(label=_("填报截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    framework = forms.ModelChoiceField(
        label=_("指标框架版本"),
        queryset=FrameworkVersion.objects.order_by("-created_at", "-pk"),
        to_field_name="version",
        required=False,
        empty_label=_("（已选定的版本，或最新版本）"),
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip().upper()
        probe = Period(code=code)
        try:
            probe.clean()
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["code"]) from None
        return code


class FrameworkVersionForm(forms.ModelForm):
    """Admin form: a used version is read-only (its ``clean`` refuses any change of content)."""

    class Meta:
        model = FrameworkVersion
        fields = ["version", "source", "based_on", "note"]
        widgets = {
            "source": forms.Textarea(attrs={"rows": 30, "cols": 110, "style": "font-family: monospace"})
        }


class EntryForm(forms.Form):
    indicator = forms.CharField(widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("数值"), required=False, max_digits=18, decimal_places=6)
    numerator = forms.DecimalField(label=_("分子"), required=False, max_digits=18, decimal_places=6)
    denominator = forms.DecimalField(label=_("分母"), required=False, max_digits=18, decimal_places=6)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    evidence = forms.FileField(label=_("佐证材料"), required=False)


class NumberField(forms.CharField):
    """A number as people type it (1,234 / 1 234 / full-width digits): :func:`numbers.parse_number`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "size": 10})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return parse_number(text or "")
        except ValueError as exc:
            raise ValidationError(str(exc), code="number") from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>`` (Django's documented pattern)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportRowForm(forms.Form):
    """One indicator's row of the one-pass reporting page (prefixed with the indicator code)."""

    value = NumberField(label=_("数值"))
    numerator = NumberField(label=_("分子"))
    denominator = NumberField(label=_("分母"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    evidence = MultipleFileField(label=_("佐证材料"))
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"))
    evidence = MultipleFileField(
        label=_("佐证材料（可多选）"),
        help_text=_(
            "文件名含指标代码（如“D1.3 检定量统计.pdf”）即对应该指标的行；也可在表中“佐证材料”列写明文件名。"
        ),
    )
    submit = forms.BooleanField(label=_("上传后直接提交审核"), required=False)


class VisitForm(forms.ModelForm):
    class Meta:
        model = SupervisionVisit
        fields = ["institution", "visited_on", "inspectors"]
        widgets = {"visited_on": forms.DateInput(attrs={"type": "date"})}


class ChecklistItemForm(VersionedModelForm):
    """One scored checklist line; carries the version it was loaded at (a stale score is refused)."""

    class Meta:
        model = ChecklistItem
        fields = ["awarded", "note"]


ChecklistFormSet = forms.modelformset_factory(ChecklistItem, form=ChecklistItemForm, extra=0)


#: Free text typed on a page is bounded (the database columns are TEXT): longer input is refused, not stored.
MAX_TEXT = 5000


class FindingForm(forms.ModelForm):
    description = forms.CharField(
        label=SupervisionFinding._meta.get_field("description").verbose_name,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = SupervisionFinding
        fields = ["sub_dimension", "rule", "severity", "description", "due_on"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, visit: SupervisionVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.institution = visit.institution
        self.instance.found_on = visit.visited_on
        self.instance.source = SupervisionFinding.Source.SUPERVISION


class RectificationForm(forms.Form):
    measures = forms.CharField(
        label=_("整改措施"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewRectificationForm(forms.Form):
    accept = forms.BooleanField(label=_("验证通过"), required=False)
    note = forms.CharField(
        label=_("验证意见"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
