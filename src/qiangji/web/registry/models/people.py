"""The registered-metrologist pipeline of a person (docs/domain.md §2.5) and the item mapping its rules use.

Exam subjects passed by year, the credentials that count toward registration (the current 计量专业项目考核
合格证 and the older 计量检定员证 and 项目考核合格证), continuing education toward renewal, and the mapping
table that links the names of registration professional items to catalogue items and JJF 1022 codes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models.base import Timestamped, ordered
from qiangji.web.registry.models.catalogue import MVCatalogueItem
from qiangji.web.registry.models.staff import Staff

#: The exam subjects of each level (国市监计量〔2019〕197号; docs/domain.md §2.5).
SUBJECTS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("law", "计量法律法规及综合知识"),
        ("data", "测量数据处理与计量专业实务"),
        ("case", "计量专业案例分析"),
    ),
    2: (("law", "计量法律法规及综合知识"), ("practice", "计量专业实务与案例分析")),
}
#: Consecutive exam years within which every subject of a level must be passed.
WINDOW_YEARS = {1: 3, 2: 2}


class ExamSubjectPass(Timestamped):
    """One exam subject passed (or exempted) by a member of staff in an exam year."""

    class Subject(models.TextChoices):
        LAW = "law", _("计量法律法规及综合知识")
        DATA = "data", _("测量数据处理与计量专业实务")
        CASE = "case", _("计量专业案例分析")
        PRACTICE = "practice", _("计量专业实务与案例分析")

    class Basis(models.TextChoices):
        EXAM = "exam", _("考试合格")
        EXEMPT = "exempt", _("免试")

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="exam_subjects", verbose_name=_("人员")
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=[(1, _("一级")), (2, _("二级"))])
    subject = models.CharField(_("科目"), max_length=10, choices=Subject.choices)
    exam_year = models.PositiveSmallIntegerField(_("考试年度"))
    basis = models.CharField(_("方式"), max_length=8, choices=Basis.choices, default=Basis.EXAM)

    class Meta:
        verbose_name = _("注册计量师考试科目")
        verbose_name_plural = pgettext_lazy("plural", "注册计量师考试科目")
        ordering = ["staff", "level", "exam_year", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "level", "subject", "exam_year"], name="exam_subject_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_level_display()} {self.exam_year} {self.get_subject_display()}"

    def clean(self) -> None:
        allowed = [code for code, _name in SUBJECTS.get(self.level, ())]
        if self.subject and self.level and self.subject not in allowed:
            raise ValidationError(
                {"subject": _("%(level)s级考试没有该科目（可选：%(all)s）。")
                 % {"level": self.level, "all": "、".join(allowed)}}
            )  # fmt: skip


class RMCredential(Timestamped):
    """A certificate that counts toward registration: the current professional-item certificate, or one
    of the older credentials whose approved items still count as equivalent (docs/domain.md §2.5)."""

    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("注册计量师资格证书")
        ITEM = "item", _("计量专业项目考核合格证")
        VERIFIER = "verifier", _("计量检定员证（原）")
        OLD_ITEM = "old_item", _("项目考核合格证（原）")

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("人员")
    )
    kind = models.CharField(_("证书类别"), max_length=14, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("资格级别"), choices=[(1, _("一级")), (2, _("二级"))], null=True, blank=True,
        help_text=_("仅资格证书填写。"),
    )  # fmt: skip
    cert_no = models.CharField(_("证书编号"), max_length=60)
    issued_on = models.DateField(_("发证日期"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("含当日；空为长期有效。"))
    items = models.JSONField(
        _("考核合格项目"), default=list, blank=True, help_text=_("计量专业项目名称列表。")
    )
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("注册相关证书")
        verbose_name_plural = pgettext_lazy("plural", "注册相关证书")
        ordering = ["staff", "kind", "-issued_on"]
        constraints = [
            ordered("issued_on", "valid_to", strict=False, name="credential_valid_after_issue"),
            models.UniqueConstraint(fields=["kind", "cert_no"], name="credential_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_kind_display()} {self.cert_no}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind == self.Kind.QUALIFICATION and not self.level:
            errors["level"] = _("资格证书须填写级别。")
        if self.kind != self.Kind.QUALIFICATION and self.level:
            errors["level"] = _("只有资格证书有级别。")
        if self.valid_to and self.issued_on and self.valid_to < self.issued_on:
            errors["valid_to"] = _("有效期至不能早于发证日期。")
        items = self.items
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            errors["items"] = _("考核合格项目必须是非空名称的列表。")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.valid_to is None or day <= self.valid_to)


class ContinuingEducation(Timestamped):
    """Continuing-education hours completed outside the programme's own training sessions (whose
    attendance is counted from :class:`qiangji.web.programme.models.Attendance`)."""

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="continuing_education", verbose_name=_("人员")
    )
    completed_on = models.DateField(_("完成日期"))
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    provider = models.CharField(_("组织单位"), max_length=100)
    topic = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("继续教育")
        verbose_name_plural = pgettext_lazy("plural", "继续教育")
        ordering = ["staff", "completed_on"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "completed_on", "provider", "topic"], name="ce_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.completed_on} {self.hours}学时"


class ProfessionalItemMapping(Timestamped):
    """A registration professional item (as written on registrations and credentials) that covers a
    catalogue item, with the JJF 1022 code of the standard it is performed with.

    Every rule that asks "does this registration hold this item" reads this table as well as the exact
    name (:mod:`qiangji.web.registry.items`): real registrations name items as "压力表" or "弹簧管式一般
    压力表", the catalogue as "压力仪表".
    """

    registration_item = models.CharField(
        _("注册专业项目名称"),
        max_length=100,
        help_text=_("与注册证、考核合格证上的写法一致（首尾空格忽略）。"),
    )
    catalogue_item = models.ForeignKey(
        MVCatalogueItem, on_delete=models.CASCADE, related_name="item_mappings", verbose_name=_("目录项")
    )
    jjf1022_code = models.CharField(
        _("JJF 1022 代码"), max_length=8, blank=True,
        validators=[RegexValidator(r"^\d{2}(\d{2}){0,3}$", _("JJF 1022 代码须为2、4、6或8位数字。"))],
    )  # fmt: skip
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("专业项目对照")
        verbose_name_plural = pgettext_lazy("plural", "专业项目对照")
        ordering = ["registration_item", "catalogue_item"]
        constraints = [
            models.UniqueConstraint(fields=["registration_item", "catalogue_item"], name="itemmap_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_item} → {self.catalogue_item}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.registration_item = self.registration_item.strip()  # the rules compare stripped names
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if not self.registration_item.strip():
            raise ValidationError({"registration_item": _("注册专业项目名称不能为空。")})
