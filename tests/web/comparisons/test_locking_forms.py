"""No lost update in the participant's submission form: of two edits loaded at the same version, the
second is refused with the conflict message and the first one's value is kept."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from qiangji.web.comparisons.models import Submission

from .conftest import submit

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
URL = "/comparisons/CMP-2025-01/"


def _loaded(user: Any) -> tuple[Client, dict[str, str]]:
    """A signed-in browser and the hidden fields of the page as it loaded it."""
    c = Client()
    c.force_login(user)
    page = c.get(URL).content.decode()
    return c, dict(HIDDEN.findall(page))


def _post(c: Client, hidden: dict[str, str], x: str) -> Any:
    data = {**hidden, "p1-x": x, "p1-U": "1.0", "p1-k": "2", "p1-measured_on": "2025-03-02"}
    return c.post(f"{URL}submit/", data, follow=True)


def test_a_stale_edit_of_a_submission_is_refused_and_the_first_kept(world: dict[str, Any]) -> None:
    stored = submit(world["parts"][1], world["points"][0], 0.4, 1.0)
    first, seen_first = _loaded(world["users"][0])
    second, seen_second = _loaded(world["users"][0])  # the same person in a second tab
    assert seen_first["p1-_version"] and seen_first["p1-_version"] == seen_second["p1-_version"]
    assert "已保存" in _post(first, seen_first, "0.5").content.decode()
    answer = _post(second, seen_second, "0.7").content.decode()
    assert "保存被拒绝" in answer and "对方的修改已保留" in answer
    stored.refresh_from_db()
    assert stored.x == 0.5
    assert 'value="0.5"' in answer  # the page after the refusal shows the value that was kept


def test_a_submission_without_its_version_is_refused(world: dict[str, Any]) -> None:
    stored = submit(world["parts"][1], world["points"][0], 0.4, 1.0)
    c, seen = _loaded(world["users"][0])
    seen.pop("p1-_version")
    assert "保存被拒绝" in _post(c, seen, "0.9").content.decode()
    assert Submission.objects.get(pk=stored.pk).x == 0.4


def test_a_first_submission_needs_no_version(world: dict[str, Any]) -> None:
    c, seen = _loaded(world["users"][0])
    assert seen.get("p1-_version", "") == ""
    _post(c, seen, "0.3")
    assert Submission.objects.get(participant=world["parts"][1], point=world["points"][0]).x == 0.3
