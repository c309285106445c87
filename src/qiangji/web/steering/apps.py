from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "qiangji.web.steering"
    label = "steering"
    verbose_name = _("三年强基行动：能力布局、合作与帮扶成效")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qiangji.web.steering.indicators import register_indicators

        register_indicators()
