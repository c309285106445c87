"""The access policy as pure functions: roles, institution paths, row scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser

from qiangji.web.accounts import policy
from qiangji.web.accounts.admin_policy import PolicyAdminMixin, PolicyInlineMixin
from qiangji.web.accounts.models import Profile, Role
from qiangji.web.registry.models import RMRegistration, Staff


def test_it_keeps_the_role_constants_equal_to_the_stored_choices() -> None:
    assert set(Role.values) == set(policy.STAFF_ROLES)


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("registry.institution", "pk"),
        ("registry.staff", "institution"),
        ("registry.rmregistration", "staff__institution"),
        ("registry.instrumentcertificate", "instrument__standard__institution"),
        ("registry.institutionsuccession", "successor"),
        ("assessment.reportedvalue", "institution"),
        ("assessment.evidence", "report__institution"),
        ("comparisons.submission", "participant__institution"),
        ("comparisons.comparisonround", None),  # the pilot does not own a round's confidential results
        ("registry.division", None),
        ("publication.indexrun", None),
    ],
)
def test_it_finds_the_owning_institution(model: str, path: str | None) -> None:
    assert policy.institution_path(apps.get_model(model)) == path


def test_it_reads_the_role_of_each_kind_of_user(world: dict[str, Any]) -> None:
    u = world["users"]
    assert policy.role_of(AnonymousUser()) == policy.PUBLIC
    assert policy.role_of(u["no_role"]) == policy.PUBLIC  # staff flag alone grants nothing
    assert policy.role_of(u["reporter"]) == "reporter"
    u["reporter"].is_active = False
    assert policy.role_of(u["reporter"]) == policy.PUBLIC


def test_it_scopes_a_reporter_to_its_own_institution(world: dict[str, Any]) -> None:
    u, s1, s2 = world["users"], world["s1"], world["s2"]
    RMRegistration.objects.create(
        staff=s2,
        level=2,
        qualification_cert_no="Q-2",
        registration_no="RM-2",
        valid_from="2024-01-01",
        valid_to="2028-12-31",
    )
    assert list(policy.scope_queryset(u["reporter"], Staff.objects.all())) == [s1]
    assert not policy.scope_queryset(u["reporter"], RMRegistration.objects.all()).exists()
    assert policy.scope_queryset(u["reviewer"], Staff.objects.all()).count() == 2
    assert not policy.scope_queryset(u["anonymous"] or AnonymousUser(), Staff.objects.all()).exists()
    assert list(policy.visible_institutions(u["reporter"])) == [world["c1"]]


def test_it_lets_a_reporter_edit_only_its_own_rows(world: dict[str, Any]) -> None:
    u, s1, s2 = world["users"], world["s1"], world["s2"]
    assert policy.can_edit(u["reporter"], s1) and not policy.can_edit(u["reporter"], s2)
    assert policy.can_view(u["reporter"], s1) and not policy.can_view(u["reporter"], s2)
    assert not policy.can_edit(u["reporter"], world["c1"])  # the institution record itself is city data
    assert policy.can_view(u["leadership"], s2) and not policy.can_edit(u["leadership"], s2)
    assert policy.can_edit(u["reviewer"], s2)


def test_it_keeps_accounts_and_the_audit_trail_away_from_everyone_but_the_admin(
    world: dict[str, Any],
) -> None:
    u = world["users"]
    assert policy.can_edit_model(u["admin"], Profile)
    assert not policy.can_view_model(u["reviewer"], Profile)
    audit = apps.get_model("accounts.auditevent")
    assert policy.can_view_model(u["leadership"], audit) and not policy.can_edit_model(u["admin"], audit)
    assert not policy.can_view_model(u["reviewer"], audit)


def test_it_keeps_comparison_results_from_a_participant_until_the_pages_release_them(
    world: dict[str, Any],
) -> None:
    u = world["users"]
    results = apps.get_model("comparisons.labresult")
    assert policy.institution_path(results) == "participant__institution"
    assert not policy.can_view_model(u["reporter"], results)
    assert policy.can_view_model(u["leadership"], results)


def test_it_applies_the_policy_to_every_admin_and_inline() -> None:
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, PolicyAdminMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, PolicyInlineMixin), (model, inline)
