from django.contrib import admin
from django.urls import include, path, re_path

from qiangji.web.api.api import api
from qiangji.web.api.errors import not_found as api_not_found

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("excel/", include("qiangji.web.excel.urls")),
    path("assessment/", include("qiangji.web.assessment.urls")),
    path("comparisons/", include("qiangji.web.comparisons.urls")),
    path("institutions/", include("qiangji.web.registry.urls")),
    path("programme/", include("qiangji.web.programme.urls")),
    path("steering/", include("qiangji.web.steering.urls")),
    path("", include("qiangji.web.inbox.urls")),
    path("jobs/", include("qiangji.web.jobs.urls")),
    path("audit/", include("qiangji.web.accounts.urls")),
    path("", include("qiangji.web.publication.urls")),
]
