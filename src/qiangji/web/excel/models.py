"""The evidence of every import: the original file, who sent it and when, what it did or why not."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _upload_to(batch: ImportBatch, filename: str) -> str:
    """``imports/2025/03/<sha256>.xlsx`` (or ``.csv``, or ``.json`` for a batch pushed through the API); the
    storage adds a suffix if the same file comes twice."""
    ext = next((e for e in (".csv", ".json") if filename.lower().endswith(e)), ".xlsx")
    return timezone.now().strftime("imports/%Y/%m/") + f"{batch.sha256}{ext}"


class ImportBatch(models.Model):
    """One import attempt, successful or not. The original file is kept unchanged under MEDIA_ROOT."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    class Source(models.TextChoices):
        WEB = "web", _("网页上传")
        CLI = "cli", _("命令行")
        API = "api", _("接口推送")

    file = models.FileField(_("原始文件"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    table = models.CharField(
        _("导入表"), max_length=40, blank=True, help_text=_("为空表示全部可识别的工作表。")
    )
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("上传人")
    )
    actor = models.CharField(_("操作人"), max_length=150, help_text=_("网页用户名或命令行的系统用户。"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    sheets = models.JSONField(_("导入的工作表"), default=list, blank=True)
    counts = models.JSONField(_("新增/更新/未变行数"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("提示数"), default=0)
    problems = models.JSONField(_("错误与提示"), default=list, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"
