"""Cooperation and exchange (产业计量测试中心, universities, research institutes) and research applications.

D4.4 (产业/科研合作项目数) counts :class:`JointProject` rows under a signed :class:`Agreement`
(``qiangji.web.steering.indicators.d4_4_all``); a project without one is listed but not counted, as the
domain's rule asks for the signed agreement as evidence (docs/domain.md §5.2, D4.4).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models import Institution, ResearchProject, Staff
from qiangji.web.registry.models.base import Timestamped, ordered
from qiangji.web.registry.models.research import FundingLevel
from qiangji.web.steering.models.periods import period_errors


class Partner(Timestamped):
    """An outside body the institutions cooperate with."""

    class Kind(models.TextChoices):
        NATIONAL_CENTRE = "national_centre", _("国家产业计量测试中心")
        PROVINCIAL_CENTRE = "provincial_centre", _("省级产业计量测试中心")
        UNIVERSITY = "university", _("高等院校")
        INSTITUTE = "institute", _("科研院所")
        METROLOGY = "metrology", _("上级计量技术机构")
        ENTERPRISE = "enterprise", _("企业")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("所在地"), max_length=50, blank=True)
    speciality = models.CharField(_("专业领域"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = pgettext_lazy("plural", "合作单位")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Agreement(Timestamped):
    """A signed cooperation agreement between an institution and a partner."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("机构")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("合作单位")
    )
    title = models.CharField(_("协议名称"), max_length=200)
    document_no = models.CharField(_("协议编号"), max_length=100, help_text=_("签署协议的编号，作为佐证。"))
    signed_on = models.DateField(_("签署日期"))
    expires_on = models.DateField(_("到期日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = pgettext_lazy("plural", "合作协议")
        ordering = ["-signed_on"]
        constraints = [ordered("signed_on", "expires_on", strict=True, name="agreement_expires_after")]

    def __str__(self) -> str:
        return f"{self.title}（{self.partner}）"

    def clean(self) -> None:
        if self.expires_on and self.signed_on and self.expires_on <= self.signed_on:
            raise ValidationError({"expires_on": _("到期日期必须晚于签署日期。")})


class JointProject(Timestamped):
    """A joint project with a partner (research, co-built laboratory, standard, technical service)."""

    class Kind(models.TextChoices):
        RESEARCH = "research", _("联合科研")
        LAB = "lab", _("共建实验室/平台")
        STANDARD = "standard", _("联合研制标准/规范")
        SERVICE = "service", _("产业计量技术服务")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="joint_projects", verbose_name=_("机构")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="projects", verbose_name=_("合作单位")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("依据协议"),
        help_text=_("无签署协议的项目不计入 D4.4。"),
    )
    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    cluster_tag = models.CharField(_("服务的块状产业"), max_length=50, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("合作项目")
        verbose_name_plural = pgettext_lazy("plural", "合作项目")
        ordering = ["-started_on"]
        constraints = [ordered("started_on", "ended_on", strict=False, name="jointproject_end_after")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = period_errors(self.started_on, self.ended_on)
        if self.agreement_id and self.institution_id and self.partner_id:
            a = self.agreement
            if a is not None and (a.institution_id, a.partner_id) != (self.institution_id, self.partner_id):
                errors["agreement"] = _("依据协议须为本机构与该合作单位签署的协议。")
        if errors:
            raise ValidationError(errors)


class Exchange(Timestamped):
    """A secondment or exchange of one person between an institution and a partner."""

    class Kind(models.TextChoices):
        SECONDMENT = "secondment", _("挂职/借调")
        STUDY = "study", _("进修/访学")
        EXPERT = "expert", _("专家驻点指导")

    class Direction(models.TextChoices):
        OUT = "out", _("本机构派出")
        IN = "in", _("合作单位派入")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("机构")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("合作单位")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices)
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("本机构人员")
    )
    person = models.CharField(_("人员姓名"), max_length=50, blank=True, help_text=_("合作单位派入人员。"))
    topic = models.CharField(_("内容"), max_length=200)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("人才交流")
        verbose_name_plural = pgettext_lazy("plural", "人才交流")
        ordering = ["-started_on"]
        constraints = [ordered("started_on", "ended_on", strict=False, name="exchange_end_after")]

    def __str__(self) -> str:
        return f"{self.who} {self.get_kind_display()}（{self.partner}）"

    @property
    def who(self) -> str:
        return self.staff.name if self.staff_id and self.staff else self.person

    @property
    def days(self) -> int:
        return (self.ended_on - self.started_on).days + 1

    def clean(self) -> None:
        errors = period_errors(self.started_on, self.ended_on)
        if self.direction == self.Direction.OUT and not self.staff_id:
            errors["staff"] = _("本机构派出的交流须选择本机构人员。")
        if self.direction == self.Direction.IN and not self.person.strip():
            errors["person"] = _("合作单位派入的交流须填写人员姓名。")
        if self.staff_id and self.institution_id and self.staff.institution_id != self.institution_id:
            errors["staff"] = _("人员须属于本机构。")
        if errors:
            raise ValidationError(errors)


class ResearchApplication(Timestamped):
    """A research-project application (申报) and its outcome: the research goal's leading indicator."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("申报准备")
        SUBMITTED = "submitted", _("已申报")
        APPROVED = "approved", _("已立项")
        REJECTED = "rejected", _("未立项")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="research_applications", verbose_name=_("机构")
    )
    title = models.CharField(_("项目名称"), max_length=300)
    funding_level = models.CharField(_("申报级别"), max_length=12, choices=FundingLevel.choices)
    funder = models.CharField(_("申报部门"), max_length=200)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("合作单位")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREPARING)
    submitted_on = models.DateField(_("申报日期"), null=True, blank=True)
    decided_on = models.DateField(_("结果日期"), null=True, blank=True)
    project = models.OneToOneField(
        ResearchProject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("立项项目"),
        help_text=_("已立项时关联登记库中的科研项目。"),
    )

    class Meta:
        verbose_name = _("科研项目申报")
        verbose_name_plural = pgettext_lazy("plural", "科研项目申报")
        ordering = ["institution", "-submitted_on"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    def clean(self) -> None:
        errors = {}
        decided = self.status in (self.Status.APPROVED, self.Status.REJECTED)
        if self.status != self.Status.PREPARING and not self.submitted_on:
            errors["submitted_on"] = _("已申报的项目须填写申报日期。")
        if decided and not self.decided_on:
            errors["decided_on"] = _("已有结果的申报须填写结果日期。")
        if self.decided_on and self.submitted_on and self.decided_on < self.submitted_on:
            errors["decided_on"] = _("结果日期不能早于申报日期。")
        if self.status == self.Status.APPROVED and not self.project_id:
            errors["project"] = _("已立项的申报须关联登记库中的科研项目。")
        if self.status != self.Status.APPROVED and self.project_id:
            errors["project"] = _("只有已立项的申报才能关联科研项目。")
        if self.project_id and self.institution_id and self.project.institution_id != self.institution_id:
            errors["project"] = _("关联的科研项目须属于本机构。")
        if errors:
            raise ValidationError(errors)
