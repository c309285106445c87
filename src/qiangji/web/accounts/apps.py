from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qiangji.web.accounts"
    label = "accounts"
    verbose_name = _("账户、权限与审计")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qiangji.web.accounts import admin_policy, audit, sessions, throttle, views

        audit.connect()
        user_logged_in.connect(sessions.start, dispatch_uid="qiangji_session_clocks")
        throttle.connect()
        views.use_site_pages()
        admin_policy.enforce_on_site()
