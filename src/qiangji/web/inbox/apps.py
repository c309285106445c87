from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    """Each role's home page (待办) and the notifications (site and email) of the workflow events."""

    name = "qiangji.web.inbox"
    label = "inbox"
    verbose_name = _("待办与通知")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qiangji.web.inbox import landing, receivers

        receivers.connect()
        landing.install()
