from django.contrib import admin
from django.urls import include, path, re_path

from qiangji.web.api.api import api
from qiangji.web.api.errors import not_found as api_not_found

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("qiangji.web.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("excel/", include("qiangji.web.excel.urls")),
    path("assessment/", include("qiangji.web.assessment.urls")),
    path("comparisons/", include("qiangji.web.comparisons.urls")),
    path("institutions/", include("qiangji.web.directory.urls")),
    path("programme/", include("qiangji.web.programme.urls")),
    path("steering/", include("qiangji.web.steering.urls")),
    path("", include("qiangji.web.inbox.urls")),
    path("jobs/", include("qiangji.web.jobs.urls")),
    path("", include("qiangji.web.publication.urls")),
]

# The site's own error pages (qiangji.web.errors): the site's layout and language, JSON under /api/.
handler400 = "qiangji.web.errors.bad_request"
handler403 = "qiangji.web.errors.permission_denied"
handler404 = "qiangji.web.errors.page_not_found"
handler500 = "qiangji.web.errors.server_error"
