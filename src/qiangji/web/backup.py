"""``qiangji backup FILE`` / ``qiangji restore FILE``: the whole database and the evidence files in one zip.

Layout of the file::

    manifest.json                  format, schema version (applied migrations), per-file SHA-256 and sizes
    tables/<app>.<model>.json      Django's JSON serialisation, references to users, groups, permissions
                                   and content types by natural key (so ids may differ in the target)
    media/<path under MEDIA_ROOT>  every stored file (evidence, kept import originals, protocols)

Content types and permissions are not copied (``migrate`` rebuilds them), nor sessions (a restore signs
everybody out). A restore goes into an *empty* database of the *same* schema: it checks the whole file
(checksums, sizes, member names) before touching anything, refuses a different set of applied migrations
or a database that already holds data, writes every row exactly as stored (no model ``save()``, no
signals, so no audit events or derived values are added) in one transaction, then resets the sequences.

Both are audited (:func:`_audit`): a ``backup`` event in the database that was saved, once the file is
written; a ``restore`` event in the restored database, written after its rows so the restore keeps it.
Each names the actor (the signed-in user, or for the ``qiangji`` command the operating-system user, source
``cli``), the file (name, path, size, SHA-256), the backup's creation time and its tables' row counts.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from qiangji.web import sqlite
from qiangji.web.accounts import audit, context
from qiangji.web.accounts.models import AuditEvent

FORMAT = "qiangji-backup"
FORMAT_VERSION = 1
EXCLUDED = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})
#: A database is empty when these hold no row: everything a person or an import enters hangs on a user
#: or an institution, while data migrations (default framework, programme goals, their audit events)
#: create neither. A restore replaces those seeded rows with the backup's.
PEOPLE_AND_PLACES = ("auth.user", "registry.institution")
MAX_MEMBER_BYTES = 2 * 1024**3


class BackupError(Exception):
    """The file cannot be restored (corrupt, other schema, non-empty database); nothing was changed."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int

    def __str__(self) -> str:
        return f"{self.tables} tables, {self.rows} rows, {self.files} files"


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model except the excluded ones, in an order in which they can be loaded."""
    chosen = [
        m
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in EXCLUDED
    ]
    app_list: dict[Any, list[type[models.Model]]] = {}
    for model in chosen:
        app_list.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def schema_version() -> list[str]:
    """The applied migrations, ``app.name``, sorted: two databases with equal lists have equal schemas."""
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _media_files() -> Iterable[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())


def backup(target: Path | io.BytesIO) -> Summary:
    """Write the database and MEDIA_ROOT to ``target`` (a path or a binary buffer).

    A path is written atomically: into a temporary file beside it (owner-only, as the backup holds
    password hashes), synced, then renamed over ``target``; a failure or a kill half-way leaves an older
    backup of the same name untouched."""
    if isinstance(target, io.BytesIO):
        manifest = _write_archive(target)
    else:
        with _atomic_file(Path(target)) as handle:
            manifest = _write_archive(handle)
    _audit(AuditEvent.Action.BACKUP, target, manifest)
    rows = sum(int(entry["rows"]) for entry in manifest["tables"].values())
    return Summary(len(manifest["tables"]), rows, len(manifest["media"]))


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file in ``path``'s folder that replaces ``path`` (fsync, rename) only if the block ends
    without an exception; otherwise it is removed. The folder is synced too, so the rename survives a
    power cut."""
    folder = path.resolve().parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows: folders cannot be opened; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_archive(target: IO[bytes]) -> dict[str, Any]:
    """The zip (module docstring) into ``target``; returns its manifest."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": schema_version(),
        "tables": {},
        "media": {},
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in backed_up_models():
            qs = model._base_manager.order_by("pk")
            data = serializers.serialize("json", qs.iterator(), use_natural_foreign_keys=True).encode()
            name = f"tables/{model._meta.label_lower}.json"
            archive.writestr(name, data)
            count = qs.count()
            manifest["tables"][model._meta.label_lower] = {
                "file": name, "rows": count, "size": len(data), "sha256": _sha(data)
            }  # fmt: skip
        for rel, path in _media_files():
            data = path.read_bytes()
            archive.writestr(f"media/{rel}", data)
            manifest["media"][rel] = {"size": len(data), "sha256": _sha(data)}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


# --- audit ---------------------------------------------------------------------------------------------


def _file_facts(file: Path | io.BytesIO) -> dict[str, Any]:
    if isinstance(file, io.BytesIO):
        data = file.getvalue()
        return {"file": "(memory)", "path": "", "size": len(data), "sha256": _sha(data)}
    digest, size = hashlib.sha256(), 0
    with Path(file).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    path = Path(file).resolve()
    return {"file": path.name, "path": str(path), "size": size, "sha256": digest.hexdigest()}


def _audit(action: object, file: Path | io.BytesIO, manifest: dict[str, Any]) -> AuditEvent:
    """One ``backup``/``restore`` event: who, the file, the backup's creation time and row counts.

    Outside a request or an explicit :func:`context.acting_as` (the ``qiangji`` command), the actor is the
    operating-system user and the source ``cli``."""
    tables = {label: int(entry["rows"]) for label, entry in manifest["tables"].items()}
    facts = _file_facts(file)
    after = {
        **facts,
        "backup_created_at": manifest.get("created_at"),
        "database_vendor": manifest.get("database_vendor"),
        "tables": tables,
        "rows": sum(tables.values()),
        "files": len(manifest["media"]),
        "os_user": context.os_user(),
    }
    command = context.current().source == "system"
    with context.as_command() if command else nullcontext():
        return audit.record(action, object_repr=str(facts["file"])[:200], after=after)


# --- restore -------------------------------------------------------------------------------------------


def _safe_media_name(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or "\\" in rel or not rel or rel.startswith("/"):
        raise BackupError(f"unsafe file name in the backup: {rel!r}")
    return rel


def _read_checked(archive: zipfile.ZipFile, name: str, entry: dict[str, Any]) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise BackupError(f"the backup is incomplete: {name} is missing") from None
    size = int(entry.get("size", -1))
    if info.file_size != size or size > MAX_MEMBER_BYTES:
        raise BackupError(f"{name}: size {info.file_size} does not match the manifest ({size})")
    try:
        data = archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(f"{name} is corrupt: {exc}") from None
    if _sha(data) != entry.get("sha256"):
        raise BackupError(f"{name} is corrupt: its SHA-256 does not match the manifest")
    return data


def _open(source: Path | io.BytesIO) -> tuple[dict[str, Any], dict[str, bytes], dict[str, bytes]]:
    """Manifest, table files and media files, all verified; raises BackupError before any change."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"not a qiangji backup (not a readable zip file: {exc})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise BackupError(f"not a qiangji backup (no readable manifest.json: {exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("not a qiangji backup (manifest format is not qiangji-backup)")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"backup format version {manifest.get('format_version')!r} is not supported")
        expected = {entry["file"] for entry in manifest["tables"].values()} | {
            f"media/{_safe_media_name(rel)}" for rel in manifest["media"]
        }
        unexpected = sorted(set(archive.namelist()) - expected - {"manifest.json"})
        if unexpected:
            raise BackupError(f"the backup holds files not listed in its manifest: {unexpected[:5]}")
        tables = {label: _read_checked(archive, e["file"], e) for label, e in manifest["tables"].items()}
        media = {rel: _read_checked(archive, f"media/{rel}", e) for rel, e in manifest["media"].items()}
    return manifest, tables, media


def _check_schema(manifest: dict[str, Any]) -> None:
    here, there = schema_version(), list(manifest.get("migrations", []))
    if here != there:
        missing, extra = sorted(set(there) - set(here)), sorted(set(here) - set(there))
        raise BackupError(
            "the backup was made with another database schema; restore it with the qiangji version that "
            f"made it. Only in the backup: {missing[:5] or 'none'}; only here: {extra[:5] or 'none'}"
        )
    known = {m._meta.label_lower for m in backed_up_models()}
    if set(manifest["tables"]) != known:
        differ = sorted(set(manifest["tables"]) ^ known)
        raise BackupError(f"the backup's tables differ from this installation's: {differ[:5]}")


def _check_empty(media: dict[str, bytes]) -> None:
    for label in PEOPLE_AND_PLACES:
        if apps.get_model(label)._base_manager.exists():
            raise BackupError(f"the database is not empty ({label} has rows); restore needs an empty one")
    root = Path(settings.MEDIA_ROOT)
    for rel, data in media.items():
        path = root / rel
        if path.exists() and path.read_bytes() != data:
            raise BackupError(
                f"MEDIA_ROOT already holds a different file {rel}; restore needs an empty folder"
            )


def _save_rows(label: str, data: bytes) -> int:
    count = 0
    for item in serializers.deserialize("json", data, ignorenonexistent=False):
        obj = item.object
        models.Model.save_base(obj, raw=True, force_insert=True)  # exactly the stored row, no save()
        for name, pks in (item.m2m_data or {}).items():
            field = obj._meta.get_field(name)
            through = field.remote_field.through
            src, dst = field.m2m_column_name(), field.m2m_reverse_name()
            through._base_manager.bulk_create([through(**{src: obj.pk, dst: pk}) for pk in pks])
        count += 1
    return count


def restore(source: Path | io.BytesIO) -> Summary:
    """Load a backup into this (empty, same-schema) database and MEDIA_ROOT; all or nothing."""
    manifest, tables, media = _open(source)
    _check_schema(manifest)
    _check_empty(media)
    written = _write_media(media)
    try:
        with transaction.atomic():  # the rows and the restore's own event, or neither
            rows = _load_tables(tables)
            _audit(AuditEvent.Action.RESTORE, source, manifest)  # after the load: it replaces the trail
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    _forget_computed()
    return Summary(len(tables), rows, len(media))


# Caches of values computed from the database (final pages by content hash, C3/C4 under row
# fingerprints): keys that a restored database could match by chance, so they go with the old data.
COMPUTED_CACHES = ("pages", "audit")


def _forget_computed() -> None:
    for alias in COMPUTED_CACHES:
        caches[alias].clear()


def _load_tables(tables: dict[str, bytes]) -> int:
    order = [m._meta.label_lower for m in backed_up_models()]
    rows = 0
    with transaction.atomic():
        _clear_seeded()
        for label in order:
            try:
                rows += _save_rows(label, tables[label])
            except serializers.base.DeserializationError as exc:
                raise BackupError(f"table {label} cannot be loaded: {exc}") from None
        loaded = [apps.get_model(label) for label in order]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(sql)
    return rows


def _clear_seeded() -> None:
    """Remove the rows data migrations put in an otherwise empty database (see PEOPLE_AND_PLACES).

    PostgreSQL: TRUNCATE, which the append-only audit trigger (row level) does not see; that is the
    documented way to empty the table for a restore. SQLite: DELETE under the maintenance switch that lets
    the DELETE guards stand down (:func:`qiangji.web.sqlite.maintenance`, inside the restore's
    transaction)."""
    filled = [m for m in backed_up_models() if m._base_manager.exists()]
    if not filled:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in filled)
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            with sqlite.maintenance(cursor):
                for model in reversed(filled):
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _write_media(media: dict[str, bytes]) -> list[Path]:
    root = Path(settings.MEDIA_ROOT).resolve()
    written = []
    for rel, data in media.items():
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise BackupError(f"unsafe file name in the backup: {rel!r}")
        if path.exists():
            continue  # identical (checked before)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
