"""`qiangji manage loaddata` cannot insert audit events (a forged, back-dated one was accepted) and every
load is itself audited (security review, issue 13: L7)."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qiangji.web.accounts.models import AuditEvent, LoginFailure
from qiangji.web.registry.models import Institution

INSTITUTION = {
    "model": "registry.institution",
    "pk": 901,
    "fields": {
        "code": "FX",
        "name": "夹具机构（示例）",
        "level": "county",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    },
}
FORGED = {
    "model": "accounts.auditevent",
    "pk": 99901,
    "fields": {"at": "2019-01-01T00:00:00Z", "action": "login", "actor": "director", "source": "web"},
}


def fixture(tmp_path: Path, *objects: dict[str, Any]) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(list(objects), ensure_ascii=False), encoding="utf-8")
    return path


def load(path: Path) -> str:
    out = StringIO()
    call_command("loaddata", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_refuses_a_fixture_with_a_forged_audit_event_and_loads_nothing(db: Any, tmp_path: Path) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"accounts\.AuditEvent\(pk=99901\)") as refused:
        load(fixture(tmp_path, INSTITUTION, FORGED))
    assert "审计" in str(refused.value) and "未导入任何数据" in str(refused.value)
    assert not AuditEvent.objects.filter(pk=99901).exists()
    assert not Institution.objects.filter(code="FX").exists()  # all or nothing
    assert AuditEvent.objects.count() == before


def test_it_refuses_login_failure_records(db: Any, tmp_path: Path) -> None:
    row = {
        "model": "accounts.loginfailure",
        "pk": 5,
        "fields": {"username": "x", "at": "2020-01-01T00:00:00Z"},
    }
    with pytest.raises(CommandError, match="LoginFailure"):
        load(fixture(tmp_path, row))
    assert not LoginFailure.objects.exists()


def test_a_load_is_audited_with_the_file_and_its_digest(db: Any, tmp_path: Path) -> None:
    path = fixture(tmp_path, INSTITUTION)
    assert "Installed 1 object" in load(path)
    assert Institution.objects.filter(code="FX").exists()
    event = AuditEvent.objects.get(action="loaddata")
    assert event.source == "cli" and event.actor  # the operating-system account
    assert event.after["objects"] == 1 and event.after["models"] == {"registry.Institution": 1}
    (entry,) = event.after["fixtures"]
    assert entry["file"] == "data.json"
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
