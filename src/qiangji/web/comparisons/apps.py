from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonsConfig(AppConfig):
    name = "qiangji.web.comparisons"
    label = "comparisons"
    verbose_name = _("计量比对与技能比武")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qiangji.web.comparisons.indicators import register_indicators

        register_indicators()
