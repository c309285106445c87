"""Forms of the publishing page: compute, start the notice, lodge an objection, answer one (with
corrections). They check what the user typed; the stage rules stay in `service` / `workflow`."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiangji.core.index import Framework
from qiangji.web.publication.models import IndexRun, Objection
from qiangji.web.publication.runs import DEFAULT_RUNS, DEFAULT_SEED
from qiangji.web.uploads import UploadRejected, check_evidence, safe_name

MAX_RUNS = 100_000
MAX_SEED = 2**63 - 1
#: How far ahead a notice may be scheduled.
MAX_NOTICE_LEAD = dt.timedelta(days=60)
CORRECTION_ROWS = 3


class ComputeForm(forms.Form):
    runs = forms.IntegerField(
        label=_("蒙特卡洛次数"), min_value=1, max_value=MAX_RUNS, initial=DEFAULT_RUNS,
        help_text=_("用于估计排名区间；次数越多越稳定，%(n)s 次约需数秒。") % {"n": DEFAULT_RUNS},
    )  # fmt: skip
    seed = forms.IntegerField(
        label=_("随机种子"), min_value=0, max_value=MAX_SEED, initial=DEFAULT_SEED,
        help_text=_("相同数据、次数和种子可逐位复算。"),
    )  # fmt: skip
    #: The run shown when the page was drawn ("" before the first): a second submission of the same page
    #: after the work is done does not compute again.
    expected_run = forms.CharField(required=False, widget=forms.HiddenInput)


class NoticeForm(forms.Form):
    start = forms.DateField(
        label=_("公示开始日期"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args: Any, run: IndexRun | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run = run

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        computed = timezone.localdate(self.run.created_at) if self.run is not None else None
        if computed is not None and start < computed:
            raise forms.ValidationError(
                _("公示不能早于排行榜草稿的计算日期（%(day)s）。") % {"day": computed.isoformat()}
            )
        latest = timezone.localdate() + MAX_NOTICE_LEAD
        if start > latest:
            raise forms.ValidationError(_("公示开始日期最晚为 %(day)s。") % {"day": latest.isoformat()})
        return start


class LodgeForm(forms.Form):
    """An objection lodged on the site: a county reporter for its own institution (fixed), or the office
    recording one received in writing (any institution, or none for a private person)."""

    institution = forms.ChoiceField(label=_("提出机构"), required=False)
    submitted_by = forms.CharField(
        label=_("提出人及联系方式"), max_length=200, help_text=_("姓名、职务和电话，便于答复。")
    )
    text = forms.CharField(
        label=_("异议内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写明对哪一项数据或排名有异议、理由和您认为正确的数值。"),
        error_messages={"required": _("请填写异议内容。")},
    )  # fmt: skip
    evidence = forms.FileField(
        label=_("佐证材料（可选）"), required=False, help_text=_("PDF、图片、文本或 .xlsx。")
    )

    def __init__(self, *args: Any, institutions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].choices = [("", _("（个人或其他单位）")), *institutions]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写异议内容。"))
        return str(text)

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        try:
            check_evidence(upload)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


def store_evidence(objection: Objection, upload: Any) -> None:
    """Attach ``upload`` (checked by `LodgeForm`) to ``objection`` with its original name and SHA-256."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = safe_name(upload.name or "evidence")
    objection.evidence_name, objection.evidence_sha256 = name, digest.hexdigest()
    objection.evidence.save(name, upload, save=False)
    objection.save(update_fields=["evidence", "evidence_name", "evidence_sha256"])


def parse_number(text: str) -> Decimal:
    """A number as people type it: full-width digits, thousands separators (1,234 / 1 234 / 1，234)."""
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError(_("请填写数字，收到“%(text)s”。") % {"text": text}) from None
    if not value.is_finite():
        raise forms.ValidationError(_("请填写数字，收到“%(text)s”。") % {"text": text})
    return value


class CorrectionForm(forms.Form):
    unit = forms.ChoiceField(label=_("机构"), required=False)
    indicator = forms.ChoiceField(label=_("指标"), required=False)
    value = forms.CharField(label=_("更正后的数值"), required=False, max_length=40)

    def __init__(self, *args: Any, units: list[tuple[str, str]], framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["unit"].choices = [("", "—"), *units]
        indicators = [(c, f"{c} {framework.node(c).label('zh')}") for c in framework.indicators]
        self.fields["indicator"].choices = [("", "—"), *indicators]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = [bool(data.get(f)) for f in ("unit", "indicator", "value")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("更正须同时选择机构、指标并填写数值。"))
        if all(filled):
            data["number"] = self._number(data["indicator"], data["value"])
        return data

    def _number(self, code: str, text: str) -> float:
        value = parse_number(text)
        low, high = self.framework.node(code).bounds or (None, None)
        if (low is not None and value < Decimal(str(low))) or (
            high is not None and value > Decimal(str(high))
        ):
            shown = (f"{low:g}" if low is not None else "-∞", f"{high:g}" if high is not None else "∞")
            self.add_error("value", _("%(code)s 的数值应在 %(low)s～%(high)s 之间。") % {
                "code": code, "low": shown[0], "high": shown[1]})  # fmt: skip
        return float(value)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (Objection.Outcome.REJECTED, _("不成立")),
            (Objection.Outcome.UPHELD, _("成立（更正并重新公示）")),
        ],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写答复内容。")},
    )  # fmt: skip

    def clean_reply(self) -> str:
        reply = self.cleaned_data["reply"].strip()
        if not reply:
            raise forms.ValidationError(_("请填写答复内容。"))
        return str(reply)


class Answer:
    """The answer form and its correction rows, validated together."""

    def __init__(
        self, objection: Objection, data: Any = None, *, units: list[tuple[str, str]], framework: Framework,
        rows: int = CORRECTION_ROWS,
    ) -> None:  # fmt: skip
        prefix = f"o{objection.pk}"
        self.objection = objection
        self.form = AnswerForm(data, prefix=prefix)
        self.rows = [
            CorrectionForm(data, prefix=f"{prefix}-c{i}", units=units, framework=framework)
            for i in range(rows)
        ]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        valid = all([row.is_valid() for row in self.rows]) and valid
        if valid and self.form.cleaned_data["outcome"] == Objection.Outcome.REJECTED and self.corrections():
            self.form.add_error("outcome", _("异议不成立时不应填写更正数据；如需更正，请选择“成立”。"))
            return False
        return valid

    def corrections(self) -> list[tuple[str, str, float]]:
        found = {(r.cleaned_data["unit"], r.cleaned_data["indicator"]): r.cleaned_data["number"]
                 for r in self.rows if r.cleaned_data.get("number") is not None}  # fmt: skip
        return [(unit, code, value) for (unit, code), value in sorted(found.items())]
