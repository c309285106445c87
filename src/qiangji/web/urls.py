from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("excel/", include("qiangji.web.excel.urls")),
    path("assessment/", include("qiangji.web.assessment.urls")),
    path("comparisons/", include("qiangji.web.comparisons.urls")),
    path("institutions/", include("qiangji.web.registry.urls")),
    path("", include("qiangji.web.publication.urls")),
]
