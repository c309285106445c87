"""``qiangji manage loaddata``: Django's, but audited, and never into the audit trail.

Fixtures are loaded as raw saves, which the audit signals skip (:mod:`qiangji.web.accounts.audit`), so a
load was invisible, and a fixture could insert a back-dated, forged :class:`AuditEvent`. Here a fixture
that holds any audit event or failed-login record is refused as a whole (nothing is loaded: Django loads
inside one transaction), and every load writes one ``loaddata`` event in the same transaction: actor the
operating-system account (source ``cli``), each fixture file with its SHA-256 and object count, and the
objects loaded per model.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from qiangji.web.accounts.context import as_command

#: The audit trail and the login throttle's records: written only by the application, never loaded.
REFUSED = frozenset({"accounts.auditevent", "accounts.loginfailure"})


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(loaddata.Command):
    help = loaddata.Command.help + " Audited; fixtures holding audit-trail records are refused."

    def handle(self, *fixture_labels: Any, **options: Any) -> None:
        self.files: list[dict[str, Any]] = []
        self.per_model: Counter[str] = Counter()
        with as_command():
            super().handle(*fixture_labels, **options)

    def load_label(self, fixture_label: str) -> None:
        for path, _dir, _name in self.find_fixtures(fixture_label):
            self.files.append({"file": Path(path).name, "path": str(path), "sha256": sha256(path)})
        super().load_label(fixture_label)

    def save_obj(self, obj: Any) -> bool:
        meta = obj.object._meta
        excluded = meta.app_config in self.excluded_apps or type(obj.object) in self.excluded_models
        if meta.label_lower in REFUSED and not excluded:
            raise CommandError(
                f"拒绝导入：fixture 含有审计记录 {meta.label}(pk={obj.object.pk})。审计日志和登录失败记录"
                "只能由系统写入，不能用 loaddata 导入或补录；请从 fixture 中删除这些对象。未导入任何数据。"
                f" / Refused: the fixture holds the audit record {meta.label}(pk={obj.object.pk}); the audit "
                "trail is written only by the application. Nothing was loaded."
            )
        saved = bool(super().save_obj(obj))
        if saved:
            self.per_model[meta.label] += 1
        return saved

    def loaddata(self, fixture_labels: Any) -> None:
        super().loaddata(fixture_labels)
        if self.files:  # inside loaddata's transaction: the event and the rows stand or fall together
            self.record(fixture_labels)

    def record(self, fixture_labels: Any) -> None:
        from qiangji.web.accounts import audit
        from qiangji.web.accounts.models import AuditEvent

        audit.record(
            AuditEvent.Action.LOADDATA,
            object_repr=", ".join(map(str, fixture_labels))[:200],
            after={
                "fixtures": self.files,
                "objects": sum(self.per_model.values()),
                "models": dict(sorted(self.per_model.items())),
                "database": self.using,
            },
        )
