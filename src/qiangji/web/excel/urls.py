from django.urls import path

from qiangji.web.excel import views

app_name = "excel"
urlpatterns = [
    path("", views.import_page, name="import"),
    path("template/<str:table>.xlsx", views.template, name="template"),
    path("export/<str:table>.xlsx", views.export, name="export"),
    path("batch/<int:pk>/", views.batch, name="batch"),
    path("batch/<int:pk>/errors.xlsx", views.error_report, name="errors"),
    path("batch/<int:pk>/original.xlsx", views.original, name="original"),
]
