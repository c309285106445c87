"""Membership (user → institution) moves to the accounts app's Profile, which also holds the role.

A staff member of the city institute becomes a city reviewer, a superuser the programme admin, everyone
else a county reporter of their institution (a county pilot keeps its data, not pilot rights).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def to_profiles(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("comparisons", "Membership")
    Profile = apps.get_model("accounts", "Profile")
    for m in Membership.objects.select_related("user", "institution"):
        if Profile.objects.filter(user_id=m.user_id).exists():
            continue
        if m.user.is_superuser:
            role = "admin"
        elif m.user.is_staff and m.institution.level == "city":
            role = "reviewer"
        else:
            role = "reporter"
        Profile.objects.create(user_id=m.user_id, role=role, institution_id=m.institution_id)


def to_memberships(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("comparisons", "Membership")
    Profile = apps.get_model("accounts", "Profile")
    for p in Profile.objects.exclude(institution=None):
        Membership.objects.get_or_create(user_id=p.user_id, defaults={"institution_id": p.institution_id})


class Migration(migrations.Migration):
    dependencies = [("comparisons", "0001_initial"), ("accounts", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(to_profiles, to_memberships),
        migrations.DeleteModel(name="Membership"),
    ]
