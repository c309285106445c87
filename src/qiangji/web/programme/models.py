"""Goals (as data) and the training-assistance programme: topics, needs, plans, sessions, attendance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models import Institution, Staff
from qiangji.web.registry.models.base import Timestamped


class Goal(Timestamped):
    """A programme goal: a metric computed from the registry, a target and a deadline.

    ``metric`` names a function of :data:`qiangji.web.programme.metrics.METRICS`; ``params`` are its
    keyword arguments (e.g. ``{"threshold": 80}``). With ``target_kind = increase`` the target is reached
    when the value has grown by ``target`` since ``baseline_on`` ("two more A-grade institutions").
    """

    class Scope(models.TextChoices):
        CITY = "city", _("全市")
        INSTITUTION = "institution", _("每个机构")

    class TargetKind(models.TextChoices):
        ABSOLUTE = "absolute", _("达到")
        INCREASE = "increase", _("较基准日新增")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    metric = models.CharField(_("进度计算方法"), max_length=60)
    params = models.JSONField(_("方法参数"), default=dict, blank=True)
    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices, default=Scope.CITY)
    target_kind = models.CharField(
        _("目标类型"), max_length=10, choices=TargetKind.choices, default=TargetKind.ABSOLUTE
    )
    target = models.DecimalField(_("目标值"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    baseline_on = models.DateField(_("基准日"), help_text=_("行动开始日；“新增”目标从该日起算。"))
    deadline = models.DateField(_("完成期限"))
    source_document = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行动目标")
        verbose_name_plural = pgettext_lazy("plural", "行动目标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from qiangji.web.programme.metrics import METRICS

        errors: dict[str, Any] = {}
        if self.metric not in METRICS:
            errors["metric"] = _("未知的进度计算方法：%(m)s（可选：%(all)s）") % {
                "m": self.metric,
                "all": "、".join(sorted(METRICS)),
            }
        if self.deadline and self.baseline_on and self.deadline <= self.baseline_on:
            errors["deadline"] = _("完成期限必须晚于基准日。")
        if not isinstance(self.params, dict):
            errors["params"] = _("方法参数必须是键值对。")
        if errors:
            raise ValidationError(errors)


class TrainingTopic(Timestamped):
    """A training topic of the assistance programme (metrology knowledge or practical skill)."""

    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", _("计量知识")
        PRACTICE = "practice", _("实操技能")
        EXAM = "exam", _("注册计量师考前辅导")

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.KNOWLEDGE)
    discipline = models.CharField(_("计量专业"), max_length=2, blank=True, help_text=_("JJF 1022一级代码。"))
    default_hours = models.DecimalField(_("每场学时"), max_digits=5, decimal_places=1, default=Decimal("8"))

    class Meta:
        verbose_name = _("培训主题")
        verbose_name_plural = pgettext_lazy("plural", "培训主题")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Mode(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")


class Preference(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")
    EITHER = "either", _("均可")


class TrainingYear(Timestamped):
    """One year of the assistance programme: needs deadline and the city's limits for the plan."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    needs_deadline = models.DateField(_("需求填报截止日"))
    sessions_per_quarter = models.PositiveSmallIntegerField(_("每季度最多场次"), default=4)
    capacity_online = models.PositiveIntegerField(_("线上每场名额"), default=200)
    capacity_offline = models.PositiveIntegerField(_("线下每场名额"), default=40)

    class Meta:
        verbose_name = _("帮扶培训年度")
        verbose_name_plural = pgettext_lazy("plural", "帮扶培训年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度"


class TrainerAvailability(Timestamped):
    """How many sessions the trainers of a topic can hold in a quarter of a year."""

    year = models.ForeignKey(TrainingYear, on_delete=models.CASCADE, related_name="trainers")
    topic = models.ForeignKey(
        TrainingTopic, on_delete=models.CASCADE, related_name="+", verbose_name=_("主题")
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    max_sessions = models.PositiveSmallIntegerField(_("可授课场次"), default=1)
    trainer = models.CharField(_("授课教师"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("师资安排")
        verbose_name_plural = pgettext_lazy("plural", "师资安排")
        constraints = [
            models.UniqueConstraint(fields=["year", "topic", "quarter"], name="trainer_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} Q{self.quarter} ×{self.max_sessions}"


class TrainingNeed(Timestamped):
    """A county institution's staff training need for a year."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("高")
        MEDIUM = 2, _("中")
        LOW = 3, _("低")

    WEIGHTS = {1: 3.0, 2: 2.0, 3: 1.0}

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="training_needs", verbose_name=_("机构")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    topic = models.ForeignKey(
        TrainingTopic, on_delete=models.PROTECT, related_name="needs", verbose_name=_("主题")
    )
    discipline = models.CharField(_("计量专业"), max_length=2, blank=True)
    headcount = models.PositiveSmallIntegerField(_("人数"), validators=[MinValueValidator(1)])
    preferred_mode = models.CharField(
        _("期望方式"), max_length=8, choices=Preference.choices, default=Preference.EITHER
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.MEDIUM
    )
    submitted_on = models.DateField(_("填报日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培训需求")
        verbose_name_plural = pgettext_lazy("plural", "培训需求")
        ordering = ["year", "institution", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "topic"], name="need_unique_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} {self.year} {self.topic.name} ×{self.headcount}"

    @property
    def weight(self) -> float:
        return self.WEIGHTS[self.priority]

    def clean(self) -> None:
        year = TrainingYear.objects.filter(year=self.year).first()
        if year and self.submitted_on and self.submitted_on > year.needs_deadline:
            raise ValidationError(
                {"submitted_on": _("已超过本年度需求填报截止日 %(d)s。") % {"d": year.needs_deadline}}
            )


class TrainingPlan(Timestamped):
    """The year's technical-assistance plan: proposed by the planner, edited by the city, then adopted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        ADOPTED = "adopted", _("已通过")

    year = models.OneToOneField(TrainingYear, on_delete=models.PROTECT, related_name="plan")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    objective = models.FloatField(_("覆盖的加权需求"), default=0.0)
    total_demand = models.FloatField(_("加权需求总量"), default=0.0)
    uncovered = models.JSONField(_("未覆盖需求"), default=list, blank=True)
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("年度帮扶培训计划")
        verbose_name_plural = pgettext_lazy("plural", "年度帮扶培训计划")
        ordering = ["-year__year"]

    def __str__(self) -> str:
        return f"{self.year.year}年度培训计划（{self.get_status_display()}）"


class PlannedSession(Timestamped):
    """One session of a plan (editable until the plan is adopted)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="sessions")
    topic = models.ForeignKey(
        TrainingTopic, on_delete=models.PROTECT, related_name="+", verbose_name=_("主题")
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    capacity = models.PositiveIntegerField(_("名额"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    enrolled = models.PositiveIntegerField(_("计划参训人数"), default=0)
    allocation = models.JSONField(_("各机构名额"), default=dict, blank=True)

    class Meta:
        verbose_name = _("计划场次")
        verbose_name_plural = pgettext_lazy("plural", "计划场次")
        ordering = ["plan", "quarter", "topic", "mode"]

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.topic.name}（{self.get_mode_display()}）"


class TrainingSession(Timestamped):
    """A session that takes place (from an adopted plan, or a local one): dates, hours, attendance."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    topic = models.ForeignKey(
        TrainingTopic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("主题")
    )
    title = models.CharField(_("名称"), max_length=200)
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    held_on = models.DateField(_("培训日期"))
    signup_deadline = models.DateField(_("报名截止日"), null=True, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    capacity = models.PositiveIntegerField(_("名额"))
    location = models.CharField(_("地点/平台"), max_length=200, blank=True)
    has_exam = models.BooleanField(_("结业考试"), default=True)
    planned = models.ForeignKey(
        PlannedSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="held"
    )

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = pgettext_lazy("plural", "培训场次")
        ordering = ["held_on", "title"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    def clean(self) -> None:
        if (
            self.held_on
            and self.year
            and (self.held_on.year, (self.held_on.month - 1) // 3 + 1)
            != (
                self.year,
                self.quarter,
            )
        ):
            raise ValidationError({"held_on": _("培训日期须在所属年度和季度内。")})


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def attended_between(self, start: dt.date, end: dt.date) -> AttendanceQuerySet:
        return self.filter(attended=True, session__held_on__gte=start, session__held_on__lte=end)


class Attendance(Timestamped):
    """Sign-up and attendance of one staff member at one session, with hours and exam score."""

    PASS_MARK = Decimal("60")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="training", verbose_name=_("人员")
    )
    signed_up_on = models.DateField(_("报名日期"))
    attended = models.BooleanField(_("已参加"), default=False)
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, null=True, blank=True, help_text=_("空则按场次学时计。")
    )
    exam_score = models.DecimalField(
        _("考试成绩"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名与考勤")
        verbose_name_plural = pgettext_lazy("plural", "报名与考勤")
        ordering = ["session", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="attendance_unique"),
            models.CheckConstraint(
                condition=Q(attended=True) | Q(exam_score__isnull=True),
                name="attendance_score_needs_presence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} @ {self.session}"

    @property
    def credited_hours(self) -> Decimal:
        if not self.attended:
            return Decimal("0")
        return self.hours if self.hours is not None else self.session.hours

    @property
    def passed(self) -> bool | None:
        return None if self.exam_score is None else self.exam_score >= self.PASS_MARK

    def clean(self) -> None:
        if self.exam_score is not None and not self.attended:
            raise ValidationError({"exam_score": _("未参加培训不能登记考试成绩。")})
        if self.hours is not None and self.session_id and self.hours > self.session.hours:
            raise ValidationError({"hours": _("学时不能超过场次学时。")})


def attended_hours(staff_ids: Any, start: dt.date, end: dt.date) -> Decimal:
    """Hours credited to the given staff for sessions held in ``[start, end]`` (both inclusive)."""
    rows = Attendance.objects.attended_between(start, end).filter(staff__in=staff_ids)
    own = rows.filter(hours__isnull=False).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    default = rows.filter(hours__isnull=True).aggregate(s=Sum("session__hours"))["s"] or Decimal("0")
    return Decimal(own) + Decimal(default)


class RMExamPass(Timestamped):
    """A passed registered-metrologist exam (资格考试合格). It does not count for coverage: only the
    registration entered in the registry (:class:`~qiangji.web.registry.models.RMRegistration`) does."""

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="rm_exam_passes", verbose_name=_("人员")
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=[(1, _("一级")), (2, _("二级"))])
    exam_year = models.PositiveSmallIntegerField(_("考试年度"))
    passed_on = models.DateField(_("合格公布日期"))
    qualification_cert_no = models.CharField(_("资格证书编号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("注册计量师考试合格")
        verbose_name_plural = pgettext_lazy("plural", "注册计量师考试合格")
        ordering = ["-passed_on"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "level", "exam_year"], name="rmexam_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_level_display()} {self.exam_year}"

    def is_registered_by(self, day: dt.date) -> bool:
        """Whether a registration of this staff member is valid on ``day``."""
        return self.staff.registrations.valid_on(day).exists()


# Named candidates (issue 19) live in their own module; imported here so Django registers them.
from qiangji.web.programme.candidacy import AGradeCandidate, RMCandidate  # noqa: E402, F401
