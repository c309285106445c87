"""Index runs, publications (draft → 公示 → final), objections (异议) and the publication log.

A run is written once and never changed (model guard + database trigger). A publication in status
``final`` is immutable: `Publication.save` and `Publication.delete` refuse and log the attempt, and a
database trigger (SQLite and PostgreSQL, migration 0002) refuses an UPDATE or DELETE issued past the ORM.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

log = logging.getLogger("qiangji.publication")


class ImmutableError(Exception):
    """Raised when a stored run or a final publication would be changed or deleted."""


class IndexRun(models.Model):
    """One computation of the index for a period: everything needed to recompute it bit for bit."""

    period = models.ForeignKey(
        "assessment.Period", on_delete=models.PROTECT, related_name="index_runs", verbose_name=_("考核期次")
    )
    framework_version = models.ForeignKey(
        "assessment.FrameworkVersion",
        on_delete=models.PROTECT,
        related_name="index_runs",
        verbose_name=_("指标框架版本"),
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("更正自")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    spec_json = models.TextField(_("计算规范（框架与排名规则）"))
    uncertainty_spec_json = models.TextField(_("不确定性设定"))
    inputs_json = models.TextField(_("输入数据快照"))
    inputs_sha256 = models.CharField(_("输入快照 SHA-256"), max_length=64)
    code_version = models.CharField(_("程序版本"), max_length=80)
    seed = models.BigIntegerField(_("随机种子"))
    runs = models.PositiveIntegerField(_("蒙特卡洛次数"))
    results_json = models.TextField(_("计算结果"))
    results_sha256 = models.CharField(_("结果 SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算人"),
    )

    class Meta:
        verbose_name = _("指数计算")
        verbose_name_plural = pgettext_lazy("plural", "指数计算")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period} #{self.pk}（{self.inputs_sha256[:12]}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            log.warning("refused change of index run %s", self.pk)
            raise ImmutableError(f"index run {self.pk} is stored once and never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Publication.objects.filter(Q(run=self) | Q(runs_history=self)).exists():
            log.warning("refused deletion of published index run %s", self.pk)
            raise ImmutableError(f"index run {self.pk} belongs to a publication and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def results(self) -> dict[str, Any]:
        """The stored result (parsed once per instance)."""
        cached = self.__dict__.get("_results")
        if cached is None:
            cached = self.__dict__["_results"] = json.loads(self.results_json)
        return cached


class RunAudit(models.Model):
    """The statistical audit of one index run (`run_audit`), computed on first reading and then kept.

    A run never changes, so neither does its audit: it is stored once, with the code version that computed
    it, and never rewritten (model guard; deleted with its run only, which a publication's run never is).
    """

    run = models.OneToOneField(
        IndexRun, on_delete=models.CASCADE, related_name="audit", verbose_name=_("指数计算")
    )
    figures_json = models.TextField(_("审计结果"))
    code_version = models.CharField(_("程序版本"), max_length=80)
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指数统计审计")
        verbose_name_plural = pgettext_lazy("plural", "指数统计审计")

    def __str__(self) -> str:
        return f"{self.run} audit"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            log.warning("refused change of the audit of index run %s", self.run_id)
            raise ImmutableError(f"the audit of index run {self.run_id} is stored once and never changed")
        super().save(*args, **kwargs)

    @property
    def figures(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.figures_json)
        return result


class Publication(models.Model):
    """The published ranking of one period; ``content_json`` is what the public pages show."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        NOTICE = "notice", _("公示中")
        FINAL = "final", _("正式发布")

    period = models.OneToOneField(
        "assessment.Period", on_delete=models.PROTECT, related_name="publication", verbose_name=_("考核期次")
    )
    run = models.ForeignKey(IndexRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("指数计算"))
    runs_history = models.ManyToManyField(
        IndexRun, blank=True, related_name="publications", verbose_name=_("历次计算")
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    notice_started_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("异议截止日期"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("正式发布时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    content_json = models.TextField(_("发布内容"), blank=True)
    content_sha256 = models.CharField(_("内容 SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("排行榜发布")
        verbose_name_plural = pgettext_lazy("plural", "排行榜发布")
        ordering = ["-period__end", "period__kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="final") | (Q(content_sha256__regex=r"^[0-9a-f]{64}$")),
                name="pub_final_has_hash",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.NOTICE, self.Status.FINAL)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._stored_status() == self.Status.FINAL:
            self._refuse("change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_status() == self.Status.FINAL:
            self._refuse("deletion")
        return super().delete(*args, **kwargs)

    def _stored_status(self) -> str | None:
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def _refuse(self, what: str) -> None:
        log.warning("refused %s of final publication %s (%s)", what, self.pk, self.content_sha256)
        PublicationEvent.objects.create(
            publication_id=self.pk, action=PublicationEvent.Action.REFUSED, detail=f"refused {what}"
        )
        raise ImmutableError(f"publication {self.pk} is final and cannot be changed ({what} refused)")

    @property
    def content(self) -> dict[str, Any]:
        return json.loads(self.content_json) if self.content_json else {}


def objection_path(instance: Objection, filename: str) -> str:
    """Evidence of objections, apart from the reported values' evidence; never served directly."""
    return f"objections/{instance.publication_id}/{filename}"


class Objection(models.Model):
    """An objection (异议) raised during the public notice, with the reply and the outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("成立（已更正）")
        REJECTED = "rejected", _("不成立")

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="objections", verbose_name=_("排行榜发布")
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出机构"),
    )
    submitted_by = models.CharField(_("提出人及联系方式"), max_length=200)
    received_on = models.DateField(_("收到日期"))
    text = models.TextField(_("异议内容"))
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reply = models.TextField(_("答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    corrected_run = models.ForeignKey(
        IndexRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更正计算"),
    )
    # Lodged on the site (service.lodge_objection from the objection page): who, and the evidence attached.
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网上提交人"),
    )
    evidence = models.FileField(_("佐证材料"), upload_to=objection_path, max_length=300, blank=True)
    evidence_name = models.CharField(_("佐证材料原文件名"), max_length=200, blank=True)
    evidence_sha256 = models.CharField(_("佐证材料 SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = pgettext_lazy("plural", "异议")
        ordering = ["publication", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.publication} · {self.submitted_by}（{self.received_on}）"


class PublicationEvent(models.Model):
    """The publication log: who did what when, including refused attempts to change a final ranking."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建草稿")
        NOTICE = "notice", _("开始公示")
        OBJECTION = "objection", _("收到异议")
        REPLY = "reply", _("答复异议")
        CORRECTED = "corrected", _("更正并重新公示")
        FINAL = "final", _("正式发布")
        REFUSED = "refused", _("拒绝修改")

    publication = models.ForeignKey(
        Publication, on_delete=models.DO_NOTHING, db_constraint=False, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    detail = models.TextField(_("详情"), blank=True)

    class Meta:
        verbose_name = _("发布日志")
        verbose_name_plural = pgettext_lazy("plural", "发布日志")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
