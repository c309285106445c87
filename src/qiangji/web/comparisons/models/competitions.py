"""Skills competitions (计量大比武): events, items with part weights and award rules, contestants, teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.comparisons.awards import check_rule
from qiangji.web.registry.models import Institution, Staff

_score = [MinValueValidator(0.0), MaxValueValidator(100.0)]


def default_award_rule() -> dict[str, int]:
    return {"一等奖": 1, "二等奖": 2, "三等奖": 3}


class Competition(models.Model):
    """One competition event (e.g. 2025 年台州市计量技能大比武)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    held_from = models.DateField(_("开始日期"))
    held_to = models.DateField(_("结束日期"), null=True, blank=True)
    organiser = models.CharField(_("主办单位"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("技能比武")
        verbose_name_plural = pgettext_lazy("plural", "技能比武")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class CompetitionItem(models.Model):
    """A competition item (比赛项目, e.g. 燃油加油机) with its part weights and its award rule.

    The total is Σ w_part·score_part / Σ w_part over theory, practical and data processing (scores 0–100).
    ``award_rule`` maps award names, best first, to the number of places, e.g. {"一等奖": 1, "二等奖": 2,
    "三等奖": 3}; ``award_min_total`` is the lowest total that can win an award.
    """

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="items", verbose_name=_("技能比武")
    )
    name = models.CharField(_("比赛项目"), max_length=100)
    weight_theory = models.FloatField(_("理论权重"), default=0.3, validators=[MinValueValidator(0.0)])
    weight_practical = models.FloatField(_("实操权重"), default=0.5, validators=[MinValueValidator(0.0)])
    weight_data = models.FloatField(_("数据处理权重"), default=0.2, validators=[MinValueValidator(0.0)])
    award_rule = models.JSONField(_("获奖名额"), default=default_award_rule)
    award_min_total = models.FloatField(_("获奖最低总分"), default=0.0, validators=_score)

    class Meta:
        verbose_name = _("比赛项目")
        verbose_name_plural = pgettext_lazy("plural", "比赛项目")
        ordering = ["competition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="cmp_item_unique"),
            models.CheckConstraint(
                condition=Q(weight_theory__gte=0) & Q(weight_practical__gte=0) & Q(weight_data__gte=0),
                name="cmp_item_weights_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competition} · {self.name}"

    @property
    def weights(self) -> tuple[float, float, float]:
        return (self.weight_theory, self.weight_practical, self.weight_data)

    def clean(self) -> None:
        if sum(self.weights) <= 0:
            raise ValidationError(_("三项权重之和必须大于 0。"))
        try:
            check_rule(self.award_rule)
        except ValueError as exc:
            raise ValidationError({"award_rule": str(exc)}) from exc


class Team(models.Model):
    """An institution's team at one competition."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="teams", verbose_name=_("技能比武")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="competition_teams", verbose_name=_("机构")
    )
    name = models.CharField(_("队名"), max_length=100)

    class Meta:
        verbose_name = _("参赛队")
        verbose_name_plural = pgettext_lazy("plural", "参赛队")
        ordering = ["competition", "name"]
        constraints = [models.UniqueConstraint(fields=["competition", "institution"], name="cmp_team_unique")]

    def __str__(self) -> str:
        return self.name


class Contestant(models.Model):
    """A member of staff entered in one item; ``institution`` is kept as at the competition."""

    item = models.ForeignKey(
        CompetitionItem, on_delete=models.CASCADE, related_name="contestants", verbose_name=_("比赛项目")
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="competition_entries", verbose_name=_("选手")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="contestants", verbose_name=_("机构")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("参赛队"),
    )

    class Meta:
        verbose_name = _("选手")
        verbose_name_plural = pgettext_lazy("plural", "选手")
        ordering = ["item", "staff__name"]
        constraints = [models.UniqueConstraint(fields=["item", "staff"], name="cmp_contestant_unique")]

    def __str__(self) -> str:
        return f"{self.staff.name}（{self.institution}）"

    def clean(self) -> None:
        if self.team_id and self.institution_id and self.team.institution_id != self.institution_id:
            raise ValidationError({"team": _("选手只能加入本机构的参赛队。")})
        if self.team_id and self.item_id and self.team.competition_id != self.item.competition_id:
            raise ValidationError({"team": _("参赛队不属于本次比武。")})


class Score(models.Model):
    """A contestant's part scores (0–100) and the weighted total, rank and award computed from them."""

    contestant = models.OneToOneField(
        Contestant, on_delete=models.CASCADE, related_name="score", verbose_name=_("选手")
    )
    theory = models.FloatField(_("理论"), validators=_score)
    practical = models.FloatField(_("实操"), validators=_score)
    data_processing = models.FloatField(_("数据处理"), validators=_score)
    total = models.FloatField(_("总分"), null=True, blank=True, editable=False)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("成绩")
        verbose_name_plural = pgettext_lazy("plural", "成绩")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theory__gte=0, theory__lte=100)
                & Q(practical__gte=0, practical__lte=100)
                & Q(data_processing__gte=0, data_processing__lte=100),
                name="cmp_score_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contestant}: {self.total}"

    @property
    def parts(self) -> tuple[float, float, float]:
        return (self.theory, self.practical, self.data_processing)


class Award(models.Model):
    """An award given to a contestant by the item's rule (recomputed whenever scores change)."""

    contestant = models.OneToOneField(
        Contestant, on_delete=models.CASCADE, related_name="award", verbose_name=_("选手")
    )
    name = models.CharField(_("奖项"), max_length=40)
    level = models.PositiveSmallIntegerField(_("等级"), help_text=_("1 为最高奖。"))

    class Meta:
        verbose_name = _("获奖")
        verbose_name_plural = pgettext_lazy("plural", "获奖")
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.contestant} {self.name}"
