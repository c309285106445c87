"""Objections (异议) in the admin (the city's staff only): the office logs one received during the 公示 and
replies to it; an answered objection is shown read-only.

Both go through `workflow` (which checks the notice period, requires a reply, and, for an upheld objection,
computes the corrected run from the registry and reports as they stand now and restarts the notice), so the
admin never writes an objection by itself. Errors come back on the form; nothing is stored then.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from qiangji.web.accounts import locking
from qiangji.web.publication import workflow
from qiangji.web.publication.models import Objection, Publication


class LodgeForm(forms.ModelForm):
    instance: Objection
    text = forms.CharField(
        label=Objection._meta.get_field("text").verbose_name, max_length=5000, widget=forms.Textarea
    )

    class Meta:
        model = Objection
        fields = ["publication", "institution", "submitted_by", "received_on", "text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publication"].queryset = Publication.objects.filter(status=Publication.Status.NOTICE)
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = workflow.lodge_objection(
                data["publication"], text=data["text"], submitted_by=data["submitted_by"],
                received_on=data["received_on"], institution=data.get("institution"), user=self.user,
            )  # fmt: skip
        except workflow.WorkflowError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


class ReplyForm(forms.ModelForm):
    """Checks the answer in clean() (and, once wrapped by `locking.versioned`, that nobody else answered in
    the meantime); the workflow stores it in save(), after the version check."""

    instance: Objection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            c for c in Objection.Outcome.choices if c[0] != Objection.Outcome.PENDING
        ]
        self.fields["reply"].required = True
        self.user: Any = None

    class Meta:
        model = Objection
        fields = ["outcome", "reply"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.publication.status != Publication.Status.NOTICE:
            raise forms.ValidationError("只能在公示期间答复异议。")
        return data

    def save(self, commit: bool = True) -> Objection:
        pending: Objection = Objection.objects.get(pk=self.instance.pk)
        outcome = self.cleaned_data["outcome"]
        corrected = _current_inputs(pending) if outcome == Objection.Outcome.UPHELD else None
        return workflow.reply_objection(
            pending, outcome=outcome, reply=self.cleaned_data["reply"], today=timezone.localdate(),
            user=self.user, corrected_inputs=corrected,
        )  # fmt: skip


def _current_inputs(obj: Objection) -> Any:
    """The corrected data: the period's inputs rebuilt from the registry and reports as they are now."""
    from qiangji.web.assessment.inputs import build_inputs

    pub = obj.publication
    return build_inputs(pub.period, pub.run.framework_version)


#: An answered objection is shown, never edited: its outcome, reply and the corrected run are final.
ANSWERED_FIELDS = [
    "publication", "institution", "submitted_by", "received_on", "text", "outcome", "reply", "replied_at",
    "replied_by", "corrected_run",
]  # fmt: skip


class AnsweredForm(forms.ModelForm):
    """Nothing to edit (the page shows :data:`ANSWERED_FIELDS` read-only)."""

    class Meta:
        model = Objection
        fields: list[str] = []


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["publication", "received_on", "submitted_by", "institution", "outcome", "replied_at"]
    list_filter = ["outcome"]
    readonly_fields = ["publication", "institution", "submitted_by", "received_on", "text", "corrected_run"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = LodgeForm
        elif _pending(obj):
            kwargs["form"] = locking.versioned(ReplyForm)
        else:
            kwargs["form"] = AnsweredForm
        kwargs["fields"] = list(kwargs["form"].Meta.fields)
        form = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class WithUser(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.user = user

        return WithUser

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not _pending(obj):
            return list(ANSWERED_FIELDS)
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return list(self.readonly_fields) if _pending(obj) else list(ANSWERED_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or _pending(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Stored by the workflow: a new objection in LodgeForm.clean(), an answer in ReplyForm.save()."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """An objection has no related rows to save."""


def _pending(obj: Objection) -> bool:
    return bool(obj.outcome == Objection.Outcome.PENDING)
