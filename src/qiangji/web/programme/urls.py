from django.urls import path

from qiangji.web.programme import steering_views, views

app_name = "programme"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("institutions/<str:code>/", views.institution, name="institution"),
    path("training/<int:year>/needs/", views.needs, name="needs"),
    path("training/<int:year>/plan/", views.plan, name="plan"),
    path("training/<int:year>/sessions/", views.sessions, name="sessions"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session"),
    path("training/sessions/<int:pk>/candidates/", steering_views.link_candidates, name="session_candidates"),
    path("readiness/", steering_views.readiness, name="readiness"),
    path("rm/", steering_views.rm_overview, name="rm"),
    path("rm/<str:code>/", steering_views.rm_county, name="rm_county"),
]
