from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qiangji.web.registry"
    label = "registry"
    verbose_name = _("机构登记")

    def ready(self) -> None:
        from qiangji.web.registry.indicators import register_indicators
        from qiangji.web.registry.samples import register_samples

        register_indicators()
        register_samples()
