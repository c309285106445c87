from django.urls import path

from qiangji.web.inbox import views

app_name = "inbox"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_read, name="read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
]
