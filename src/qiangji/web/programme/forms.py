"""Forms: a training need, an Excel upload of needs, and the editable plan sessions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.locking import VersionedModelForm
from qiangji.web.programme.models import PlannedSession, TrainingNeed


class NeedForm(forms.ModelForm):
    class Meta:
        model = TrainingNeed
        fields = ["topic", "discipline", "headcount", "preferred_mode", "priority", "note"]


class NeedsUploadForm(forms.Form):
    file = forms.FileField(label=_("需求表（.xlsx）"))


class PlanSessionForm(VersionedModelForm):
    """A planned session; carries the version it was loaded at (a stale edit or delete is refused)."""

    class Meta:
        model = PlannedSession
        fields = ["topic", "quarter", "mode", "capacity", "hours"]


PlanSessionFormSet = modelformset_factory(
    PlannedSession,
    form=PlanSessionForm,
    fields=["topic", "quarter", "mode", "capacity", "hours"],
    can_delete=True,
    extra=1,
)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's date picker reads ISO


class AGradeCandidateForm(forms.ModelForm):
    """The city office names an institution an A级 candidate (or re-dates / ends the candidacy)."""

    class Meta:
        from qiangji.web.programme.candidacy import AGradeCandidate

        model = AGradeCandidate
        fields = ["institution", "named_on", "target_date", "is_active", "note"]
        widgets = {
            "named_on": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }


class RMCandidateForm(forms.ModelForm):
    """Name a member of staff of one institution as a registered-metrologist candidate."""

    class Meta:
        from qiangji.web.programme.candidacy import RMCandidate

        model = RMCandidate
        fields = ["staff", "level", "target_date", "note"]
        widgets = {"target_date": DATE}

    def __init__(self, *args: Any, institution: Any, day: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = self.fields["staff"]
        staff.queryset = institution.staff.employed_on(day).filter(is_technical=True).order_by("name")  # type: ignore[attr-defined]
        staff.label_from_instance = lambda s: f"{s.name}（{s.staff_no or s.pk}）"  # type: ignore[attr-defined]
