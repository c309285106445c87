"""Pages of the correction proposals: a county reporter proposes, the city accepts or rejects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import role_required, staff_required
from qiangji.web.directory import corrections
from qiangji.web.directory.proposals import BY_LABEL, KINDS, Kind, build_form, display
from qiangji.web.registry.models import Institution, RegistryProposal

Status = RegistryProposal.Status
Action = RegistryProposal.Action
PAGE_SIZE = 30


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明与依据"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如证书编号、文件名称，便于市级核实。"),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予采纳的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", gettext_lazy("全部")), *Status.choices]
    )


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404("no such kind of registry record")
    return kind


@role_required(policy.REPORTER)
def propose(
    request: HttpRequest, code: str, kind: str, pk: int | None = None, retire: bool = False
) -> HttpResponse:
    """New (no ``pk``), change or retirement of one row of the reporter's own institution."""
    inst = get_object_or_404(Institution, code=code)
    if not policy.can_propose(request.user, inst):
        raise PermissionDenied("only the institution's own reporters propose corrections to its registry")
    spec = _kind(kind)
    obj = None
    if pk is not None:
        obj = get_object_or_404(spec.model, pk=pk)
        if policy.owner_id(obj) != inst.pk:
            raise PermissionDenied("this record belongs to another institution")
    action = str(Action.RETIRE if retire else (Action.UPDATE if obj is not None else Action.CREATE))
    note = NoteForm(request.POST or None)
    if request.method == "POST" and note.is_valid():
        proposal, form = corrections.propose(
            request.user, inst, spec, action, request.POST, obj=obj, note=note.cleaned_data["note"]
        )
        if proposal is not None:
            messages.success(request, _("更正申请 #%(pk)s 已提交，待市级审核。") % {"pk": proposal.pk})
            return redirect("registry:proposal", proposal.pk)
    else:
        initial = {k: v for k, v in request.GET.items() if k in spec.form.base_fields}
        form = build_form(spec, action, inst, instance=obj, initial=initial)
    context = {"inst": inst, "kind": spec, "obj": obj, "action": action, "form": form, "note": note}
    context["action_label"] = dict(Action.choices)[action]
    context["deletes"] = action == Action.RETIRE and spec.retire_deletes
    return render(request, "registry/propose.html", context)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Proposals the user may see: all for the city and leadership, its own institution's for a county."""
    qs = policy.scope_queryset(
        request.user, RegistryProposal.objects.select_related("institution", "proposed_by")
    )
    f = QueueFilter(request.GET or None)
    wanted = f.cleaned_data["status"] if f.is_valid() else ""
    if wanted:
        qs = qs.filter(status=wanted)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, BY_LABEL[p.model_label].title if p.model_label in BY_LABEL else p.model_label) for p in page]
    return render(request, "registry/proposals.html", {"page": page, "rows": rows, "filter": f})


def _visible(request: HttpRequest, pk: int) -> RegistryProposal:
    proposal = get_object_or_404(RegistryProposal.objects.select_related("institution"), pk=pk)
    if not policy.can_view(request.user, proposal):
        raise PermissionDenied("this proposal belongs to another institution")
    return proposal


def _changes(proposal: RegistryProposal) -> list[tuple[str, str, str]]:
    kind = BY_LABEL[proposal.model_label]
    form = build_form(kind, proposal.action, proposal.institution)
    rows = []
    for name, value in proposal.values.items():
        if name in form.fields:
            was = display(form, name, proposal.before[name]) if name in proposal.before else ""
            rows.append((str(form.fields[name].label), was, display(form, name, value)))
    return rows


def _labelled(proposal: RegistryProposal, error: ValidationError) -> list[str]:
    """Each message with the name of its field, as people read it."""
    kind = BY_LABEL[proposal.model_label]
    fields = build_form(kind, proposal.action, proposal.institution).fields
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    lines = []
    for name, errors in error.message_dict.items():
        if name in fields:
            label = str(fields[name].label)
        elif name == "__all__":
            label = ""
        else:
            label = str(kind.model._meta.get_field(name).verbose_name) if _has_field(kind, name) else name
        lines += [f"{label}：{m}" if label else m for m in errors]
    return lines


def _has_field(kind: Kind, name: str) -> bool:
    return any(f.name == name for f in kind.model._meta.get_fields())


@staff_required
def proposal(
    request: HttpRequest, pk: int, errors: list[str] | None = None, reject_form: Any = None
) -> HttpResponse:
    p = _visible(request, pk)
    kind = BY_LABEL.get(p.model_label)
    context = {
        "p": p,
        "kind": kind,
        "changes": _changes(p) if kind else [],
        "can_decide": p.status == Status.PENDING and policy.can_review_proposal(request.user, p),
        "errors": errors or [],
        "reject_form": reject_form or RejectForm(),
        "deletes": kind is not None and p.action == Action.RETIRE and kind.retire_deletes,
    }
    return render(request, "registry/proposal.html", context, status=400 if errors or reject_form else 200)


@require_POST
@role_required(*policy.PROPOSAL_REVIEW_ROLES)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    p = _visible(request, pk)
    try:
        corrections.accept(p, request.user)
    except ValidationError as exc:
        return proposal(request, pk, errors=_labelled(p, exc))
    messages.success(request, _("已采纳并写入登记。"))
    return redirect("registry:proposal", pk)


@require_POST
@role_required(*policy.PROPOSAL_REVIEW_ROLES)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    p = _visible(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return proposal(request, pk, reject_form=form)
    try:
        corrections.reject(p, request.user, form.cleaned_data["reason"])
    except ValidationError as exc:
        return proposal(request, pk, errors=_labelled(p, exc))
    messages.success(request, _("已退回，理由已通知提出人。"))
    return redirect("registry:proposal", pk)
