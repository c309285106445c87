"""A registry import as a background job (issue 13 L10): a large file imports outside the request.

The page checks the upload (every refusal is shown at once, as before), keeps the file under
``MEDIA_ROOT/imports/pending/`` and queues ``excel.import``; the job page shows its progress (reading,
then each sheet) and, when it ends, sends the browser on to the import's report (:func:`views.batch`). The
kept original and its record are written by :func:`~qiangji.web.excel.evidence.run_import` as for a
direct import; the pending copy is removed once the job has read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from qiangji.web.accounts import policy
from qiangji.web.excel.evidence import UploadRejected, run_import
from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job
from qiangji.web.uploads import safe_name

KIND = "excel.import"


def queue_import(data: bytes, *, name: str, table: str | None, user: Any) -> Job:
    """Keep ``data`` aside and queue its import; the job page URL is the caller's to show."""
    stored = default_storage.save(f"imports/pending/{safe_name(name)}", ContentFile(data))
    title = _("导入 %(name)s") % {"name": safe_name(name, 120)}
    params = {"path": stored, "name": name, "table": table or ""}
    job, _created = runner.enqueue(KIND, params, user=user, title=title)
    return job


@runner.register(KIND, viewers=frozenset(policy.CITY_ROLES), expected=(UploadRejected,))
def run(job: Job, progress: runner.Progress) -> Mapping[str, Any]:
    params = job.params
    with default_storage.open(params["path"], "rb") as file:
        data = file.read()
    try:
        outcome = run_import(
            data, name=params["name"], table=params["table"] or None, source="web", user=job.created_by,
            progress=progress,
        )  # fmt: skip
    finally:
        default_storage.delete(params["path"])
    batch = outcome.batch
    return {"batch": batch.pk, "ok": outcome.result.ok, "url": reverse("excel:batch", args=[batch.pk])}
