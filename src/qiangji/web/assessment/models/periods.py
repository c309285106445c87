"""Assessment periods (quarters and years) and versioned indicator frameworks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qiangji.core.errors import InputError
from qiangji.core.index import Framework
from qiangji.core.index.period import year_fraction
from qiangji.web import plausible
from qiangji.web.registry.dates import parse_period_code

log = logging.getLogger(__name__)


def period_label(year: int, quarter: int | None) -> str:
    """A period's name for people in the active language: ``2025年第4季度`` / ``Q4 2025``, ``2025年度`` /
    ``Year 2025``."""
    if quarter:
        return gettext("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}
    return gettext("%(year)s年度") % {"year": year}


def period_code_label(code: str) -> str:
    """`period_label` of a period code (``"2025Q4"``); the code itself if it is not one."""
    try:
        year, quarter, *_dates = parse_period_code(code)
    except ValueError:
        return code
    return period_label(year, quarter)


class Period(models.Model):
    """A quarter or a year. Counts are taken on ``as_of`` (the last day); "in period" means start…end."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")

    code = models.CharField(_("期次代码"), max_length=8, unique=True, help_text=_("如 2024Q3 或 2024。"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True, editable=False)
    start = models.DateField(_("起始日期"), editable=False)
    end = models.DateField(_("截止日期"), editable=False)
    as_of = models.DateField(_("统计基准日"), editable=False, help_text=_("期末最后一天。"))
    # The lifecycle (qiangji.web.assessment.lifecycle): set by open_period / lock, never typed in.
    framework_version = models.ForeignKey(
        "FrameworkVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="periods",
        verbose_name=_("指标框架版本"),
        editable=False,
    )
    opens_on = models.DateField(_("填报开始日期"), null=True, blank=True, editable=False)
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("开放时间"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开放人"),
        editable=False,
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("锁定人"),
        editable=False,
    )

    class Stage(models.TextChoices):
        NOT_OPEN = "not_open", _("未开放")
        REPORTING = "reporting", pgettext_lazy("period stage", "填报中")  # a value's 填报中 is "Draft"
        REVIEW = "review", _("审核中")
        LOCKED = "locked", _("已锁定")
        COMPUTED = "computed", _("已计算")
        NOTICE = "notice", _("公示中")
        PUBLISHED = "published", _("已发布")

    class Meta:
        verbose_name = _("考核期次")
        verbose_name_plural = pgettext_lazy("plural", "考核期次")
        ordering = ["end", "-kind"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """``2025年第4季度`` / ``Q4 2025``, in the active language (`period_label`)."""
        return period_label(self.year, self.quarter)

    @property
    def label_zh(self) -> str:
        """The Chinese label whatever the active language: what stored content and titles hold."""
        with translation.override("zh-hans"):
            return self.label

    def clean(self) -> None:
        try:
            year, *_rest = parse_period_code(self.code or "")
        except ValueError:
            raise ValidationError({"code": _("期次代码格式应为“2024Q3”或“2024”。")}) from None
        problem = plausible.year_error(year)  # 9999Q1 was accepted, and its page then failed
        if problem:
            raise ValidationError({"code": problem})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = self.code.strip().upper()
        self.year, self.quarter, self.start, self.end = parse_period_code(self.code)
        self.kind = self.Kind.QUARTER if self.quarter else self.Kind.YEAR
        self.as_of = self.end
        super().save(*args, **kwargs)

    def stage(self, today: dt.date | None = None) -> str:
        """Where the period stands (:class:`Stage`), derived from its dates, its lock and its publication.

        未开放 before it is opened or before ``opens_on``; 填报中 from ``opens_on`` to ``deadline``
        inclusive; 审核中 after the deadline until locked; 已锁定 once locked; then the publication's
        status: draft → 已计算, notice → 公示中, final → 已发布. A period published before the lifecycle
        existed (no dates) is 已发布 all the same.
        """
        stage = self.Stage
        pub = getattr(self, "publication", None) if self.pk else None
        if pub is not None:
            found = {"draft": stage.COMPUTED, "notice": stage.NOTICE}.get(pub.status, stage.PUBLISHED)
        elif self.locked_at is not None:
            found = stage.LOCKED
        else:
            found = self._window_stage(today or timezone.localdate())
        return str(found)

    def _window_stage(self, today: dt.date) -> Any:
        if self.opens_on is None or self.deadline is None or today < self.opens_on:
            return self.Stage.NOT_OPEN
        return self.Stage.REPORTING if today <= self.deadline else self.Stage.REVIEW

    def stage_label(self, today: dt.date | None = None) -> str:
        return str(self.Stage(self.stage(today)).label)

    @classmethod
    def for_code(cls, code: str) -> Period:
        """The period with ``code``, created if it does not exist yet."""
        period, _created = cls.objects.get_or_create(code=code.strip().upper())
        return period

    @property
    def year_fraction(self) -> float:
        """The period's length as a fraction of a year: 0.25 for a quarter, 1.0 for a year.

        The fraction by which the framework's per-year flow targets and bounds are pro-rated
        (`qiangji.core.index.period.year_fraction`: whole calendar months / 12).
        """
        return year_fraction(self.start, self.end)

    def framework_for(self, version: FrameworkVersion) -> Framework:
        """``version``'s framework compiled for this period (pro-rated per-year flows)."""
        return version.framework().for_period(self.year_fraction)

    def quarters(self) -> list[tuple[int, int]]:
        """The (year, quarter) pairs the period covers."""
        return [(self.year, self.quarter)] if self.quarter else [(self.year, q) for q in (1, 2, 3, 4)]


class FrameworkVersionLocked(Exception):
    """Raised when a framework version that an index run has used would be changed or deleted."""


CONTENT_FIELDS = ("version", "code", "name", "source", "spec", "sha256", "based_on_id")


def compile_source(text: str) -> Framework:
    """Parse framework text (YAML or JSON) and compile it; raises ``InputError`` listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"`framework` must be valid YAML or JSON, got a syntax error: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"`framework` must be a mapping with `code` and `nodes`, got {type(data).__name__}")
    return Framework.from_dict(data)


class FrameworkVersion(models.Model):
    """One version of the indicator framework (weights, methods, indicators), kept as written.

    A version that an index run has used is frozen: :meth:`save` and :meth:`delete` refuse any change of
    its content and log the attempt. "Used" is :attr:`used_at` (set by :meth:`mark_used`, which the
    publication side calls when it creates a run) or any row of another model that references it.
    """

    version = models.CharField(_("版本号"), max_length=30, unique=True)
    code = models.CharField(_("指数代码"), max_length=30, editable=False)
    name = models.CharField(_("指数名称"), max_length=200, editable=False)
    source = models.TextField(_("框架文件"), help_text=_("YAML 或 JSON，格式见设计文档 §4。"))
    spec = models.TextField(_("规范化内容"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("源自版本")
    )
    note = models.TextField(_("修订说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    used_at = models.DateTimeField(_("首次使用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("指标框架版本")
        verbose_name_plural = pgettext_lazy("plural", "指标框架版本")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def clean(self) -> None:
        try:
            fw = compile_source(self.source or "")
        except InputError as exc:
            raise ValidationError({"source": [str(exc), *exc.errors]}) from None
        if fw.version != self.version:
            raise ValidationError(
                {"version": _("版本号必须与框架文件中的 version（%(v)s）一致。") % {"v": fw.version}}
            )
        if self.pk and self.is_used and self._content_changed():
            raise ValidationError(_("该框架版本已被指数计算使用，不能修改；请另建新版本。"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        fw = compile_source(self.source)
        self.code, self.name = fw.code, fw.name.get("zh") or fw.root.label("en")
        self.spec = fw.to_json()
        self.sha256 = hashlib.sha256(self.spec.encode()).hexdigest()
        if self.pk and self.is_used and self._content_changed():
            log.warning("refused change of used framework version %s (pk %s)", self.version, self.pk)
            raise FrameworkVersionLocked(f"framework version {self.version} has been used and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_used:
            log.warning("refused deletion of used framework version %s (pk %s)", self.version, self.pk)
            raise FrameworkVersionLocked(f"framework version {self.version} has been used and cannot go")
        return super().delete(*args, **kwargs)

    def _content_changed(self) -> bool:
        stored = type(self).objects.filter(pk=self.pk).values(*CONTENT_FIELDS).first()
        return stored is None or any(stored[f] != getattr(self, f) for f in CONTENT_FIELDS)

    @property
    def is_used(self) -> bool:
        """Whether an index run (or anything else) has used this version; it is then frozen."""
        if self.pk is None:
            return False
        if type(self).objects.filter(pk=self.pk, used_at__isnull=False).exists():
            return True
        return any(self._referenced_by(rel) for rel in self._meta.related_objects)

    def _referenced_by(self, rel: Any) -> bool:
        if rel.related_model is type(self):
            return False  # a newer version derived from this one does not freeze it
        return bool(rel.related_model._default_manager.filter(**{rel.field.name: self}).exists())

    def mark_used(self) -> None:
        """Freeze this version (idempotent); the publication side calls it when it stores a run."""
        if self.used_at is None:
            from qiangji.web.accounts.audit import record_bulk, snapshot  # accounts' models load later

            before = snapshot(self)
            self.used_at = timezone.now()
            if type(self).objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=self.used_at):
                record_bulk("update", [self], {self.pk: before})  # QuerySet.update sends no signals

    def framework(self) -> Framework:
        """The compiled framework (from the stored canonical JSON)."""
        return Framework.from_json(self.spec)

    def new_version(
        self, version: str, *, source: str | None = None, note: str = "", user: Any = None
    ) -> Any:
        """A new, unused version derived from this one (its text with ``version`` replaced, or ``source``)."""
        if source is None:
            data = json.loads(self.spec)
            data["version"] = version
            source = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        new = FrameworkVersion(version=version, source=source, based_on=self, note=note, created_by=user)
        new.full_clean()
        new.save()
        return new


class ReportingExtension(models.Model):
    """The city reopens reporting of one period for one institution until ``until``, for a recorded reason."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("考核期次")
    )
    institution = models.ForeignKey(
        "registry.Institution", on_delete=models.PROTECT, related_name="+", verbose_name=_("机构")
    )
    until = models.DateField(_("延长至"))
    reason = models.TextField(_("理由"), max_length=2000)
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批准人"),
    )

    class Meta:
        verbose_name = _("补报许可")
        verbose_name_plural = pgettext_lazy("plural", "补报许可")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.period.code} {self.institution.code} → {self.until}"
