"""A background job as the people who asked for it see it: what, by whom, how far, and how it ended.

django-tasks keeps the queue (``django_tasks_db.DBTaskResult``: what to run, claimed by which worker); it
holds no progress. `Job` is the page-facing record: its ``progress`` and ``step`` are written by the job
while it runs (plain UPDATEs, committed at once so the page polling it sees them), its ``error`` is the one
sentence shown to the user. A ``key`` names what the job works on (``publication:2026Q1``): at most one
unfinished job per key (a database constraint), so a second request for the same work joins the first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务类型"), max_length=60)
    key = models.CharField(_("处理对象"), max_length=120, blank=True)
    title = models.CharField(_("任务"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("进度"), default=0.0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    result_url = models.CharField(_("结果页面"), max_length=300, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    #: Last sign of life (start, each progress write): a job silent for long is reported as interrupted.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = pgettext_lazy("plural", "后台任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(key=""),
                name="jobs_one_unfinished_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return round(100 * max(0.0, min(1.0, self.progress)))
