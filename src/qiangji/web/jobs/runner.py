"""Background jobs: ``enqueue(kind, params, user=…)`` → a `Job` row and a django-tasks task that runs it.

A kind is registered once (`register`) with its handler ``handler(job, progress) -> result`` and the roles
who may follow any job of the kind (besides the user who started it). The handler reports how far it is
with ``progress(fraction, step)``; it returns a JSON-ready result and may name the page to show next
(``result["url"]``). A refusal it raises as one of its ``expected`` exceptions ends the job with that
sentence as the error shown to the user; anything else is logged with its traceback, the user reads a
generic sentence naming the job, and the exception is re-raised so the queue records it too.

Where it runs: the ``default`` backend of ``settings.TASKS``. With the database backend the job runs in
``qiangji worker`` (or the worker `qiangji demo` / `qiangji serve` start); the Job row and the queue row
are written in one transaction, so a job is never queued without its record or the other way round. With
django-tasks' immediate backend (tests, ``QIANGJI_TASKS_BACKEND=immediate``) it runs inside the request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from qiangji.web.accounts import policy
from qiangji.web.accounts.context import acting_as
from qiangji.web.jobs.models import Job

log = logging.getLogger("qiangji.jobs")
Status = Job.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
#: A job with no sign of life for this long (worker stopped, machine restarted) no longer blocks its key.
STALE_AFTER = dt.timedelta(minutes=15)
#: A queued job not started after this long: the page says the worker may not be running.
WAITING_HINT_AFTER = dt.timedelta(seconds=20)


class Progress(Protocol):
    def __call__(self, fraction: float, step: str = "") -> None: ...


Handler = Callable[[Job, Progress], Mapping[str, Any]]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    viewers: frozenset[str]
    expected: tuple[type[BaseException], ...]


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    viewers: frozenset[str] = frozenset({policy.ADMIN}),
    expected: tuple[type[BaseException], ...] = (),
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the job kind ``name`` (see the module docstring)."""

    def decorate(handler: Handler) -> Handler:
        KINDS[name] = Kind(name, handler, frozenset(viewers), tuple(expected))
        return handler

    return decorate


def enqueue(
    kind: str, params: Mapping[str, Any], *, user: Any, title: str, key: str = ""
) -> tuple[Job, bool]:
    """Queue a ``kind`` job; ``(job, True)``, or ``(the unfinished job of the same key, False)`` to join."""
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {sorted(KINDS)}, got {kind!r}")
    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        if key:
            running = _unfinished(key)
            if running is not None:
                return running, False
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind, key=key, title=title, params=dict(params), created_by=actor
                )
        except IntegrityError:  # another request created it between our look and our insert
            running = _unfinished(key)
            if running is None:
                raise
            return running, False
        queued = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    job.refresh_from_db()
    return job, True


def _unfinished(key: str) -> Job | None:
    job = Job.objects.select_for_update().filter(key=key, status__in=ACTIVE).first()
    if job is None:
        return None
    last = job.heartbeat_at or job.created_at
    if timezone.now() - last > STALE_AFTER:
        _finish(
            job.pk, Status.FAILED, error="后台任务长时间没有进展（后台进程可能已停止），已中止；请重新提交。"
        )
        return None
    return job


def latest(key: str) -> Job | None:
    """The newest job of ``key`` (any status)."""
    return Job.objects.filter(key=key).order_by("-created_at", "-pk").first()


def can_follow(user: Any, job: Job) -> bool:
    """Whether ``user`` may see ``job``'s progress and outcome: its creator, or a viewer role of its kind."""
    if not getattr(user, "is_authenticated", False):
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    kind = KINDS.get(job.kind)
    return kind is not None and policy.role_of(user) in kind.viewers


def is_waiting_long(job: Job) -> bool:
    return job.status == Status.QUEUED and timezone.now() - job.created_at > WAITING_HINT_AFTER


class _Reporter:
    """``progress(fraction, step)`` for a running job: one UPDATE per whole percent or new step."""

    def __init__(self, pk: int) -> None:
        self.pk, self.percent, self.step = pk, -1, ""

    def __call__(self, fraction: float, step: str = "") -> None:
        percent = round(100 * max(0.0, min(1.0, fraction)))
        if percent <= self.percent and (not step or step == self.step):
            return
        self.percent, self.step = max(percent, self.percent), step or self.step
        Job.objects.filter(pk=self.pk).update(
            progress=self.percent / 100, step=self.step, heartbeat_at=timezone.now()
        )


def _finish(pk: int, status: Any, **fields: Any) -> None:
    now = timezone.now()
    Job.objects.filter(pk=pk).update(status=status, finished_at=now, heartbeat_at=now, **fields)


@contextmanager
def _isolated() -> Iterator[None]:
    """Run inline inside a transaction (immediate backend): a savepoint, so a failure rolls back only the
    job's own writes. In a worker (autocommit) nothing wraps the job: its progress must commit as it goes."""
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        yield


@task()
def run_job(job_id: int) -> None:
    """The django-tasks task behind every job: run the handler of the job's kind and record the outcome."""
    job = Job.objects.select_related("created_by").filter(pk=job_id, status=Status.QUEUED).first()
    if job is None:
        return  # already run (a retried queue entry) or ended as stale
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(status=Status.RUNNING, started_at=now, heartbeat_at=now)
    kind = KINDS[job.kind]
    try:
        with acting_as(job.created_by, source="job"), _isolated():
            result = dict(kind.handler(job, _Reporter(job_id)))
    except kind.expected as exc:
        _finish(job_id, Status.FAILED, error=str(exc))
    except BaseException:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, Status.FAILED, error=f"后台任务 #{job_id} 出现内部错误，已记录；请联系系统管理员。")
        raise
    else:
        url = str(result.get("url", ""))
        _finish(job_id, Status.DONE, progress=1.0, result=result, result_url=url, step="")
