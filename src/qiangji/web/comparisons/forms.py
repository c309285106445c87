"""Forms of the comparison workflow: a participant's result per point, the pilot's evaluation choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiangji.web.accounts.locking import VersionedModelForm
from qiangji.web.comparisons.models import ComparisonRound, Submission


class SubmissionForm(VersionedModelForm):
    """x, U, k and the measurement date at one point (prefix = the point's order); an edit of a stored
    result carries the version it was loaded at and is refused if the result changed since."""

    class Meta:
        model = Submission
        fields = ["x", "U", "k", "measured_on"]
        widgets = {"measured_on": forms.DateInput(attrs={"type": "date"})}

    def clean_U(self) -> float:
        value: float = self.cleaned_data["U"]
        if value <= 0:
            raise forms.ValidationError(_("扩展不确定度 U 必须大于 0，当前为 %(v)s。") % {"v": value})
        return value

    def clean_k(self) -> float:
        value: float = self.cleaned_data["k"]
        if not 1.0 <= value <= 4.0:
            raise forms.ValidationError(_("包含因子 k 应在 1 到 4 之间，当前为 %(v)s。") % {"v": value})
        return value


class EvaluateForm(forms.Form):
    """The reference method and its options, as the pilot chooses them for the round."""

    method = forms.ChoiceField(label=_("参考值方法"), choices=ComparisonRound.METHOD_CHOICES)
    alpha = forms.FloatField(label=_("χ² 检验显著性水平"), initial=0.05, min_value=1e-6, max_value=0.5)
    correlated = forms.ChoiceField(
        label=_("En 相关性"),
        choices=[("auto", _("按参考值方法（含本实验室时扣除相关项）")), ("independent", _("一律按独立计算"))],
        initial="auto",
    )
    U_ts = forms.FloatField(label=_("传递标准不稳定性 U_ts (k=2)"), initial=0.0, min_value=0.0)
    birge_inflation = forms.BooleanField(label=_("Birge 比放大不确定度"), required=False)
    seed = forms.IntegerField(label=_("蒙特卡洛随机种子"), initial=0, min_value=0)

    def options(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "alpha": d["alpha"],
            "correlated": "auto" if d["correlated"] == "auto" else False,
            "U_ts": d["U_ts"],
            "birge_inflation": d["birge_inflation"],
            "seed": d["seed"],
        }
