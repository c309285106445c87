from django.urls import path

from qiangji.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.audit_list, name="audit"),
    path("export.csv", views.audit_csv, name="audit_csv"),
    path("export.xlsx", views.audit_xlsx, name="audit_xlsx"),
]
