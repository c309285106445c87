"""Every admin page of every registered model, for every role, against one declared policy.

:data:`POLICY` is the specification, written here and not read from the code: who may list/view, add,
change and delete each kind of row in the Django admin, and which actions each role is offered. The admin
is the city's staff's (programme admin, city reviewer): a county reporter or leadership, signed in, gets
403 on every admin page (the index sends it to the site's home page), an anonymous visitor the login page.
Workflow objects (results, rectifications, reported values, publications, objections, runs, visits…) are
view-only: they change on the site's own pages, through the workflow; no admin form lets anyone pick another
account as the actor (``submitted_by``, ``reviewed_by``…) or set a workflow field (:data:`FIXED`).

A model registered in the admin without a row here fails :func:`test_every_admin_model_is_declared`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from .admin_world import build_world

pytestmark = pytest.mark.django_db

ROLES = ["admin", "reviewer", "reporter", "leadership", "anonymous"]
CITY = frozenset({"admin", "reviewer"})
ADMIN = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Allowed:
    """Roles allowed each admin operation on one kind of row."""

    view: frozenset[str] = CITY
    add: frozenset[str] = CITY
    #: Who opens the list (and is offered the actions); the row's own page follows ``view``.
    lists: frozenset[str] | None = None
    change: frozenset[str] = CITY
    delete: frozenset[str] = CITY
    #: Actions the list offers; delete_selected follows ``delete`` unless named here.
    actions: dict[str, frozenset[str]] = field(default_factory=dict)
    user_fields: frozenset[str] = NOBODY  # form fields naming an account that this admin may offer


EDITABLE = Allowed()
VIEW_ONLY = Allowed(add=NOBODY, change=NOBODY, delete=NOBODY)
ACCOUNTS = Allowed(view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN)
TRAIL = Allowed(view=ADMIN, add=NOBODY, change=NOBODY, delete=NOBODY)

REGISTRY = [
    "division", "institution", "institutionname", "institutiongrade", "institutionsuccession", "staff",
    "rmregistration", "regulation", "measurementstandard", "previousassessment", "standardinstrument",
    "instrumentcertificate", "mvcatalogueitem", "institutionmvitem", "verificationcertificate",
    "researchproject", "labplatform", "researchoutput", "industryservice", "supervisionfinding",
    "examsubjectpass", "rmcredential", "continuingeducation", "professionalitemmapping",
]  # fmt: skip

#: (model label, the world's row to open, else the first) → who may do what in the admin.
POLICY: dict[tuple[str, str | None], Allowed] = {
    **{(f"registry.{name}", None): EDITABLE for name in REGISTRY},
    ("auth.user", None): ACCOUNTS,
    ("auth.group", None): ACCOUNTS,
    ("accounts.profile", None): Allowed(view=ADMIN, add=ADMIN, change=ADMIN, delete=ADMIN,
                                        user_fields=frozenset({"user"})),
    ("accounts.auditevent", None): TRAIL,
    ("accounts.loginfailure", None): TRAIL,
    # Tokens: one's own (the reviewer opens its own); the programme admin lists and revokes everyone's.
    ("api.apitoken", "token_reviewer"): Allowed(change=NOBODY, delete=NOBODY, actions={"revoke": CITY}),
    ("api.apitoken", "token_admin"): Allowed(
        view=ADMIN, lists=CITY, change=NOBODY, delete=NOBODY, actions={"revoke": CITY}
    ),
    # Creating or deleting a period is opening one: the programme admin's step (nothing else is editable).
    ("assessment.period", None): Allowed(add=ADMIN, delete=ADMIN),
    # The world's framework version is used by an index run: frozen, never deleted.
    # (An unused version may still be deleted, so the list offers delete_selected; it refuses this row.)
    ("assessment.frameworkversion", None): Allowed(
        delete=NOBODY, actions={"copy_as_new_version": CITY, "delete_selected": CITY}
    ),
    ("assessment.reportedvalue", None): VIEW_ONLY,
    ("assessment.supervisionvisit", None): VIEW_ONLY,
    ("assessment.rectification", None): VIEW_ONLY,
    ("comparisons.comparisonround", None): EDITABLE,
    ("comparisons.pilotcheck", None): EDITABLE,
    ("comparisons.submission", None): VIEW_ONLY,
    ("comparisons.evaluation", None): VIEW_ONLY,
    ("comparisons.correctiveaction", None): EDITABLE,
    ("comparisons.competition", None): EDITABLE,
    ("comparisons.contestant", None): EDITABLE,
    ("excel.importbatch", None): VIEW_ONLY,
    ("programme.goal", None): EDITABLE,
    ("programme.trainingtopic", None): EDITABLE,
    ("programme.trainingyear", None): EDITABLE,
    ("programme.trainingneed", None): EDITABLE,
    ("programme.trainingplan", None): VIEW_ONLY,
    ("programme.trainingsession", None): EDITABLE,
    ("programme.rmexampass", None): EDITABLE,
    **{(f"steering.{name}", None): EDITABLE for name in (
        "partner", "agreement", "jointproject", "exchange", "researchapplication", "assistanceaction",
        "capabilityplan", "planassignment", "dutylistitem",
    )},
    ("publication.indexrun", None): VIEW_ONLY,
    # Publishing (notice, objections, final) happens on the site's publishing page, the programme admin's:
    # the admin shows publications and objections, pending or answered, and links there; no action.
    ("publication.publication", None): VIEW_ONLY,
    ("publication.objection", "objection_pending"): VIEW_ONLY,
    ("publication.objection", "objection_answered"): VIEW_ONLY,
}  # fmt: skip

#: Workflow fields no admin form may offer, to anyone: they change only through the workflow's functions.
FIXED: dict[str, frozenset[str]] = {
    "comparisons.comparisonround": frozenset({"status", "closed_at", "reported_on"}),
    "registry.supervisionfinding": frozenset({"closed_on"}),
    "publication.objection": frozenset({"replied_at", "corrected_run"}),
    "assessment.frameworkversion": frozenset({"sha256", "used_at"}),
}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once for the module, rolled back afterwards (the tests only read, or are refused)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _lists(allowed: Allowed) -> frozenset[str]:
    return allowed.view if allowed.lists is None else allowed.lists


def _label(model: Any) -> str:
    return str(model._meta.label_lower)


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


def _row(world: dict[str, Any], model: Any, key: str | None) -> Any:
    """The world's row named ``key``, else the model's first row."""
    row = world[key] if key else model._default_manager.order_by("pk").first()
    assert row is not None, f"admin_world.build_world() has no {_label(model)} row: add one"
    return row


def _closed(response: Any, role: str) -> bool:
    """The answer of an admin page to someone the admin is closed to."""
    if role == "anonymous":
        return response.status_code == 302 and reverse("accounts:login") in response["Location"]
    return response.status_code == 403


def _answer(response: Any, role: str, allowed: frozenset[str]) -> None:
    if role not in CITY:
        assert _closed(response, role), (role, response.status_code)
    elif role in allowed:
        assert response.status_code == 200, (role, response.status_code)
    else:  # refused; a row the role may not see at all "does not exist" (back to the admin index)
        hidden = response.status_code == 302 and response["Location"] == reverse("admin:index")
        assert response.status_code == 403 or hidden, (role, response.status_code)


def _editable(response: Any) -> set[str]:
    """Names of the fields a user could type or pick on this admin form (inlines included)."""
    ctx = response.context
    names = set(ctx["adminform"].form.fields) - set(ctx["adminform"].readonly_fields)
    for inline in ctx["inline_admin_formsets"]:
        if inline.has_add_permission or inline.has_change_permission:
            own = set(inline.formset.form.base_fields) - {inline.formset.fk.name}  # the parent link
            names |= {f"{inline.opts.model._meta.model_name}.{n}" for n in own}
    return names - {"_version"}


def _check_fields(model: Any, response: Any, allowed: Allowed) -> None:
    names = _editable(response)
    for name in names:
        inline, _dot, own = name.rpartition(".")
        if _names_an_account(_inline_model(model, inline) if inline else model, own):
            assert own in allowed.user_fields, f"{_label(model)}: an account to pick in {name}"
    fixed = FIXED.get(_label(model), NOBODY) & names
    assert not fixed, f"{_label(model)}: workflow fields editable in the admin: {sorted(fixed)}"


def _names_an_account(model: Any, name: str) -> bool:
    fields = {f.name: f for f in model._meta.get_fields()}
    related = getattr(fields.get(name), "related_model", None)
    return related is not None and _label(related) == settings.AUTH_USER_MODEL.lower()


def _inline_model(model: Any, name: str) -> Any:
    for inline in admin.site._registry[model].inlines:
        if inline.model._meta.model_name == name:
            return inline.model
    raise AssertionError(name)


CASES = [(label, row, role) for (label, row) in POLICY for role in ROLES]


def _model(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)


def test_every_admin_model_is_declared() -> None:
    registered = {_label(m) for m in admin.site._registry}
    declared = {label for label, _row in POLICY}
    assert registered - declared == set(), "declare these admin models in POLICY"
    assert declared - registered == set(), "POLICY names models the admin does not show"


@pytest.mark.parametrize(
    ("label", "row", "role"), CASES, ids=[f"{lab}-{r or ''}-{role}" for lab, r, role in CASES]
)
def test_the_admin_answers_as_declared(world: dict[str, Any], label: str, row: str | None, role: str) -> None:
    model, allowed = _model(label), POLICY[(label, row)]
    obj = _row(world, model, row)
    c = _client(world, role)
    _answer(c.get(_url(model, "changelist")), role, _lists(allowed))
    _answer(c.get(_url(model, "history", obj.pk)), role, allowed.view)
    _answer(c.get(_url(model, "change", obj.pk)), role, allowed.view)
    add = c.get(_url(model, "add"))
    _answer(add, role, allowed.add)
    _answer(c.get(_url(model, "delete", obj.pk)), role, allowed.delete)
    change = c.get(_url(model, "change", obj.pk))
    if role in allowed.change:
        assert change.context["has_change_permission"], (label, role)
        _check_fields(model, change, allowed)
    elif role in allowed.view:  # shown read-only; a posted change is refused and stores nothing
        assert not change.context["has_change_permission"], (label, role)
        assert c.post(_url(model, "change", obj.pk), {}).status_code == 403
    if role in allowed.add:
        _check_fields(model, add, allowed)
    if role not in CITY:
        assert _closed(c.post(_url(model, "change", obj.pk), {}), role)
        assert _closed(c.post(_url(model, "delete", obj.pk), {"post": "yes"}), role)
        assert model._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("label", "row", "role"), CASES, ids=[f"{lab}-{r or ''}-{role}" for lab, r, role in CASES]
)
def test_the_admin_offers_the_declared_actions(
    world: dict[str, Any], label: str, row: str | None, role: str
) -> None:
    model, allowed = _model(label), POLICY[(label, row)]
    expected = {name for name, roles in allowed.actions.items() if role in roles}
    if role in allowed.delete and "delete_selected" not in allowed.actions:
        expected.add("delete_selected")
    c = _client(world, role)
    obj = _row(world, model, row)
    names = {*allowed.actions, "delete_selected"}
    if role not in CITY:  # every action is refused before it is looked up
        for name in names:
            post = c.post(
                _url(model, "changelist"), {"action": name, "_selected_action": [obj.pk], "index": 0}
            )
            assert _closed(post, role), (name, post.status_code)
        return
    page = c.get(_url(model, "changelist"))
    if role not in _lists(allowed):
        assert page.status_code == 403
        return
    form = page.context["action_form"]
    offered = {value for value, _text in form.fields["action"].choices if value} if form else set()
    assert offered == expected, (label, role)
    if "delete_selected" in offered and role not in allowed.delete:  # offered for other rows, not this one
        data = {"action": "delete_selected", "_selected_action": [obj.pk], "index": 0, "post": "yes"}
        c.post(_url(model, "changelist"), data)
        assert model._default_manager.filter(pk=obj.pk).exists()
    if role not in allowed.view:  # a row the role may not see: no action offered in the list touches it
        before = model_to_dict(model._default_manager.get(pk=obj.pk))
        for name in offered:
            c.post(_url(model, "changelist"), {"action": name, "_selected_action": [obj.pk], "index": 0})
        assert model_to_dict(model._default_manager.get(pk=obj.pk)) == before, (label, role)


def test_the_account_pages_stay_open_to_every_role(world: dict[str, Any]) -> None:
    """Signing out and changing one's password: the admin's own pages send every signed-in role to the site's
    pages (issue 18), which stay open to every role."""
    for role in ("reporter", "leadership", "reviewer"):
        c = _client(world, role)
        response = c.get(reverse("admin:password_change"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
        assert c.get(reverse("accounts:password_change")).status_code == 200, role
        assert c.post(reverse("accounts:logout")).status_code in (200, 302), role
        response = c.get(reverse("accounts:password_change"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]  # signed out
