"""Forms: a training need, an Excel upload of needs, and the editable plan sessions."""

from __future__ import annotations

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
