from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "qiangji.web.assessment"
    label = "assessment"
    verbose_name = _("考核评估")

    def ready(self) -> None:
        from qiangji.web.assessment.inputs import register_indicators

        register_indicators()
