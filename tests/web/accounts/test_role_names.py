"""Role names and the default framework file have one source each; the others read it."""

from __future__ import annotations

from qiangji.core.index.shipped import DEFAULT_FRAMEWORK, shipped_framework
from qiangji.web.accounts import policy
from qiangji.web.accounts.models import Role
from qiangji.web.assessment import frameworks
from qiangji.web.assessment.management.commands.loadframework import Command
from qiangji.web.publication.runs import DEFAULT_FRAMEWORK_PATH


def test_it_takes_the_policys_role_names_from_the_role_choices() -> None:
    assert tuple(Role.values) == (policy.ADMIN, policy.REVIEWER, policy.REPORTER, policy.LEADERSHIP)
    assert frozenset(Role.values) == policy.STAFF_ROLES
    assert all(type(name) is str for name in policy.STAFF_ROLES)


def test_it_names_the_default_framework_once() -> None:
    assert shipped_framework() == DEFAULT_FRAMEWORK_PATH and DEFAULT_FRAMEWORK_PATH.is_file()
    assert frameworks.shipped_path() == str(shipped_framework(DEFAULT_FRAMEWORK))
    assert frameworks.framework_text() == shipped_framework().read_text(encoding="utf-8")
    assert DEFAULT_FRAMEWORK in Command.help
