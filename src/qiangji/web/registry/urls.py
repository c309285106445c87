from django.urls import path

from qiangji.web.registry import views

app_name = "registry"
urlpatterns = [path("", views.home, name="home")]
