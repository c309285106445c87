"""Forms of the registry: the admin's model forms with the cross-field rules that need the M2Ms."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.models import Division, MeasurementStandard, RMRegistration
from qiangji.web.registry.validators import responsible_staff_errors

LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


class NameListField(forms.CharField):
    """A list of names typed as one line separated by “、”, commas or semicolons (stored as a JSON list)."""

    widget = forms.TextInput(attrs={"size": 80})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        names = [part.strip() for part in LIST_SEPARATORS.split(text)]
        return list(dict.fromkeys(n for n in names if n))


class DivisionForm(forms.ModelForm):
    block_industries = NameListField(label=_("块状产业"), required=False, help_text=_("用“、”分隔。"))

    class Meta:
        model = Division
        fields = "__all__"


class RMRegistrationForm(forms.ModelForm):
    professional_items = NameListField(label=_("注册专业项目"), required=False, help_text=_("用“、”分隔。"))

    class Meta:
        model = RMRegistration
        fields = "__all__"


class MeasurementStandardForm(forms.ModelForm):
    """Adds the rule a model cannot check on itself: at least MIN_STAFF_PER_STANDARD responsible staff."""

    class Meta:
        model = MeasurementStandard
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        staff = data.get("responsible_staff")
        if staff is not None and data.get("institution") is not None:
            self.instance.institution = data["institution"]
            for name, message in responsible_staff_errors(self.instance, staff).items():
                self.add_error(name, message)
        return data


class RMCredentialForm(forms.ModelForm):
    items = NameListField(label=_("考核合格项目"), required=False, help_text=_("用“、”分隔。"))

    class Meta:
        from qiangji.web.registry.models import RMCredential

        model = RMCredential
        fields = "__all__"
