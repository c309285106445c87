from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "qiangji.web.publication"
    label = "publication"
    verbose_name = _("指数发布")

    def ready(self) -> None:
        from qiangji.web.publication import jobs  # noqa: F401  (registers the publication's job kinds)
