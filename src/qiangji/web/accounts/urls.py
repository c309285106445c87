from django.urls import path

from qiangji.web.accounts import audit_views, views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/password/done/", views.password_change_done, name="password_change_done"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.csv", audit_views.audit_csv, name="audit_csv"),
    path("audit/export.xlsx", audit_views.audit_xlsx, name="audit_xlsx"),
]
