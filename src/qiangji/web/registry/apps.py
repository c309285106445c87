from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qiangji.web.registry"
    label = "registry"
    verbose_name = _("机构登记")
