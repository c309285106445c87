"""The correction workflow: a county reporter proposes, the city accepts (applied) or rejects (a reason).

``propose`` validates the proposed values through the kind's model form (the model's ``full_clean`` and
the form's own rules) and stores only the fields that change. ``accept`` re-binds the form over the row as
it is now, refuses a field changed by someone else since the proposal, runs ``full_clean`` on the result
and saves it, all in one transaction with the decision; the audit trail records the change (actor: the
city user) and the proposal (proposer and reviewer). The proposer is notified of the outcome.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.web.accounts import policy
from qiangji.web.directory.proposals import BY_LABEL, Kind, build_form, jsonable, stored_values
from qiangji.web.registry.models import Institution, RegistryProposal
from qiangji.web.registry.signals import proposal_decided

Action = RegistryProposal.Action
Status = RegistryProposal.Status


def propose(
    user: Any,
    institution: Institution,
    kind: Kind,
    action: str,
    data: Any,
    *,
    obj: models.Model | None = None,
    note: str = "",
) -> tuple[RegistryProposal | None, Any]:
    """Store a proposal, or return the bound form with its field errors (nothing stored)."""
    if not policy.can_propose(user, institution):
        raise PermissionDenied("only the institution's own reporters propose corrections to its registry")
    if obj is not None and policy.owner_id(obj) != institution.pk:
        raise PermissionDenied("this record belongs to another institution")
    before = stored_values(build_form(kind, action, institution, instance=obj)) if obj is not None else {}
    shown = str(obj) if obj is not None else ""  # before the bound form writes the proposed values into it
    form = build_form(kind, action, institution, instance=obj, data=data)
    if not form.is_valid():
        return None, form
    proposed = {name: jsonable(form.cleaned_data.get(name)) for name in form.fields}
    changed = {n: v for n, v in proposed.items() if obj is None or before.get(n) != v}
    if action == Action.UPDATE and not changed:
        form.add_error(None, _("没有任何修改。"))
        return None, form
    proposal = RegistryProposal.objects.create(
        institution=institution,
        model_label=kind.label,
        object_id=None if obj is None else obj.pk,
        object_repr=(shown or str(form.instance))[:200],  # a new row: as it would read
        action=action,
        values=changed,
        before={n: before[n] for n in changed if n in before},
        note=note.strip(),
        proposed_by=user,
    )
    return proposal, form


def _decidable(proposal_id: int, reviewer: Any) -> RegistryProposal:
    proposal = RegistryProposal.objects.select_for_update().select_related("institution").get(pk=proposal_id)
    if not policy.can_review_proposal(reviewer, proposal):
        raise PermissionDenied("only the city's staff decide proposals, and never their own")
    if proposal.status != Status.PENDING:
        raise ValidationError(_("该申请已于 %(when)s 处理，不能再次审核。") % {"when": proposal.reviewed_at})
    return proposal


def accept(proposal: RegistryProposal, reviewer: Any) -> RegistryProposal:
    """Apply ``proposal``, record the decision; a ``ValidationError`` (field → messages) changes nothing."""
    with transaction.atomic():
        proposal = _decidable(proposal.pk, reviewer)
        kind = BY_LABEL[proposal.model_label]
        obj = _target(proposal, kind)
        applied = _apply(proposal, kind, obj)
        proposal.status = Status.ACCEPTED
        proposal.reviewed_by, proposal.reviewed_at = reviewer, timezone.now()
        if applied is not None:
            proposal.object_id, proposal.object_repr = applied.pk, str(applied)[:200]
        proposal.save()
        proposal_decided.send(RegistryProposal, proposal=proposal)
    return proposal


def reject(proposal: RegistryProposal, reviewer: Any, reason: str) -> RegistryProposal:
    """Record a rejection with its reason (required); nothing in the registry changes."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予采纳的理由。")})
    with transaction.atomic():
        proposal = _decidable(proposal.pk, reviewer)
        proposal.status, proposal.reason = Status.REJECTED, reason.strip()
        proposal.reviewed_by, proposal.reviewed_at = reviewer, timezone.now()
        proposal.save()
        proposal_decided.send(RegistryProposal, proposal=proposal)
    return proposal


def _target(proposal: RegistryProposal, kind: Kind) -> models.Model | None:
    if proposal.object_id is None:
        return None
    obj = kind.model._default_manager.select_for_update().filter(pk=proposal.object_id).first()
    if obj is None:
        raise ValidationError(_("该记录已不存在（可能已被删除），申请无法采纳。"))
    if policy.owner_id(obj) != proposal.institution_id:
        raise ValidationError(_("该记录已不属于提出申请的机构。"))
    return obj


def _apply(proposal: RegistryProposal, kind: Kind, obj: models.Model | None) -> models.Model | None:
    if proposal.action == Action.RETIRE and kind.retire_deletes:
        assert obj is not None
        try:
            obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            names = "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))  # type: ignore[union-attr]
            raise ValidationError(
                _("该记录仍被其他记录引用（%(names)s），不能删除。") % {"names": names}
            ) from exc
        return None
    form = _bound_for_acceptance(proposal, kind, obj)
    row = form.save(commit=False)
    row.full_clean()  # every field and the model's cross-field rules, also those the form left out
    if policy.owner_id(row) != proposal.institution_id:
        raise ValidationError(_("申请的记录必须属于提出申请的机构。"))
    row.save()
    form.save_m2m()
    return row


def _bound_for_acceptance(proposal: RegistryProposal, kind: Kind, obj: models.Model | None) -> Any:
    institution = proposal.institution
    current = stored_values(build_form(kind, proposal.action, institution, instance=obj)) if obj else {}
    moved = {
        name: _("提出申请后该字段已被修改（现为“%(now)s”），请重新提出。") % {"now": current.get(name)}
        for name, was in proposal.before.items()
        if current.get(name) != was
    }
    if moved:
        raise ValidationError(moved)
    form = build_form(kind, proposal.action, institution, instance=obj, data={**current, **proposal.values})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form
