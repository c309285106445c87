"""``qiangji backup`` / ``qiangji restore``: a round trip into a fresh database of the same back end
(SQLite or PostgreSQL, whichever the suite runs on) compares every table row by row and every evidence
file byte by byte; damaged, foreign or misplaced backups are refused with nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.db import connection

from qiangji.web.accounts.models import Profile, Role
from qiangji.web.api.models import ApiToken
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import Evidence, FrameworkVersion, Period, ReportedValue
from qiangji.web.backup import BackupError, _check_empty, backed_up_models, backup, restore
from qiangji.web.registry.models import Division, Institution
from tests.web.registry import factories as f

ROOT = Path(__file__).resolve().parents[2]


def snapshot() -> dict[str, Any]:
    """Every backed-up table (rows in pk order, references by natural key) and every file's SHA-256."""
    tables = {}
    for model in backed_up_models():
        rows = json.loads(
            serializers.serialize(
                "json", model._base_manager.order_by("pk").iterator(), use_natural_foreign_keys=True
            )
        )
        tables[model._meta.label_lower] = rows
    media = Path(settings.MEDIA_ROOT)
    files = {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (media.rglob("*") if media.is_dir() else [])
        if p.is_file()
    }
    return {"tables": tables, "media": files}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "source-media"


@pytest.fixture
def filled(db: Any) -> dict[str, Any]:
    ensure_default_framework(FrameworkVersion)
    div = Division.objects.create(code="331002", name="椒江区（示例）", kind=Division.Kind.DISTRICT)
    inst = f.institution("BK1")
    inst.divisions.add(div)
    person = f.staff(inst, name="备份某（示例）")
    f.registration(person, f.D(2020, 1, 1), f.D(2025, 12, 31))
    f.standard(inst)
    user = get_user_model().objects.create_user("backup_rep", password="a-long-Passphrase-77")
    Profile.objects.create(user=user, role=Role.REPORTER, institution=inst)
    ApiToken.issue(user, "backup test")
    report = ReportedValue.objects.create(
        period=Period.for_code("2025Q1"), institution=inst, indicator="D1.1", value=7, updated_by=user
    )
    evidence = Evidence(report=report, original_name="证明.pdf", sha256="0" * 64, size=9, uploaded_by=user)
    evidence.file.save("证明.pdf", ContentFile(b"%PDF-1.4\x00\xff"), save=True)
    return {"inst": inst, "user": user}


def _target_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    # this checkout's code first (src), not whichever qiangji the interpreter has installed
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path / "target"),
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
    }
    env.pop("DATABASE_URL", None)
    if connection.vendor == "postgresql":
        name = f"qiangji_restore_{uuid.uuid4().hex[:8]}"
        s = connection.settings_dict
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name}"
        try:
            yield env
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    yield env


CACHE_PROBE = """
import sys, django
django.setup()
from django.core.cache import caches
for alias in ("pages", "audit"):
    if sys.argv[1] == "set":
        caches[alias].set("probe", 1, timeout=None)
    print(caches[alias].get("probe"))
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )


SNAPSHOT = (
    "import json, django; django.setup(); from django.conf import settings; "
    "from tests.web.test_backup import snapshot; print(json.dumps(snapshot(), ensure_ascii=False))"
)


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def _facts(archive: Path) -> dict[str, Any]:
    """What an audit event must say of a backup file: name, path, size, SHA-256 and the manifest's counts
    (computed here from the file itself)."""
    data = archive.read_bytes()
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    tables = {label: entry["rows"] for label, entry in manifest["tables"].items()}
    return {
        "file": archive.name,
        "path": str(archive.resolve()),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "backup_created_at": manifest["created_at"],
        "database_vendor": manifest["database_vendor"],
        "tables": tables,
        "rows": sum(tables.values()),
        "files": len(manifest["media"]),
        "os_user": _os_user(),
    }


def _assert_event(row: dict[str, Any], action: str, facts: dict[str, Any]) -> None:
    """One serialised audit event: exactly these fields (``at`` and the request id vary)."""
    fields = dict(row["fields"])
    at, request_id = fields.pop("at"), fields.pop("request_id")
    assert len(request_id) == 32 and at
    assert fields == {
        "action": action, "app_label": "", "model": "", "object_id": "", "object_repr": facts["file"],
        "actor_id": None, "actor": _os_user(), "source": "cli", "ip": None, "changed": [], "before": None,
        "after": facts,
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_it_round_trips_every_table_and_file(filled: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "qiangji.zip"
    before = snapshot()
    summary = backup(archive)
    assert summary.files == 1 and summary.rows > 10
    facts = _facts(archive)
    assert facts["rows"] == summary.rows and facts["files"] == 1
    source = snapshot()  # the backup adds its own event to the source database, and nothing else
    backup_event = source["tables"]["accounts.auditevent"].pop()
    assert source == before
    _assert_event(backup_event, "backup", facts)
    assert before["tables"]["registry.institution"][0]["fields"]["divisions"] == [Division.objects.get().pk]
    for env in _target_env(tmp_path):
        env["DJANGO_SETTINGS_MODULE"] = "qiangji.web.settings"
        assert _run(env, "-c", CACHE_PROBE, "set").stdout.split() == ["1", "1"]
        restored = _run(env, "-m", "qiangji", "restore", str(archive))
        assert restored.returncode == 0, restored.stderr[-3000:]
        # what the target's caches held was computed from other data: the restore empties them
        assert _run(env, "-c", CACHE_PROBE, "get").stdout.split() == ["None", "None"]
        after = json.loads(_run(env, "-c", SNAPSHOT).stdout)
        again = _run(env, "-m", "qiangji", "restore", str(archive))
        assert again.returncode == 2 and "not empty" in again.stderr
    assert after["media"] == before["media"]
    assert set(after["tables"]) == set(before["tables"])
    # The restore's own event, written after the rows were loaded (so the restore keeps it), comes last
    # with the next id; every other row of every table is the backup's, unchanged.
    restore_event = after["tables"]["accounts.auditevent"].pop()
    _assert_event(restore_event, "restore", facts)
    restored_ids = [row["pk"] for row in before["tables"]["accounts.auditevent"]]
    assert restore_event["pk"] == max(restored_ids) + 1
    for label, rows in before["tables"].items():
        assert after["tables"][label] == rows, label


def test_it_accepts_a_freshly_migrated_database_as_empty(db: Any) -> None:
    ensure_default_framework(FrameworkVersion)  # what the data migration leaves
    _check_empty({})


def _backup_bytes() -> bytes:
    buffer = io.BytesIO()
    backup(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change: Any) -> bytes:
    """A copy of the zip ``data`` with ``change(name, bytes) -> bytes | None`` applied (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            new = change(name, src.read(name))
            if new is not None:
                dst.writestr(name, new)
    return out.getvalue()


def _manifest_edit(edit: Any) -> Any:
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def _refused(data: bytes, fragment: str) -> None:
    rows_before = snapshot()
    with pytest.raises(BackupError, match=fragment):
        restore(io.BytesIO(data))
    assert snapshot() == rows_before


def test_it_refuses_damaged_or_foreign_files(filled: dict[str, Any]) -> None:
    data = _backup_bytes()
    _refused(b"PK\x03\x04 not really a zip", "not a qiangji backup")
    _refused(_rewrite(data, lambda n, d: None if n == "manifest.json" else d), "manifest")
    tampered = _rewrite(data, lambda n, d: d.replace(b"BK1", b"BK9") if n.endswith("institution.json") else d)
    _refused(tampered, "SHA-256 does not match")
    _refused(_rewrite(data, lambda n, d: d if not n.startswith("media/") else None), "missing")
    _refused(_rewrite(data, _manifest_edit(lambda m: m["migrations"].pop())), "another database schema")
    _refused(_rewrite(data, _manifest_edit(lambda m: m.update(format="other"))), "not a qiangji backup")


def test_it_refuses_path_traversal_and_extra_members(filled: dict[str, Any]) -> None:
    data = _backup_bytes()

    def evil(m: dict[str, Any]) -> None:
        m["media"]["../../etc/passwd"] = {"size": 1, "sha256": "0" * 64}

    _refused(_rewrite(data, _manifest_edit(evil)), "unsafe file name")
    extra = io.BytesIO(data)
    with zipfile.ZipFile(extra, "a") as z:
        z.writestr("media/../../x.sh", b"echo")
    _refused(extra.getvalue(), "not listed in its manifest")


def test_it_refuses_a_database_that_holds_data(filled: dict[str, Any]) -> None:
    _refused(_backup_bytes(), "not empty")
    assert Institution.objects.filter(code="BK1").count() == 1


def test_it_keeps_the_previous_backup_when_a_new_one_fails_mid_write(
    filled: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "qiangji.zip"
    backup(archive)
    good = archive.read_bytes()
    real_writestr = zipfile.ZipFile.writestr
    written: list[str] = []

    def fail_on_the_third(self: zipfile.ZipFile, name: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        written.append(str(name))
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fail_on_the_third)
    with pytest.raises(OSError, match="No space left"):
        backup(archive)
    assert len(written) == 3  # it failed after writing part of the new file
    assert archive.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["qiangji.zip"]  # no temp file left
    monkeypatch.undo()
    restore_check = zipfile.ZipFile(archive)
    assert restore_check.testzip() is None


def test_it_replaces_the_previous_backup_only_when_the_new_one_is_complete(
    filled: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "qiangji.zip"
    archive.write_bytes(b"an older backup")
    summary = backup(archive)
    with zipfile.ZipFile(archive) as done:
        assert done.testzip() is None
        assert len(json.loads(done.read("manifest.json"))["tables"]) == summary.tables
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["qiangji.zip"]
    assert archive.stat().st_mode & 0o077 == 0  # a backup holds password hashes: owner only
