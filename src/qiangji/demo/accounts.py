"""The demo's sign-ins: the programme admin, a city reviewer, leadership and a reporter of every ranked
county institution, with the public demo passwords the README lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from qiangji.demo.generate.institutions import DIVISIONS, PROFILE, RANKED

DEMO_ADMIN = ("admin", "qiangji-demo-2025")


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in of one role (a reporter: of one county institution)."""

    username: str
    password: str
    role: str
    institution: str = ""


def demo_accounts() -> list[DemoAccount]:
    """The programme admin, a reporter of every ranked county institution, a city reviewer, leadership.

    Passwords are public demo passwords (README): long enough and not guessable from the username, so they
    pass the project's password validators, which :func:`ensure_accounts` runs on each.
    """
    english = {d.code: d.name_en for d in DIVISIONS}
    reporters = [
        DemoAccount(
            f"rep-{PROFILE[c].division.lower()}", f"Demo-{english[PROFILE[c].division]}-2026", "reporter", c
        )
        for c in RANKED
    ]
    return [
        DemoAccount(DEMO_ADMIN[0], DEMO_ADMIN[1], "admin"),
        DemoAccount("reviewer", "Demo-Review-Taizhou-2026", "reviewer"),
        DemoAccount("leader", "Demo-Leadership-Taizhou-2026", "leadership"),
        *reporters,
    ]


def ensure_accounts() -> int:
    """Create the role accounts of :func:`demo_accounts` that do not exist yet; returns how many."""
    from django.contrib.auth.password_validation import validate_password

    from qiangji.web.accounts.roles import assign_role
    from qiangji.web.registry.models import Institution

    user_model, made = get_user_model(), 0
    for account in demo_accounts():
        if account.role == "admin" or user_model.objects.filter(username=account.username).exists():
            continue
        inst = Institution.objects.filter(code=account.institution).first() if account.institution else None
        if account.institution and inst is None:
            continue  # the registry demo data are not loaded (a partial database)
        user = user_model(username=account.username, email=f"{account.username}@example.invalid")
        validate_password(account.password, user)
        user.set_password(account.password)
        user.save()
        assign_role(user, account.role, inst)
        made += 1
    return made


def ensure_admin() -> bool:
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_ADMIN[0]).exists():
        return False
    user_model.objects.create_superuser(DEMO_ADMIN[0], "admin@example.invalid", DEMO_ADMIN[1])
    return True
