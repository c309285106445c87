"""The round's protocol is served only through the permission-checked view, never as a media URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client

from qiangji.web.accounts.roles import assign_role
from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.registry.models import Institution

from .conftest import make_user

URL = "/comparisons/CMP-2025-01/"
BODY = b"%PDF-1.4 protocol of CMP-2025-01 (test)"


@pytest.fixture
def protocol(world: dict[str, Any], settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    rnd: ComparisonRound = world["round"]
    rnd.protocol.save("CMP-2025-01-方案.pdf", ContentFile(BODY))
    return world


def get(user: Any, url: str = URL + "protocol/") -> Any:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c.get(url)


def test_it_serves_the_protocol_to_a_participant(protocol: dict[str, Any]) -> None:
    r = get(protocol["users"][0])
    assert r.status_code == 200 and b"".join(r.streaming_content) == BODY
    assert r["Content-Disposition"].startswith("attachment;")


def test_it_serves_the_protocol_to_the_pilot_and_city_roles(protocol: dict[str, Any]) -> None:
    leader = get_user_model().objects.create_user("leader")
    assign_role(leader, "leadership")
    c8 = Institution.objects.create(code="C8", name="某县所（示例）", level="county")
    reviewer = make_user("other-reviewer", c8, staff=True)
    for user in (protocol["pilot_user"], leader, reviewer):
        assert get(user).status_code == 200, user


def test_it_refuses_outsiders_and_other_institutions(protocol: dict[str, Any]) -> None:
    other = make_user("c9", Institution.objects.create(code="C9", name="未参加县所（示例）", level="county"))
    assert get(other).status_code == 403
    # a signed-in user without a role is public: refused (403) or sent to sign in (302), never served
    assert get(protocol["outsider"]).status_code in (302, 403)
    r = get(None)
    assert r.status_code == 302 and "/login" in r["Location"]


def test_it_refuses_participants_before_the_round_is_published(protocol: dict[str, Any]) -> None:
    ComparisonRound.objects.update(status=ComparisonRound.Status.DRAFT)
    assert get(protocol["users"][0]).status_code == 403
    assert get(protocol["pilot_user"]).status_code == 200


def test_it_says_not_found_without_a_file(world: dict[str, Any]) -> None:
    assert get(world["pilot_user"]).status_code == 404


def test_pages_link_the_view_not_the_media_file(protocol: dict[str, Any]) -> None:
    name = ComparisonRound.objects.get().protocol.name
    page = get(protocol["users"][0], URL).content.decode()
    assert 'href="/comparisons/CMP-2025-01/protocol/"' in page and name not in page
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    form = get(admin, f"/admin/comparisons/comparisonround/{protocol['round'].pk}/change/").content.decode()
    assert 'href="/comparisons/CMP-2025-01/protocol/"' in form and f'href="{name}' not in form
