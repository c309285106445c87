from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "qiangji.web.programme"
    label = "programme"
    verbose_name = _("三年强基行动：目标、预警与帮扶培训")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qiangji.web.programme.indicators import register_indicators

        register_indicators()
