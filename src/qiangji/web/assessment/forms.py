"""Forms of the assessment pages (periods, reported values, review, supervision)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.locking import VersionedModelForm
from qiangji.web.assessment.models import ChecklistItem, FrameworkVersion, Period, SupervisionVisit
from qiangji.web.registry.models import SupervisionFinding


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["code"]


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


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"))


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
