"""The site's URLs plus one view that fails, for the 500 page (tests/web/ui/test_error_pages.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from qiangji.web.urls import handler400, handler403, handler404, handler500
from qiangji.web.urls import urlpatterns as site_urls


def failing(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure inside a view")


urlpatterns = [path("failing/", failing, name="failing"), *site_urls]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
