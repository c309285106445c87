"""A user's role and institution, the append-only audit trail and failed logins."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiangji.web.registry.models import Institution


class Role(models.TextChoices):
    ADMIN = "admin", _("项目管理员")
    REVIEWER = "reviewer", _("市级审核/督查员")
    REPORTER = "reporter", _("县级填报员")
    LEADERSHIP = "leadership", _("领导（只读）")


class Profile(models.Model):
    """The one role a user holds; a county reporter is bound to exactly one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属机构"),
        help_text=_("县级填报员必填：只能查看和修改本机构的数据。"),
    )

    class Meta:
        verbose_name = _("角色与机构")
        verbose_name_plural = pgettext_lazy("plural", "角色与机构")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="reporter") | Q(institution__isnull=False),
                name="accounts_reporter_has_institution",
            )
        ]

    def __str__(self) -> str:
        where = f" @ {self.institution}" if self.institution_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"

    def clean(self) -> None:
        if self.role == Role.REPORTER and self.institution_id is None:
            raise ValidationError({"institution": _("县级填报员必须绑定一个机构。")})


class AuditImmutableError(Exception):
    """Raised by every attempt to change or delete an audit event from the application."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise AuditImmutableError("audit events are append-only: they cannot be changed or deleted")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class AuditEvent(models.Model):
    """One recorded action. Written once, never changed (model guards here, a trigger in the database)."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        M2M = "m2m", _("关联变更")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录锁定")
        LOGOUT = "logout", _("退出")
        EXPORT = "export", _("导出")
        DENIED = "denied", _("拒绝访问")
        BACKUP = "backup", _("备份")
        RESTORE = "restore", _("恢复")
        LOADDATA = "loaddata", _("导入初始数据")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices, db_index=True)
    app_label = models.CharField(_("应用"), max_length=50, blank=True)
    model = models.CharField(_("数据类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    actor_id = models.BigIntegerField(_("用户编号"), null=True, blank=True)  # no FK: survives user deletion
    actor = models.CharField(_("操作人"), max_length=150, blank=True, db_index=True)
    source = models.CharField(_("来源"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    changed = models.JSONField(_("变更字段"), default=list, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = pgettext_lazy("plural", "审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["app_label", "model", "object_id"], name="accounts_audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor or '-'} {self.action} {self.model} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class LoginFailure(models.Model):
    """One failed login, counted by the throttle (per username and IP, and per username)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = pgettext_lazy("plural", "登录失败记录")
