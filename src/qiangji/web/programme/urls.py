from django.urls import path

from qiangji.web.programme import views

app_name = "programme"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("institutions/<str:code>/", views.institution, name="institution"),
    path("training/<int:year>/needs/", views.needs, name="needs"),
    path("training/<int:year>/plan/", views.plan, name="plan"),
    path("training/<int:year>/sessions/", views.sessions, name="sessions"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session"),
]
