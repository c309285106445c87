from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExcelConfig(AppConfig):
    name = "qiangji.web.excel"
    label = "excel"
    verbose_name = _("Excel 导入导出")
