from django.urls import path

from qiangji.web.steering import application_views, views

app_name = "steering"
urlpatterns = [
    path("capability/", views.capability, name="capability"),
    path("capability/duties/", views.duties_import, name="duties_import"),
    path("cooperation/", views.cooperation, name="cooperation"),
    path("cooperation/applications/", application_views.application, name="application"),
    path("assistance/", views.assistance, name="assistance"),
    path("assistance/<int:year>/accept/", views.accept_proposal, name="accept"),
    path("results/", views.results, name="results"),
    path("results.pdf", views.results_pdf, name="results_pdf"),
]
