from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qiangji.web.registry.models import Institution


def home(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.prefetch_related("divisions").order_by("level", "code")
    return render(request, "registry/home.html", {"institutions": institutions})
