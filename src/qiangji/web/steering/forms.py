from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qiangji.web.programme.models import TrainingTopic
from qiangji.web.registry.models import Institution
from qiangji.web.steering.models import ResearchApplication

MAX_UPLOAD = 10 * 1024 * 1024


class DutyUploadForm(forms.Form):
    file = forms.FileField(label=_("强检职责清单（Excel 或 CSV）"))

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件，收到 %(n)s") % {"n": f.name})
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大：上限 10 MB"))
        if name.endswith(".xlsx"):
            from qiangji.web.uploads import UploadRejected, check_xlsx

            try:
                check_xlsx(f)
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return f


class AcceptForm(forms.Form):
    institution = forms.ModelChoiceField(
        Institution.objects.filter(level=Institution.Level.COUNTY), label=_("机构")
    )
    topic = forms.ModelChoiceField(TrainingTopic.objects.all(), label=_("主题"))
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=500)
    reasons = forms.CharField(label=_("依据"), max_length=1000)


#: What an institution may set on its own application: before the outcome (立项 or not) is known.
OPEN_STATUSES = ("preparing", "submitted")


class ApplicationForm(forms.ModelForm):
    """An institution's own research application (申报); the model's ``clean`` checks the dates."""

    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(c, label) for c, label in ResearchApplication.Status.choices if c in OPEN_STATUSES],
        initial=OPEN_STATUSES[0],
    )

    class Meta:
        model = ResearchApplication
        fields = ["title", "funding_level", "funder", "partner", "status", "submitted_on"]
        widgets = {"submitted_on": forms.DateInput(attrs={"type": "date"})}
